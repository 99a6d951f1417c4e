"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV Injection").

A cell whose text starts with `=`, `+`, `-` or `@`, or with a tab or carriage return, can be
read by Excel, LibreOffice or Google Sheets as a formula (`=HYPERLINK(...)`, DDE). Such text is
written with a single quote in front, which spreadsheets show as plain text. Numbers (int,
float, Decimal) are written as they are: a negative number is data, not a formula, and
quoting it would turn it into text nobody can sum.
"""

import csv
import io
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """The value as it may go into a CSV cell."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable[Any]]) -> str:
    """Rows written as CSV (RFC 4180 line endings), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return out.getvalue()
