"""A logging filter that takes email addresses and phone numbers out of log records.

Code logs ids and codes, never contact details; this filter is the net under that rule, for
messages written by libraries and for exception text (a database error quotes the row it
refused). Installed on the root handler in settings.LOGGING.

Phone-like means 10 to 15 digits with the usual separators, or 8 to 15 after a "+". Dates,
IPv4 addresses, UUIDs and other codes are kept: a run of digits inside a word or a
hyphenated code is not a phone number.
"""

import logging
import re

EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_CANDIDATE = re.compile(r"(?<![\w.+/-])\+?\(?\d[\d ().-]{5,}\d(?![\w-])")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IPV4 = re.compile(r"(?<!\d)\d{1,3}(?:\.\d{1,3}){3}(?!\d)")

_traceback_formatter = logging.Formatter()


def _phone(match: re.Match[str]) -> str:
    text = match.group()
    if DATE.search(text) or IPV4.search(text):
        return text
    digits = sum(character.isdigit() for character in text)
    fewest = 8 if text.startswith("+") else 10
    return "[phone]" if fewest <= digits <= 15 else text


def redact(text: str) -> str:
    return PHONE_CANDIDATE.sub(_phone, EMAIL.sub("[email]", text))


class RedactContactDetails(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # Arguments that do not fit the format: keep the format, drop the arguments.
            message = f"{record.msg} [arguments dropped]"
        record.msg = redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _traceback_formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True
