"""Who may hold a clinical seat: a care-team place, a group facilitator's chair, the on-call rota.

A seat grants access (charts, rosters, safety alerts, the facilitator's view of a video room), so
the rule is about the person, not only about the row that seats them: an administrator or a
participant account that somehow sits in a seat still gets nothing from it. Validation of the
seat rows and every access check that trusts a seat both ask here.

- Clinical staff are active clinicians and program directors with a clinical discipline.
- Peer specialists sit on care teams and co-facilitate only in programs that allow it.
- The on-call rota answers safety alerts, so it takes licensed-discipline clinicians only,
  never peer specialists.
"""

import enum
from typing import TYPE_CHECKING

from django.db.models import Q

from openiop.accounts.models import User

if TYPE_CHECKING:
    # The seat models validate themselves with this module, so it cannot import them back.
    from openiop.programs.models import Program

CLINICAL_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)


class Seat(enum.Enum):
    # How a message names the seat: "cannot be on a care team".
    CARE_TEAM = "on a care team"
    FACILITATOR = "a group facilitator"
    ON_CALL = "on the on-call rota"


def is_clinical_staff(user: User) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.role in CLINICAL_ROLES
        and bool(user.discipline)
    )


def may_hold(user: User, seat: Seat, program: "Program | None") -> bool:
    """Whether `user` may hold `seat` in `program` (None: a chart not yet in a program)."""
    if not is_clinical_staff(user):
        return False
    if user.discipline != User.Discipline.PEER_SPECIALIST:
        return True
    if seat is Seat.ON_CALL:
        return False
    return program is not None and program.peer_specialists_allowed


def why_not(user: User, seat: Seat, program: "Program | None") -> str:
    """The message a form shows when `may_hold` says no."""
    if user.is_participant:
        return f"A participant cannot be {seat.value}."
    if not is_clinical_staff(user):
        return (
            f"Only clinicians and program directors with a clinical discipline can be {seat.value}."
        )
    if seat is Seat.ON_CALL:
        return "Peer specialists cannot be on the on-call rota: it answers safety alerts."
    return f"In this program, peer specialists cannot be {seat.value}."


def seat_programs(user: User, seat: Seat, program_path: str) -> Q:
    """A filter on rows reached through `program_path` (e.g. "participant__program") that keeps
    only those where `user` may hold `seat`; empty when the user holds no clinical seat at all."""
    if not is_clinical_staff(user):
        return Q(pk__in=[])
    if user.discipline != User.Discipline.PEER_SPECIALIST:
        return Q()
    if seat is Seat.ON_CALL:
        return Q(pk__in=[])
    return Q(**{f"{program_path}__peer_specialists_allowed": True})
