"""X12 837 claim batches (005010X223A2 institutional, 005010X222A1 professional), no database.

The billing app hands over plain dataclasses; this module lays them out as one interchange
(ISA/GS/ST ... SE/GE/IEA) with one claim per participant and payer, one service line per
program day. What a line says (revenue code + HCPCS, condition code 92) comes from the payer's
configuration and CLINICAL.md §3 ("Claim elements (institutional)"), never from here.

X12 has no escape sequence: a delimiter inside a value would end the element or segment. So
text is first folded to the X12 basic character set (accents dropped: "José" -> "JOSE"), and a
value that still holds a delimiter or a character outside the set is refused with
`X12ValueError`, naming the field, never the value (it may be PHI).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

ELEMENT = "*"
COMPONENT = ":"
REPETITION = "^"
SEGMENT = "~"
DELIMITERS = frozenset(ELEMENT + COMPONENT + REPETITION + SEGMENT)

INSTITUTIONAL = "005010X223A2"
PROFESSIONAL = "005010X222A1"

# The X12 basic character set (upper-case letters, digits, space and these specials), less
# the delimiters chosen above. Lower case is folded to upper case first.
_ALLOWED = re.compile(r"[A-Z0-9 !\"&'()+,\-./;?=%@#$]*")
_IDENTIFIER = re.compile(r"[A-Z0-9\-]{1,80}")


class X12ValueError(ValueError):
    """A value cannot be written into an 837; the message names the field only."""

    def __init__(self, field_name: str, reason: str) -> None:
        self.field_name = field_name
        super().__init__(f"{field_name}: {reason}")


def fold(value: str) -> str:
    """Text folded to the basic character set: accents dropped, upper case, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", value)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(ascii_text.upper().split())


def text(value: str, field_name: str, *, max_length: int = 60, required: bool = True) -> str:
    """`value` as an X12 text element, or X12ValueError."""
    folded = fold(value)
    if not folded:
        if required:
            raise X12ValueError(field_name, "is empty")
        return ""
    if any(c in DELIMITERS for c in folded):
        raise X12ValueError(field_name, "contains an X12 delimiter (* : ^ ~)")
    if not _ALLOWED.fullmatch(folded):
        raise X12ValueError(field_name, "contains characters X12 cannot carry")
    return folded[:max_length].rstrip()


def identifier(value: str, field_name: str) -> str:
    """An identifier (member id, group number, NPI): letters, digits and hyphens only."""
    folded = value.strip().upper()
    if not _IDENTIFIER.fullmatch(folded):
        raise X12ValueError(field_name, "may hold only letters, digits and hyphens")
    return folded


def money(amount: Decimal) -> str:
    """An X12 monetary amount: no trailing zeros past the point, no leading plus."""
    quantized = amount.quantize(Decimal("0.01"))
    result = format(quantized, "f")
    if "." in result:
        result = result.rstrip("0").rstrip(".")
    return result


@dataclass(frozen=True)
class Provider:
    """The billing provider (the program) and its attending clinician."""

    name: str
    npi: str
    tax_id: str
    address: str
    city: str
    state: str
    postal_code: str
    contact_name: str
    contact_phone: str
    submitter_id: str
    attending_family_name: str
    attending_given_name: str
    attending_npi: str
    taxonomy: str = ""


@dataclass(frozen=True)
class Line:
    service_date: date
    revenue_code: str
    hcpcs: str
    amount: Decimal
    units: int = 1


@dataclass(frozen=True)
class Claim:
    """One participant's claim to one payer for a run of program days."""

    control_number: str
    payer_name: str
    payer_id: str
    filing_indicator: str
    subscriber_family_name: str
    subscriber_given_name: str
    member_id: str
    group_number: str
    subscriber_birth_date: date
    subscriber_sex: str
    address: str
    city: str
    state: str
    postal_code: str
    relationship: str  # X12 individual relationship code: "18" self, "01" spouse, "19" child...
    patient_family_name: str
    patient_given_name: str
    patient_birth_date: date
    patient_sex: str
    diagnosis_codes: list[str]
    authorization_number: str
    lines: list[Line] = field(default_factory=list)
    priority: str = "P"
    facility_code: str = "13"
    frequency_code: str = "1"
    condition_codes: list[str] = field(default_factory=lambda: ["92"])


def _segment(*elements: str) -> str:
    while elements and elements[-1] == "":
        elements = elements[:-1]
    return ELEMENT.join(elements) + SEGMENT


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _icd(code: str, field_name: str) -> str:
    """ICD-10-CM codes go without their dot (F33.1 -> F331)."""
    return identifier(code.replace(".", ""), field_name)


def _zip(value: str, field_name: str, *, nine: bool = False) -> str:
    """A ZIP code; the billing provider's must have all nine digits (837 loop 2010AA N403)."""
    digits = value.replace("-", "").strip()
    pattern = r"[0-9]{9}" if nine else r"[0-9]{5}([0-9]{4})?"
    if not re.fullmatch(pattern, digits):
        raise X12ValueError(
            field_name, "must be a 9-digit ZIP code" if nine else "must be a 5- or 9-digit ZIP code"
        )
    return digits


def batch(
    claims: list[Claim],
    *,
    provider: Provider,
    receiver_id: str,
    receiver_name: str,
    control_number: int,
    created_at: datetime,
    version: str = INSTITUTIONAL,
    test: bool = False,
) -> str:
    """One interchange holding `claims`, as text (one segment per line for readability)."""
    if not claims:
        raise ValueError("a batch needs at least one claim")
    if version not in (INSTITUTIONAL, PROFESSIONAL):
        raise ValueError(f"unknown 837 version {version!r}")
    institutional = version == INSTITUTIONAL
    sender = identifier(provider.submitter_id, "submitter id")
    receiver = identifier(receiver_id, "payer id")
    isa_control = f"{control_number:09d}"
    body: list[str] = [
        _segment("ST", "837", "0001", version),
        _segment(
            "BHT",
            "0019",
            "00",
            str(control_number),
            _d8(created_at),
            created_at.strftime("%H%M"),
            "CH",
        ),
        _segment(
            "NM1", "41", "2", text(provider.name, "provider name"), "", "", "", "", "46", sender
        ),
        _segment(
            "PER",
            "IC",
            text(provider.contact_name, "contact name"),
            "TE",
            identifier(provider.contact_phone.replace("+", "").replace(" ", ""), "contact phone"),
        ),
        _segment(
            "NM1", "40", "2", text(receiver_name, "payer name"), "", "", "", "", "46", receiver
        ),
        _segment("HL", "1", "", "20", "1"),
    ]
    if provider.taxonomy:
        body.append(_segment("PRV", "BI", "PXC", identifier(provider.taxonomy, "taxonomy")))
    body += [
        _segment(
            "NM1",
            "85",
            "2",
            text(provider.name, "provider name"),
            "",
            "",
            "",
            "",
            "XX",
            identifier(provider.npi, "provider NPI"),
        ),
        _segment("N3", text(provider.address, "provider address", max_length=55)),
        _segment(
            "N4",
            text(provider.city, "provider city", max_length=30),
            identifier(provider.state, "provider state"),
            _zip(provider.postal_code, "provider ZIP code", nine=True),
        ),
        _segment("REF", "EI", identifier(provider.tax_id.replace("-", ""), "tax id")),
    ]
    hl = 1
    for claim in claims:
        hl += 1
        subscriber_hl = hl
        is_self = claim.relationship == "18"
        body.append(_segment("HL", str(subscriber_hl), "1", "22", "0" if is_self else "1"))
        body.append(
            _segment(
                "SBR",
                claim.priority,
                "18" if is_self else "",
                identifier(claim.group_number, "group number") if claim.group_number else "",
                "",
                "",
                "",
                "",
                "",
                identifier(claim.filing_indicator, "claim filing indicator"),
            )
        )
        body.append(
            _segment(
                "NM1",
                "IL",
                "1",
                text(claim.subscriber_family_name, "subscriber family name", max_length=60),
                text(claim.subscriber_given_name, "subscriber given name", max_length=35),
                "",
                "",
                "",
                "MI",
                identifier(claim.member_id, "member id"),
            )
        )
        address = [
            _segment("N3", text(claim.address, "address", max_length=55)),
            _segment(
                "N4",
                text(claim.city, "city", max_length=30),
                identifier(claim.state, "state"),
                _zip(claim.postal_code, "ZIP code"),
            ),
        ]
        if is_self:
            body += address
            body.append(
                _segment(
                    "DMG",
                    "D8",
                    _d8(claim.subscriber_birth_date),
                    identifier(claim.subscriber_sex, "sex"),
                )
            )
        body.append(
            _segment(
                "NM1",
                "PR",
                "2",
                text(claim.payer_name, "payer name"),
                "",
                "",
                "",
                "",
                "PI",
                identifier(claim.payer_id, "payer id"),
            )
        )
        if not is_self:
            hl += 1
            body.append(_segment("HL", str(hl), str(subscriber_hl), "23", "0"))
            body.append(_segment("PAT", identifier(claim.relationship, "relationship")))
            body.append(
                _segment(
                    "NM1",
                    "QC",
                    "1",
                    text(claim.patient_family_name, "patient family name"),
                    text(claim.patient_given_name, "patient given name", max_length=35),
                )
            )
            body += address
            body.append(
                _segment(
                    "DMG", "D8", _d8(claim.patient_birth_date), identifier(claim.patient_sex, "sex")
                )
            )
        body += _claim(claim, provider, institutional)
    count = len(body) + 1
    body.append(_segment("SE", str(count), "0001"))
    stamp = created_at
    mode = "T" if test else "P"
    head = [
        _segment(
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            "ZZ",
            sender.ljust(15),
            "ZZ",
            receiver.ljust(15),
            stamp.strftime("%y%m%d"),
            stamp.strftime("%H%M"),
            REPETITION,
            "00501",
            isa_control,
            "0",
            mode,
            COMPONENT,
        ),
        _segment(
            "GS",
            "HC",
            sender,
            receiver,
            _d8(stamp),
            stamp.strftime("%H%M"),
            str(control_number),
            "X",
            version,
        ),
    ]
    tail = [
        _segment("GE", "1", str(control_number)),
        _segment("IEA", "1", isa_control),
    ]
    return "\n".join(head + body + tail) + "\n"


def _claim(claim: Claim, provider: Provider, institutional: bool) -> list[str]:
    if not claim.lines:
        raise ValueError("a claim needs at least one line")
    total = sum((line.amount * line.units for line in claim.lines), Decimal(0))
    first = min(line.service_date for line in claim.lines)
    last = max(line.service_date for line in claim.lines)
    control = identifier(claim.control_number, "patient control number")
    if not claim.diagnosis_codes:
        raise X12ValueError("diagnosis", "a claim needs at least one diagnosis")
    segments: list[str] = []
    if institutional:
        segments.append(
            _segment(
                "CLM",
                control,
                money(total),
                "",
                "",
                COMPONENT.join((claim.facility_code, "A", claim.frequency_code)),
                "",
                "A",
                "Y",
                "Y",
            )
        )
        segments.append(_segment("DTP", "434", "RD8", f"{_d8(first)}-{_d8(last)}"))
        # Patient status 30: still a patient (CLINICAL.md §3, sequential interim billing).
        segments.append(_segment("CL1", "", "", "30"))
        if claim.authorization_number:
            segments.append(
                _segment(
                    "REF", "G1", identifier(claim.authorization_number, "authorization number")
                )
            )
        codes = [_icd(code, "diagnosis") for code in claim.diagnosis_codes[:25]]
        segments.append(_segment("HI", f"ABK{COMPONENT}{codes[0]}"))
        if len(codes) > 1:
            segments.append(_segment("HI", *(f"ABF{COMPONENT}{c}" for c in codes[1:13])))
        if claim.condition_codes:
            segments.append(
                _segment(
                    "HI",
                    *(
                        f"BG{COMPONENT}{identifier(c, 'condition code')}"
                        for c in claim.condition_codes[:12]
                    ),
                )
            )
        segments.append(
            _segment(
                "NM1",
                "71",
                "1",
                text(provider.attending_family_name, "attending family name"),
                text(provider.attending_given_name, "attending given name", max_length=35),
                "",
                "",
                "",
                "XX",
                identifier(provider.attending_npi, "attending NPI"),
            )
        )
        for number, line in enumerate(claim.lines, start=1):
            segments.append(_segment("LX", str(number)))
            segments.append(
                _segment(
                    "SV2",
                    identifier(line.revenue_code, "revenue code"),
                    f"HC{COMPONENT}{identifier(line.hcpcs, 'HCPCS code')}",
                    money(line.amount * line.units),
                    "UN",
                    str(line.units),
                )
            )
            segments.append(_segment("DTP", "472", "D8", _d8(line.service_date)))
        return segments
    # Professional (837P): place of service 02 (telehealth other than the patient's home);
    # a payer that wants 10 (in the home) says so in its own companion guide (VERIFY).
    segments.append(
        _segment(
            "CLM",
            control,
            money(total),
            "",
            "",
            COMPONENT.join(("02", "B", claim.frequency_code)),
            "Y",
            "A",
            "Y",
            "Y",
        )
    )
    if claim.authorization_number:
        segments.append(
            _segment("REF", "G1", identifier(claim.authorization_number, "authorization number"))
        )
    codes = [_icd(code, "diagnosis") for code in claim.diagnosis_codes[:12]]
    segments.append(
        _segment("HI", f"ABK{COMPONENT}{codes[0]}", *(f"ABF{COMPONENT}{c}" for c in codes[1:]))
    )
    segments.append(
        _segment(
            "NM1",
            "82",
            "1",
            text(provider.attending_family_name, "rendering family name"),
            text(provider.attending_given_name, "rendering given name", max_length=35),
            "",
            "",
            "",
            "XX",
            identifier(provider.attending_npi, "rendering NPI"),
        )
    )
    for number, line in enumerate(claim.lines, start=1):
        segments.append(_segment("LX", str(number)))
        segments.append(
            _segment(
                "SV1",
                f"HC{COMPONENT}{identifier(line.hcpcs, 'HCPCS code')}",
                money(line.amount * line.units),
                "UN",
                str(line.units),
                "",
                "",
                "1",
            )
        )
        segments.append(_segment("DTP", "472", "D8", _d8(line.service_date)))
    return segments
