"""The languages a person can read OpenIOP in, and which one a request is shown in.

`settings.LANGUAGES` lists them. A signed-in person's choice is stored on their account
(`User.language`) and wins over the browser; before sign-in, Django's LocaleMiddleware reads
the language cookie the switch sets, then the browser's Accept-Language. Participant pages are
translated in full; staff pages are wrapped for translation as they are touched, and show the
English text until a catalogue holds theirs (docs/i18n.md).
"""

from typing import Any

from django.conf import settings
from django.utils.translation import get_language_info

DEFAULT = "en"


def codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def is_supported(code: str) -> bool:
    return code in codes()


def choices() -> list[tuple[str, str]]:
    """Each language named in itself ("English", "Español"): a reader of the other language
    must still recognise their own in the switch."""
    return [(code, get_language_info(code)["name_local"].capitalize()) for code in codes()]


def name_in_english(code: str) -> str:
    """For staff reading a participant's language on the chart."""
    return get_language_info(code)["name"] if is_supported(code) else code


def for_user(user: Any) -> str:
    """The language to write to `user` in (a reminder, a notice): their account's, else the
    site's default. None (a participant without a portal account yet) gets the default."""
    language = getattr(user, "language", "") if user is not None else ""
    return language if is_supported(language) else settings.LANGUAGE_CODE
