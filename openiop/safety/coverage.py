"""Is every hour of the week covered by the on-call rota? (Seam: the rota helper fills it.)

`gaps(program, week_of)` lists the stretches of the week starting on the Monday of `week_of`
(in the program's zone) that nobody covers, counting overrides and only people who hold the
on-call seat; `overlaps` lists stretches covered twice by the weekly pattern.
"""

from dataclasses import dataclass
from datetime import date, datetime

from openiop.programs.models import Program


@dataclass(frozen=True)
class Stretch:
    starts_at: datetime
    ends_at: datetime


def gaps(program: Program, week_of: date) -> list[Stretch]:
    return []


def overlaps(program: Program, week_of: date) -> list[Stretch]:
    return []
