"""Demo right-of-access requests (synthetic): one open and due in 12 days, one overdue.

`load_access_request_demo(program, today=...)` logs them through the real actions, as the
program's intake coordinator (or director), against the program's first two participants with
a portal account. Call it after `core.demo.load`."""

from datetime import date, timedelta

from openiop.accounts.models import User
from openiop.consent.access_requests import actions
from openiop.consent.models import ACCESS_REQUEST_DAYS, AccessRequest
from openiop.participants.models import Participant
from openiop.programs.models import Program


def load_access_request_demo(program: Program, *, today: date) -> list[AccessRequest]:
    handler = (
        User.objects.filter(
            program_memberships__program=program,
            role__in=[User.Role.INTAKE_COORDINATOR, User.Role.PROGRAM_DIRECTOR],
        )
        .order_by("role", "id")
        .first()
    )
    participants = list(
        Participant.objects.filter(program=program, user__isnull=False).order_by("id")[:2]
    )
    if handler is None or len(participants) < 2:
        return []
    due_soon = actions.create_request(
        participants[0],
        requester_name="Jordan Avery, Avery & Lin LLP (demo)",
        requester_kind=AccessRequest.RequesterKind.ATTORNEY,
        received_on=today - timedelta(days=ACCESS_REQUEST_DAYS - 12),
        format=AccessRequest.Format.PDF,
        delivery=AccessRequest.Delivery.SECURE_EMAIL,
        acting_user=handler,
    )
    overdue = actions.create_request(
        participants[1],
        requester_name="Morgan Lee, parent and personal representative (demo)",
        requester_kind=AccessRequest.RequesterKind.REPRESENTATIVE,
        received_on=today - timedelta(days=ACCESS_REQUEST_DAYS + 5),
        format=AccessRequest.Format.BOTH,
        delivery=AccessRequest.Delivery.MAIL,
        acting_user=handler,
    )
    overdue = actions.start(overdue, acting_user=handler)
    return [due_soon, overdue]
