"""The gate to a program's on-call rota and safety policy: its directors only.

The page names staff and their shifts, no participant, so it records no read. Everyone else,
an intake coordinator or a clinician of the same program included, gets the same 404 as for a
program that does not exist.
"""

import uuid

from django.http import Http404

from openiop.accounts.models import User
from openiop.lib.access import Access, Granted
from openiop.programs import access as programs
from openiop.programs.models import Program


def _program(ref: str) -> Program:
    """A program by its code (a UUID) or its id."""
    try:
        if ref.isdigit():
            return Program.objects.get(pk=int(ref))
        return Program.objects.get(code=uuid.UUID(ref))
    except (Program.DoesNotExist, ValueError, OverflowError) as exc:
        raise Http404 from exc


def get_rota_for_director(user: User, ref: str) -> Granted[Program]:
    """The program whose rota `user` directs (WRITE), or 404."""
    program = _program(ref)
    if not programs.is_director(user, program.pk):
        raise Http404
    return Granted(program, Access.WRITE)
