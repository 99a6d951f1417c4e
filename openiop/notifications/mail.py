"""The demo's email backend: Django's console backend with the recipients masked.

The demo sends mail to the console, and the worker's console goes to var/worker.log. The mail
itself carries no PHI (DESIGN.md rule 5), but its recipients are participants' addresses:
they are written as ``***@domain``, like the SMS console backend writes ``***00``.
"""

from email.utils import getaddresses
from typing import Any

from django.core.mail.backends.console import EmailBackend

RECIPIENT_HEADERS = ("To", "Cc", "Bcc", "Reply-To")


def mask_addresses(header: str) -> str:
    return ", ".join(
        f"***@{address.rpartition('@')[2]}" for _, address in getaddresses([header]) if address
    )


class MaskedConsoleBackend(EmailBackend):
    def write_message(self, message: Any) -> None:
        msg = message.message()
        for header in RECIPIENT_HEADERS:
            if header in msg:
                msg.replace_header(header, mask_addresses(str(msg[header])))
        charset = msg.get_charset().get_output_charset() if msg.get_charset() else "utf-8"
        self.stream.write(f"{msg.as_bytes().decode(charset)}\n")
        self.stream.write("-" * 79 + "\n")
