from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from openiop.lib import x12


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("José Núñez-O'Brien", "JOSE NUNEZ-O'BRIEN"),
        ("  Harbor   Behavioral\tHealth ", "HARBOR BEHAVIORAL HEALTH"),
        ("Zoë", "ZOE"),
        ("Straße", "STRASSE"),
        ("", ""),
    ],
)
def test_fold_drops_accents_upper_cases_and_collapses_spaces(value, expected):
    assert x12.fold(value) == expected


@pytest.mark.parametrize("value", ["Lind*qvist", "A:B", "A^B", "A~B"])
def test_text_refuses_a_delimiter_naming_the_field_not_the_value(value):
    with pytest.raises(x12.X12ValueError) as caught:
        x12.text(value, "patient family name")
    assert caught.value.field_name == "patient family name"
    assert str(caught.value) == "patient family name: contains an X12 delimiter (* : ^ ~)"
    assert value not in str(caught.value)


@pytest.mark.parametrize("value", ["Παναγιώτα", "李", "Ø", "Tab\\slash", "a{b}", "<x>"])
def test_text_refuses_characters_outside_the_basic_set(value):
    with pytest.raises(x12.X12ValueError, match="contains characters X12 cannot carry"):
        x12.text(value, "given name")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1 Main St, Suite #2", "1 MAIN ST, SUITE #2"),
        (
            'Dr. "Rosa" (PsyD) & co.; 50% @ $10 = ok? +/-',
            'DR. "ROSA" (PSYD) & CO.; 50% @ $10 = OK? +/-',
        ),
    ],
)
def test_text_keeps_the_basic_character_set(value, expected):
    assert x12.text(value, "address") == expected


def test_text_cuts_to_the_element_length_without_a_trailing_space():
    assert x12.text("abcd efgh", "name", max_length=5) == "ABCD"


def test_text_refuses_an_empty_value_unless_optional():
    with pytest.raises(x12.X12ValueError, match="city: is empty"):
        x12.text("   ", "city")
    assert x12.text("", "city", required=False) == ""


@pytest.mark.parametrize(
    ("value", "expected"), [(" abc-123 ", "ABC-123"), ("1234567893", "1234567893")]
)
def test_identifier_upper_cases_letters_digits_and_hyphens(value, expected):
    assert x12.identifier(value, "member id") == expected


@pytest.mark.parametrize("value", ["", "ABC 123", "ABC*1", "É1", "A" * 81])
def test_identifier_refuses_anything_else(value):
    with pytest.raises(x12.X12ValueError, match="member id: may hold only letters"):
        x12.identifier(value, "member id")


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("150.00"), "150"),
        (Decimal("150.50"), "150.5"),
        (Decimal("0.05"), "0.05"),
        (Decimal("99.999"), "100"),
        (Decimal("1000"), "1000"),
    ],
)
def test_money_has_no_trailing_zeros(amount, expected):
    assert x12.money(amount) == expected


def _provider(**changes: str) -> x12.Provider:
    values = {
        "name": "Harbor Behavioral Health",
        "npi": "1234567893",
        "tax_id": "12-3456789",
        "address": "1 Main St",
        "city": "Albany",
        "state": "NY",
        "postal_code": "12207-0001",
        "contact_name": "Billing Office",
        "contact_phone": "5185550100",
        "submitter_id": "HARBOR01",
        "attending_family_name": "Alvarez",
        "attending_given_name": "Rosa",
        "attending_npi": "1245319599",
    }
    return x12.Provider(**(values | changes))


def _claim() -> x12.Claim:
    return x12.Claim(
        control_number="1-1",
        payer_name="Acme Health",
        payer_id="87726",
        filing_indicator="CI",
        subscriber_family_name="Lindqvist",
        subscriber_given_name="Patricia",
        member_id="ABC123",
        group_number="G100",
        subscriber_birth_date=date(1990, 4, 2),
        subscriber_sex="F",
        address="12 Elm St",
        city="Troy",
        state="NY",
        postal_code="12180",
        relationship="18",
        patient_family_name="Lindqvist",
        patient_given_name="Patricia",
        patient_birth_date=date(1990, 4, 2),
        patient_sex="F",
        diagnosis_codes=["F33.1"],
        authorization_number="AUTH-1",
        lines=[x12.Line(date(2026, 11, 2), "0905", "S9480", Decimal("150.00"))],
    )


def _batch(provider: x12.Provider, version: str = x12.INSTITUTIONAL) -> str:
    return x12.batch(
        [_claim()],
        provider=provider,
        receiver_id="87726",
        receiver_name="Acme Health",
        control_number=7,
        created_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        version=version,
    )


def test_a_batch_writes_folded_text_and_trims_empty_trailing_elements():
    text = _batch(_provider(attending_family_name="Núñez"))
    assert "NM1*71*1*NUNEZ*ROSA****XX*1245319599~" in text
    assert "HI*ABK:F331~" in text  # ICD-10-CM without its dot
    assert "N4*ALBANY*NY*122070001~" in text
    assert all(not line.endswith("*~") for line in text.splitlines())


def test_a_batch_refuses_a_provider_value_it_cannot_carry():
    with pytest.raises(x12.X12ValueError, match="provider name: contains an X12 delimiter"):
        _batch(_provider(name="Harbor*Health"))
    with pytest.raises(x12.X12ValueError, match="provider ZIP code: must be a 9-digit ZIP"):
        _batch(_provider(postal_code="12207"))


def test_a_batch_needs_claims_and_a_known_version():
    with pytest.raises(ValueError, match="at least one claim"):
        x12.batch(
            [],
            provider=_provider(),
            receiver_id="X",
            receiver_name="X",
            control_number=1,
            created_at=datetime(2026, 12, 1, tzinfo=UTC),
        )
    with pytest.raises(ValueError, match="unknown 837 version"):
        _batch(_provider(), version="004010")
