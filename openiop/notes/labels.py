"""The 42 CFR Part 2 label of a note (CLINICAL.md §6.5, item 7: data stays identifiable as
Part 2 so the disclosure rules can be applied).

A note is a Part 2 record when it documents a service of a Part 2 program: its session's
program, or (for a note without a session) the chart's program. A participant of a Part 2
program seen in a session of another program is labelled too: the record identifies them as a
patient of the Part 2 program either way.
"""

from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.scheduling.models import Session


def _is_part2(program: Program | None) -> bool:
    return program is not None and program.part2_program


def note_is_part2(participant: Participant, session: Session | None = None) -> bool:
    """Whether a note written now for `participant` (of `session`) carries the Part 2 label."""
    if session is not None and _is_part2(session.program):
        return True
    return _is_part2(participant.program)
