"""Report clinical seats held by people who may not hold them (programs/eligibility.py).

Rows made before seats were validated, or written past validation (raw SQL, a restored backup),
grant nothing: every access check asks the same rule. This command finds them so a director can
remove them. It prints codes and roles only, never names.
"""

from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from openiop.participants import seat_checks
from openiop.participants.models import CareTeamMember
from openiop.programs.eligibility import Seat, may_hold, why_not
from openiop.programs.models import GroupFacilitator, ProgramMembership


def bad_seats() -> Iterator[str]:
    on_call = ProgramMembership.objects.filter(
        role__in=[ProgramMembership.Role.ON_CALL, ProgramMembership.Role.DIRECTOR]
    ).select_related("user", "program")
    for membership in on_call.order_by("pk"):
        user, program = membership.user, membership.program
        if membership.role == ProgramMembership.Role.ON_CALL:
            if not may_hold(user, Seat.ON_CALL, program):
                yield (
                    f"on-call: program {program.code}, user {user.code} ({user.role}): "
                    f"{why_not(user, Seat.ON_CALL, program)}"
                )
        elif user.role != user.Role.PROGRAM_DIRECTOR:
            yield f"director: program {program.code}, user {user.code} ({user.role})"
    facilitators = GroupFacilitator.objects.select_related("clinician", "group__track__program")
    for seat in facilitators.order_by("pk"):
        program = seat.group.track.program
        if not may_hold(seat.clinician, Seat.FACILITATOR, program):
            yield (
                f"facilitator: group {seat.group.code}, user {seat.clinician.code} "
                f"({seat.clinician.role}): {why_not(seat.clinician, Seat.FACILITATOR, program)}"
            )
    members = CareTeamMember.objects.select_related("clinician", "participant__program")
    for member in members.order_by("pk"):
        chart_program = member.participant.program
        if not may_hold(member.clinician, Seat.CARE_TEAM, chart_program):
            yield (
                f"care team: participant {member.participant.code}, user "
                f"{member.clinician.code} ({member.clinician.role}): "
                f"{why_not(member.clinician, Seat.CARE_TEAM, chart_program)}"
            )
    # Seats kept by higher apps (the on-call rota in safety).
    for check in seat_checks.registered():
        yield from check()


class Command(BaseCommand):
    help = "List care-team, facilitator and on-call seats held by people who may not hold them."

    def handle(self, *args: Any, **options: Any) -> None:
        problems = list(bad_seats())
        for line in problems:
            self.stdout.write(line)
        if problems:
            raise CommandError(
                f"{len(problems)} seat(s) held by people who may not hold them; they grant "
                "no access. Remove them in the admin or on the chart's care team."
            )
        self.stdout.write("Every clinical seat is held by clinical staff.")
