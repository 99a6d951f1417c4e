"""The utilization review packet: a PDF for a payer's continued-stay review (docs/billing.md).

Built from one participant's record only: diagnoses and treatment plans (careplans, through the
designated record), the level-of-care recommendation and the rules that fired (intake), scores
with their change (assessments), attendance and hours (scheduling) and risk (safety, notes).
Every query is filtered by this participant; no other person's name can reach it (a group's
name is the only shared thing it prints, and it prints none).

It leaves OpenIOP, so it goes through the Part 2 gate every staff export passes
(notes.disclosure.for_disclosure, as notes.record does). Unlike a record export, the packet
is refused as a whole when the gate would withhold anything: its attendance, level of care,
risk, alerts and authorizations are not Part 2 labelled rows, yet for a Part 2 participant
each of them tells the payer about their substance use treatment, and a packet with holes
is no use to a reviewer (docs/billing.md). With a Part 2 consent for treatment, payment and
operations in force the whole packet goes out with the §2.32 notice, and the disclosure is
accounted for.
"""

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.models import Response
from openiop.audit.actions import record as record_event
from openiop.audit.reads import record_read
from openiop.billing.access import get_chart_for_ur_packet
from openiop.billing.actions import program_today
from openiop.billing.models import Authorization
from openiop.billing.queries import usage
from openiop.consent import part2
from openiop.consent import queries as consent_queries
from openiop.consent.models import Consent, ConsentKind, Disclosure, Purpose
from openiop.consent.release_actions import record_disclosure
from openiop.intake.models import EpisodeOfCare, LevelOfCareDecision
from openiop.lib.hours import week_start
from openiop.lib.pdf import render_pdf
from openiop.notes import disclosure
from openiop.notes.models import Note
from openiop.notes.record import DesignatedRecord, designated_record
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking
from openiop.scheduling.queries import ledger

TEMPLATE = "billing/ur_packet.html"
WEEKS = 4


@dataclass(frozen=True)
class ScoreChange:
    label: str
    first: Any
    latest: Any
    first_on: Any
    latest_on: Any

    @property
    def change(self) -> Any:
        if isinstance(self.first, int | float) and isinstance(self.latest, int | float):
            return self.latest - self.first
        return None


def _scores(participant: Participant) -> list[ScoreChange]:
    responses = list(
        Response.objects.filter(participant=participant, status=Response.Status.SUBMITTED)
        .select_related("instrument")
        .order_by("submitted_at", "pk")
    )
    firsts: dict[str, tuple[Any, Any, str]] = {}
    latest: dict[str, tuple[Any, Any]] = {}
    for response in responses:
        for key, value in (response.scores or {}).items():
            if not isinstance(value, dict) or value.get("value") is None:
                continue
            name = f"{response.instrument_id}:{key}"
            label = str(value.get("label") or key)
            firsts.setdefault(name, (value["value"], response.submitted_at, label))
            latest[name] = (value["value"], response.submitted_at)
    return [
        ScoreChange(label, first, latest[name][0], first_on, latest[name][1])
        for name, (first, first_on, label) in firsts.items()
    ]


def _attendance(participant: Participant, today: Any) -> dict[str, Any]:
    monday = week_start(today)
    weeks = [ledger(participant, monday - timedelta(weeks=n)) for n in range(WEEKS)]
    counts: dict[str, int] = {}
    for value in (
        Booking.objects.filter(participant=participant, status=Booking.Status.BOOKED)
        .exclude(attendance="")
        .values_list("attendance", flat=True)
    ):
        counts[value] = counts.get(value, 0) + 1
    return {
        "weeks": [(monday - timedelta(weeks=n), week) for n, week in enumerate(weeks)],
        "counts": sorted((Booking.Attendance(k).label, v) for k, v in counts.items()),
    }


class Part2Withheld(Exception):
    """The participant's record holds Part 2 information and no Part 2 consent for treatment,
    payment and operations is in force: no packet may leave."""

    def __init__(self, participant: Participant) -> None:
        super().__init__("withheld under 42 CFR Part 2")
        self.participant = participant


def _gated_record(participant: Participant) -> tuple[DesignatedRecord, Consent | None]:
    """The record through the Part 2 gate, or Part2Withheld when the gate keeps anything back."""
    consent = consent_queries.in_force(participant, ConsentKind.PART2_TPO)
    record, withheld, _included = disclosure.for_disclosure(
        designated_record(participant), consent=consent
    )
    if withheld or record.program_withheld:
        raise Part2Withheld(participant)
    return record, consent


def build(participant: Participant, *, user: User) -> dict[str, Any]:
    """The packet's context, or Part2Withheld (nothing else is read) for a Part 2 participant
    without a Part 2 consent in force."""
    record, consent = _gated_record(participant)
    episode = (
        EpisodeOfCare.objects.filter(participant=participant)
        .select_related("referral")
        .order_by("-admitted_at")
        .first()
    )
    decision = (
        LevelOfCareDecision.objects.filter(referral=episode.referral).first() if episode else None
    )
    fired = (decision.recommendation or {}).get("fired", []) if decision else []
    auths = list(
        Authorization.objects.filter(participant=participant)
        .select_related("participant__program", "coverage__plan__payer")
        .order_by("-starts_on")
    )
    used = usage(auths)
    now = timezone.now()
    latest_risk = (
        Note.objects.filter(participant=participant, status=Note.Status.SIGNED)
        .exclude(risk_status="")
        .order_by("-signed_at")
        .first()
    )
    return {
        "record": record,
        "consent": consent,
        "participant": participant,
        "episode": episode,
        "decision": decision,
        "fired": fired,
        "authorizations": [(a, used[a.pk]) for a in auths],
        "scores": _scores(participant),
        "attendance": _attendance(
            participant,
            program_today(participant.program) if participant.program else timezone.localdate(),
        ),
        "alerts": list(
            SafetyAlert.objects.filter(participant=participant).order_by("-opened_at")[:10]
        ),
        "latest_risk": latest_risk,
        "generated_at": now,
        "prepared_for": user,
    }


def render(context: dict[str, Any], *, zone: str) -> bytes:
    context = {**context, "zone": zone}
    if context["record"].part2_included:
        context |= {
            "part2_notice_title": part2.NOTICE_TITLE,
            "part2_notice": part2.NOTICE,
            "part2_short_notice": part2.SHORT_NOTICE,
        }
    return render_pdf(TEMPLATE, context)


def packet_pdf_for_user(user: User, code: uuid.UUID | str) -> bytes:
    """The gate (billing.access.get_chart_for_ur_packet) and the export. One
    `billing.ur_packet_exported` read, and a Disclosure when Part 2 information leaves.

    Part2Withheld for a Part 2 participant without a Part 2 consent in force, audited as
    `billing.ur_packet_withheld` (denied) with no read recorded, since nothing was shown."""
    participant = get_chart_for_ur_packet(user, code)
    try:
        context = build(participant, user=user)
    except Part2Withheld:
        record_event(
            "billing.ur_packet_withheld",
            acting_user=user,
            participant=participant,
            outcome="denied",
            details={"format": "pdf"},
        )
        raise
    record = context["record"]
    details: dict[str, Any] = {"format": "pdf", "diagnoses": len(record.diagnoses)}
    if record.part2_included:
        details["part2"] = True
    with transaction.atomic():
        record_read(
            "billing.ur_packet_exported", acting_user=user, participant=participant, details=details
        )
        if record.part2_included and context["consent"] is not None:
            record_disclosure(
                participant,
                basis=Disclosure.Basis.CONSENT,
                consent=context["consent"],
                recipient_name=f"{user.display_name} (utilization review packet)",
                purpose=Purpose.PAYMENT,
                format=Disclosure.Format.PDF,
                contents={
                    "plans": len(record.plans),
                    "diagnoses": len(record.diagnoses),
                    "withheld": record.part2_withheld,
                },
                included_part2=True,
                notice_attached=True,
                acting_user=user,
            )
    return render(context, zone=viewer_zone(user))
