"""Whether two people's details suggest the same person: pure functions on plain values.

Two rules, each named by a code that decisions and audit events record:

- `name_and_birth_date`: the same date of birth, the same family name, and a given or preferred
  name of one equal to a given or preferred name of the other. Names are compared by `name_key`,
  so case, accents, surrounding spaces, hyphens and apostrophes do not tell people apart.
- `phone` / `email`: the same phone number (E.164, `openiop.lib.phone`) or the same email
  (`openiop.lib.text.normalize_email`).

The rules suggest; a person decides (docs/intake.md, "Duplicate detection").
"""

import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from openiop.lib.phone import e164_or_none, stored_text
from openiop.lib.text import normalize_email

NAME_AND_BIRTH_DATE = "name_and_birth_date"
PHONE = "phone"
EMAIL = "email"
RULES = (NAME_AND_BIRTH_DATE, PHONE, EMAIL)
RULE_LABELS = {
    NAME_AND_BIRTH_DATE: "name and date of birth",
    PHONE: "phone number",
    EMAIL: "email address",
}

# Characters that only join or separate parts of a name: "Mary-Jane", "Mary Jane", "MaryJane",
# "O'Brien" and "OBrien" compare equal.
_SEPARATORS = frozenset(" -\u2010\u2011\u2012\u2013\u2014\u2015\u2212'\u2019\u02bc.`\u00b4")


def name_key(name: str) -> str:
    """The form a name is compared in: NFKD without combining marks, case-folded, and without
    spaces, hyphens, dashes, apostrophes or full stops."""
    decomposed = unicodedata.normalize("NFKD", name or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    folded = unicodedata.normalize("NFKC", letters).casefold()
    return "".join(c for c in folded if c not in _SEPARATORS and not c.isspace())


def phone_key(value: Any) -> str:
    """E.164, or "" when there is no plainly possible number."""
    text = stored_text(value).strip()
    if not text:
        return ""
    return e164_or_none(text) or ""


def email_key(value: str | None) -> str:
    return normalize_email(value) if value and value.strip() else ""


@dataclass(frozen=True)
class Person:
    """The details the rules look at, from a form or from a chart."""

    given_name: str
    family_name: str
    date_of_birth: date | None
    preferred_name: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def of(cls, source: Any) -> "Person":
        """From a chart or from a dict of a participant form's cleaned data."""

        def get(name: str) -> Any:
            if isinstance(source, dict):
                return source.get(name)
            return getattr(source, name, None)

        return cls(
            given_name=get("given_name") or "",
            family_name=get("family_name") or "",
            preferred_name=get("preferred_name") or "",
            date_of_birth=get("date_of_birth"),
            phone=phone_key(get("phone")),
            email=email_key(get("email")),
        )

    @property
    def first_name_keys(self) -> set[str]:
        return {k for k in (name_key(self.given_name), name_key(self.preferred_name)) if k}


@dataclass(frozen=True)
class Match:
    """An existing chart the details matched, by which rules, and whether the person asking may
    see it (a chart they cannot open is never described to them)."""

    participant: Any
    rules: tuple[str, ...]
    visible: bool


@dataclass(frozen=True)
class Answer:
    """A person's answer to the duplicate prompt.

    `compared` holds the codes of the charts they were shown and `hidden` how many charts they
    could not open were counted; a different-person answer covers only those, so a chart that
    starts to match after the prompt (a colleague's save, an edited name) prompts again.
    """

    decision: str
    reason: str = ""
    same_as: str = ""
    compared: frozenset[str] = frozenset()
    hidden: int = 0

    def covers(self, matches: "list[Match]") -> bool:
        shown = {str(m.participant.code) for m in matches if m.visible}
        hidden = sum(1 for m in matches if not m.visible)
        return shown <= self.compared and hidden <= self.hidden


def rules_matched(new: Person, existing: Person) -> tuple[str, ...]:
    """The codes of the rules by which `new` may be `existing`, in RULES order."""
    matched = []
    if (
        new.date_of_birth is not None
        and new.date_of_birth == existing.date_of_birth
        and name_key(new.family_name)
        and name_key(new.family_name) == name_key(existing.family_name)
        and new.first_name_keys & existing.first_name_keys
    ):
        matched.append(NAME_AND_BIRTH_DATE)
    if new.phone and new.phone == existing.phone:
        matched.append(PHONE)
    if new.email and new.email == existing.email:
        matched.append(EMAIL)
    return tuple(matched)
