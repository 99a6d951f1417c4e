"""A payer's code list: which revenue code and HCPCS code a program day is billed with.

One line per kind of program, e.g. (CLINICAL.md §3, "Code sets the platform must carry"):

    mh 0905 S9480     intensive outpatient psychiatric services, per diem
    sud 0906 H0015    alcohol and/or drug services, intensive outpatient

Revenue codes 0905/0906 are the intensive outpatient services lines (psychiatric / chemical
dependency); which pair a payer wants is its own rule, so every pair is configuration. A
program with the 42 CFR Part 2 flag (it treats substance use) bills the `sud` line, any other
the `mh` line.
"""

import re
from dataclasses import dataclass
from typing import Any

SERVICES = {"mh": "mental health", "sud": "substance use"}
_REVENUE = re.compile(r"[0-9]{4}")
_HCPCS = re.compile(r"[A-Z0-9][0-9]{4}")


@dataclass(frozen=True)
class CodePair:
    service: str
    revenue_code: str
    hcpcs: str


class CodeListError(ValueError):
    pass


def parse(text: str) -> list[dict[str, str]]:
    """The lines of a code list as stored on the payer; CodeListError names the bad line."""
    pairs: list[dict[str, str]] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        parts = line.split()
        if len(parts) != 3:
            raise CodeListError(
                f"Line {number}: write the kind of program, the revenue code and the HCPCS "
                "code, e.g. “mh 0905 S9480”."
            )
        service, revenue, hcpcs = parts[0].lower(), parts[1], parts[2].upper()
        if service not in SERVICES:
            raise CodeListError(f"Line {number}: the kind of program is “mh” or “sud”.")
        if not _REVENUE.fullmatch(revenue):
            raise CodeListError(f"Line {number}: a revenue code has four digits, e.g. 0905.")
        if not _HCPCS.fullmatch(hcpcs):
            raise CodeListError(f"Line {number}: a HCPCS code is a letter and four digits.")
        if service in seen:
            raise CodeListError(
                f"Line {number} repeats “{service}” (first on line {seen[service]}): each kind "
                "of program takes one code pair."
            )
        seen[service] = number
        pairs.append({"service": service, "revenue_code": revenue, "hcpcs": hcpcs})
    if not pairs:
        raise CodeListError("Give at least one code pair, e.g. “mh 0905 S9480”.")
    return pairs


def as_text(codes: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c['service']} {c['revenue_code']} {c['hcpcs']}" for c in codes)


def pair_for(codes: list[dict[str, Any]], *, substance_use: bool) -> CodePair | None:
    service = "sud" if substance_use else "mh"
    for entry in codes:
        if entry.get("service") == service:
            return CodePair(service, entry["revenue_code"], entry["hcpcs"])
    return None
