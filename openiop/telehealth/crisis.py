"""In-session crisis (issue 10, item 8): what the facilitators' panel shows about safety.

Reads only. The waiting list shows each person's open safety alerts and their acuity before
anyone is admitted; a participant in the room gets a **crisis card** when they pressed
"I need help", when they dropped out of the room during an open emergency alert, or while they
are in the private room with an open alert: where they said they are, their phone numbers, the
emergency contact, call links, the active safety plan and a one-click move to the private room.
Every list is one query for the whole session, whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Subquery

from openiop.accounts.models import User
from openiop.safety.access import alerts_for_user
from openiop.safety.models import Acuity, SafetyAlert, SafetyPlan

from .models import Attendance, PresenceEvent
from .schedule import SessionInfo

GONE = (PresenceEvent.Kind.LOST.value, PresenceEvent.Kind.LEFT.value)

# Which number a call link dials: the audit and the timeline name it by this code.
NUMBERS = {
    "callback": "Call-back number given for this session",
    "mobile": "Phone on the chart",
    "emergency_contact": "Emergency contact",
}


@dataclass
class CrisisCard:
    attendance: Attendance
    help: bool
    disconnected: bool
    alerts: list[SafetyAlert]
    plan: SafetyPlan | None = None
    plan_url: str = ""
    numbers: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def participant(self) -> Any:
        return self.attendance.participant


def session_people(info: SessionInfo) -> QuerySet[Attendance]:
    """The session's attendances, each with its last presence event (kind and time)."""
    last = PresenceEvent.objects.filter(attendance=OuterRef("pk")).order_by("-at", "-id")
    return (
        Attendance.objects.filter(session_code=info.code)
        .select_related("participant", "breakout_with")
        .annotate(
            last_event=Subquery(last.values("kind")[:1]),
            last_event_at=Subquery(last.values("at")[:1]),
        )
        .order_by("waiting_since")
    )


def open_alerts(participant_ids: list[int], user: User) -> dict[int, list[SafetyAlert]]:
    """Open alerts of these participants, most urgent first, in one query.

    Each carries `receives`: whether `user` receives it (may open the alert page); the
    facilitators see every alert's acuity and kind, the link only when it leads somewhere.
    """
    by_participant: dict[int, list[SafetyAlert]] = {pk: [] for pk in participant_ids}
    if not participant_ids:
        return by_participant
    received = alerts_for_user(user).filter(pk=OuterRef("pk"))
    alerts = (
        SafetyAlert.objects.filter(
            participant_id__in=participant_ids, status=SafetyAlert.Status.OPEN
        )
        .annotate(receives=Exists(received))
        .order_by("-acuity", "opened_at", "id")
    )
    for alert in alerts:
        by_participant[alert.participant_id].append(alert)
    return by_participant


def is_emergency(alerts: list[SafetyAlert]) -> bool:
    return any(a.acuity >= Acuity.EMERGENCY for a in alerts)


def crisis_cards(
    admitted: list[Attendance], alerts: dict[int, list[SafetyAlert]]
) -> list[CrisisCard]:
    cards = []
    for item in admitted:
        mine = alerts.get(item.participant_id, [])
        disconnected = getattr(item, "last_event", None) in GONE and is_emergency(mine)
        if item.needs_help or disconnected or (item.in_breakout and mine):
            cards.append(
                CrisisCard(
                    attendance=item, help=item.needs_help, disconnected=disconnected, alerts=mine
                )
            )
    if not cards:
        return cards
    plans = {
        plan.participant_id: plan
        for plan in SafetyPlan.objects.filter(
            participant_id__in=[c.attendance.participant_id for c in cards],
            status=SafetyPlan.Status.ACTIVE,
        )
    }
    for card in cards:
        card.plan = plans.get(card.attendance.participant_id)
        card.plan_url = _plan_url(card.plan)
        card.numbers = _numbers(card.attendance)
    return cards


def _plan_url(plan: SafetyPlan | None) -> str:
    return plan.get_absolute_url() if plan is not None else ""


def _numbers(item: Attendance) -> list[tuple[str, str, str]]:
    """(code, label, number) for each number to call, the one given today first."""
    person = item.participant
    numbers = [("callback", NUMBERS["callback"], item.callback_phone)]
    if person.phone and person.phone != item.callback_phone:
        numbers.append(("mobile", NUMBERS["mobile"], person.phone))
    if person.emergency_contact_phone:
        numbers.append(
            ("emergency_contact", NUMBERS["emergency_contact"], person.emergency_contact_phone)
        )
    return [n for n in numbers if n[2]]


def staff_choices(info: SessionInfo, acting_user: User) -> tuple[list[User], int]:
    """The session's staff who can join a private room, and who is chosen by default: a
    co-facilitator other than the person clicking, else the person clicking."""
    staff = list(
        User.objects.filter(pk__in=info.facilitator_ids, is_active=True).order_by(
            "given_name", "family_name", "pk"
        )
    )
    default = next(
        (u.pk for u in staff if u.pk in info.co_facilitator_ids and u.pk != acting_user.pk),
        acting_user.pk,
    )
    return staff, default
