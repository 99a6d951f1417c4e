"""Charts without a login, to invite (shared by the invitation tests and the matrix rows)."""

import re
from datetime import date
from typing import Any

from django.core import mail

from openiop.participants.models import Participant
from openiop.programs.models import Program

LINK = re.compile(r"https?://[^\s]+/welcome/([A-Za-z0-9_-]+)/")


def new_chart(program: Program, *, email: str = "robin@example.org", phone: str = "") -> Any:
    return Participant.objects.create(
        program=program,
        given_name="Robin",
        family_name="Okafor",
        date_of_birth=date(2010, 6, 1),
        home_state="NY",
        timezone="America/New_York",
        email=email,
        phone=phone,
    )


def token_in_mail(index: int = -1) -> str:
    match = LINK.search(str(mail.outbox[index].body))
    assert match, "no invitation link in the email"
    return match.group(1)
