import pytest
from django import forms

from openiop.lib.phone import (
    PHONE_MESSAGE,
    PhoneFormField,
    display_phone,
    e164_or_none,
    stored_text,
)


class PhoneForm(forms.Form):
    phone = PhoneFormField()


def clean(text: str):
    form = PhoneForm({"phone": text})
    return form.cleaned_data["phone"] if form.is_valid() else form.errors["phone"]


@pytest.mark.parametrize(
    "typed", ["555-555-0100", "(555) 555-0100", "+1 555 555 0100", "555.555.0100", "5555550100"]
)
def test_it_reads_us_numbers_as_typed_and_keeps_e164(typed):
    assert clean(typed).as_e164 == "+15555550100"


def test_it_accepts_the_numbers_reserved_for_fiction_and_real_ones():
    # 555-0100..0199 are fictional (NANPA); `phonenumbers` calls them invalid, but possible.
    assert clean("555-555-0199").as_e164 == "+15555550199"
    assert clean("(212) 555-0123").as_e164 == "+12125550123"
    assert clean("+44 20 7946 0000").as_e164 == "+442079460000"


@pytest.mark.parametrize(
    "typed",
    [
        "555-555-0100\u202e",
        "555\u200b555-0100",
        "<b>555-555-0100</b>",
        "555-555-0100 x12",
        "1-800-FLOWERS",
        "12345",
        "+1 555 555 0100 555",
        "５５５-５５５-０１００",
    ],
)
def test_it_refuses_anything_but_a_plain_possible_number(typed):
    assert clean(typed) == [PHONE_MESSAGE]


def test_it_shows_home_numbers_nationally_and_others_internationally():
    assert display_phone("+15555550100") == "(555) 555-0100"
    assert display_phone("+442079460000") == "+44 20 7946 0000"
    assert display_phone("") == ""


def test_a_legacy_value_that_does_not_parse_is_shown_as_stored():
    assert display_phone("call the front desk") == "call the front desk"


def test_e164_or_none_leaves_what_it_cannot_read():
    assert e164_or_none(" (555) 555-0100 ") == "+15555550100"
    assert e164_or_none("555\u200b555-0100") is None
    assert e164_or_none("ask Ana") is None


def test_stored_text_is_the_column_text():
    assert stored_text(None) == ""
    assert stored_text(clean("555-555-0100")) == "555-555-0100"
