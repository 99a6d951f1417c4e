import csv
import io
from decimal import Decimal

import pytest

from openiop.lib.csvcells import csv_text, safe_cell


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Evening DBT A", "Evening DBT A"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "yes"),
        (-3, -3),
        (Decimal("-1.5"), Decimal("-1.5")),
        (0.25, 0.25),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_csv_text_round_trips_with_the_quote():
    text = csv_text([["name", "value"], ["=1+1", -4], ["plain, with comma", 2]])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["name", "value"], ["'=1+1", "-4"], ["plain, with comma", "2"]]
    assert text.endswith("\r\n")
