"""Who must co-sign a note (CLINICAL.md §5.1: "co-signature where required")."""

from openiop.accounts.models import User
from openiop.programs import access as programs
from openiop.programs.models import Program


def needs_cosignature(author: User, program: Program | None) -> bool:
    """Supervisees and peer specialists, where the program requires a co-signature."""
    if program is None or not program.requires_cosignature:
        return False
    return author.supervisor_id is not None or author.discipline == User.Discipline.PEER_SPECIALIST


def may_cosign(user: User, author: User, program: Program | None) -> bool:
    """The author's supervisor; without one, a director of the program."""
    if user.pk == author.pk:
        return False
    if author.supervisor_id is not None:
        return user.pk == author.supervisor_id
    return program is not None and programs.is_director(user, program.pk)
