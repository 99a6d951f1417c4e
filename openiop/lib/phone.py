"""Phone numbers: parsed on the way in, stored as E.164, shown the way people write them.

Validation asks whether a number is *possible* (right length for its country), not *valid*
(in a range the numbering plan has assigned). 555-0100 to 555-0199 are the numbers NANPA
reserves for fiction, which the demo and the tests use, and `phonenumbers` calls them
invalid; its metadata also lags behind newly assigned ranges, and refusing a participant's
real call-back number in the middle of joining a session is worse than storing an unusual one.

The text typed is checked before parsing because `phonenumbers` quietly drops characters it
does not understand: "555\u200b555-0100" or "<b>555-555-0100</b>" would otherwise be stored as a
clean number while the page kept showing something else.
"""

import re
from typing import TYPE_CHECKING, Any

import phonenumbers
from django import forms
from django.apps import apps
from django.conf import settings
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import connections
from phonenumber_field import formfields, modelfields
from phonenumber_field.phonenumber import PhoneNumber, to_python

PHONE_MESSAGE = "Enter a phone number like 555-555-0100 or +1 555 555 0100."

# Digits with the usual separators and an optional leading "+". No extensions: E.164 has no
# place for one, and a call-back number must ring the person directly.
TYPED_PHONE = re.compile(r"\+?\(?[0-9][0-9 ().\-]*")
E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def is_possible(number: PhoneNumber) -> bool:
    """True for a number whose typed form is plain and whose length fits its country."""
    raw = number.raw_input or ""
    if raw and not TYPED_PHONE.fullmatch(raw.strip()):
        return False
    return bool(number.country_code) and phonenumbers.is_possible_number(number)


def e164_or_none(text: str) -> str | None:
    """The E.164 form of a typed number, or None when it is not plainly a possible number."""
    if not TYPED_PHONE.fullmatch(text.strip()):
        return None
    try:
        number = PhoneNumber.from_string(text.strip())
    except phonenumbers.NumberParseException:
        return None
    return number.as_e164 if is_possible(number) else None


def stored_text(value: Any) -> str:
    """The text a phone column holds, whatever the field made of it on the way out."""
    if isinstance(value, PhoneNumber):
        return value.raw_input or value.as_e164
    return str(value or "")


def rewrite_as_e164(queryset: Any, fields: tuple[str, ...]) -> None:
    """Rewrite stored numbers as E.164 (for data migrations); the rest stay as they were."""
    for row in queryset.values("pk", *fields):
        changes = {}
        for field in fields:
            stored = stored_text(row[field])
            if stored and (e164 := e164_or_none(stored)) and e164 != stored:
                changes[field] = e164
        if changes:
            queryset.filter(pk=row["pk"]).update(**changes)


def legacy_phones(queryset: Any, fields: tuple[str, ...]) -> list[tuple[Any, str]]:
    """(code, field) of each stored value that is not E.164: typed before parsing existed.
    Rows without a code (e.g. a safety plan's lines) are named by their id."""
    names = {f.name for f in queryset.model._meta.get_fields()}
    key = "code" if "code" in names else "pk"
    found = []
    for row in queryset.values(key, *fields):
        for field in fields:
            stored = stored_text(row[field])
            if stored and not E164.fullmatch(stored):
                found.append((row[key], field))
    return found


@checks.register(checks.Tags.database)
def check_stored_phones(databases: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """`manage.py check --database default`: numbers the E.164 migration had to leave as typed.

    Rows are named by their code, never by the number, so the output is safe to paste. Tables
    not created yet are skipped: `migrate` runs database checks before it migrates.
    """
    messages: list[checks.CheckMessage] = []
    for alias in databases or []:
        tables = set(connections[alias].introspection.table_names())
        for model in apps.get_models():
            fields = tuple(f.name for f in model._meta.get_fields() if isinstance(f, PhoneField))
            if not fields or model._meta.db_table not in tables:
                continue
            rows = model._default_manager.using(alias).all()
            for code, field in legacy_phones(rows, fields):
                messages.append(
                    checks.Warning(
                        f"{model._meta.label} {code}: {field} is not a phone number in E.164 form.",
                        hint="Open the record and re-enter the number.",
                        obj=model,
                        id="openiop.W001",
                    )
                )
    return messages


def validate_possible_phone(value: Any) -> None:
    number = to_python(value)
    if isinstance(number, PhoneNumber) and not is_possible(number):
        raise ValidationError(PHONE_MESSAGE, code="invalid")


def display_phone(value: Any) -> str:
    """National format for numbers of the default region, international for the rest.

    A legacy value that does not parse is shown as stored.
    """
    if not value:
        return ""
    number = to_python(value)
    if not isinstance(number, PhoneNumber) or not number.country_code:
        return str(value)
    region = getattr(settings, "PHONENUMBER_DEFAULT_REGION", None)
    if region in phonenumbers.region_codes_for_country_code(number.country_code):
        return number.as_national
    return number.as_international


class PhoneInput(forms.TextInput):
    """A tel input that shows a stored number nationally and typed text exactly as typed."""

    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "tel", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, PhoneNumber):
            return display_phone(value)
        return super().format_value(value)


class PhoneFormField(formfields.PhoneNumberField):
    default_validators = [validate_possible_phone]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PhoneInput())
        kwargs["error_messages"] = {**kwargs.get("error_messages", {}), "invalid": PHONE_MESSAGE}
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str) and value.strip() and not TYPED_PHONE.fullmatch(value.strip()):
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        number = super().to_python(value)
        if isinstance(number, PhoneNumber) and not is_possible(number):
            raise ValidationError(PHONE_MESSAGE, code="invalid")
        return number


class PhoneField(modelfields.PhoneNumberField):
    """A phone number stored as E.164 whenever it is possible (see the module docstring)."""

    if TYPE_CHECKING:
        # phonenumber_field ships no types: say what assigning and reading the attribute gives.
        def __get__(self, instance: Any, owner: Any) -> Any: ...
        def __set__(self, instance: Any, value: str | PhoneNumber) -> None: ...

    default_validators = [validate_possible_phone]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        super().__init__(*args, **kwargs)

    def get_prep_value(self, value: Any) -> Any:
        number = to_python(value, region=self.region) if isinstance(value, str) else value
        if not number:
            return number if number is not None else value
        if isinstance(number, PhoneNumber) and number.country_code and is_possible(number):
            return number.as_e164
        return number.raw_input if isinstance(number, PhoneNumber) else str(number)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        return super().formfield(**{"form_class": PhoneFormField, **kwargs})
