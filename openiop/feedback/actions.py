"""Writes of session feedback: assigning each attendee's check-in after a session ends, and
keeping the check-in's total and flags when the participant answers it.

Decided where the issue was silent (docs/feedback.md):
- Assigned once the session has ended, by a sweep (`manage.py assign_session_check_ins`, run
  every minute beside the escalation sweep) over sessions that ended in the last LOOKBACK:
  a check-in about a session from last week means little, and a year of history (or a demo)
  is not assigned all at once.
- One OPEN assignment per participant and instrument (assessments' constraint): when the next
  session's check-in is assigned, an unanswered one from an earlier session is cancelled and
  marked superseded; a check-in is about one session, not "the sessions since I last said".
  An open assignment of the same instrument made by hand is adopted as this session's.
- Assigned on behalf of whoever ran the session (the appointment's clinician, else the group's
  lead facilitator, else any facilitator): Assignment.assigned_by must name a person. The audit
  event has no actor: the system assigned it.
"""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import score
from openiop.audit.actions import record
from openiop.feedback.config import rule_of, setting_for
from openiop.feedback.models import SessionCheckIn
from openiop.feedback.queries import attended_bookings
from openiop.feedback.rules import judge
from openiop.participants.models import Participant
from openiop.programs.models import GroupFacilitator
from openiop.scheduling.models import Session

logger = logging.getLogger(__name__)

LOOKBACK = timedelta(days=2)


def on_behalf_of(session: Session) -> User | None:
    """Who the check-in is assigned in the name of: whoever ran the session."""
    if session.clinician_id is not None:
        return session.clinician
    roles = list(
        GroupFacilitator.objects.filter(group=session.group, clinician__is_active=True)
        .select_related("clinician")
        .order_by("id")
    )
    leads = [r for r in roles if r.role == GroupFacilitator.Role.LEAD]
    chosen = (leads or roles)[0] if roles else None
    return chosen.clinician if chosen is not None else None


def instrument_for(program_id: int) -> InstrumentDefinition | None:
    """The current version of the program's configured instrument (None if not loaded)."""
    from openiop.assessments.actions import shipped_instrument

    key = setting_for(program_id).instrument_key
    found = InstrumentDefinition.objects.filter(key=key, is_active=True).first()
    if found is None and key == "session-check-in":
        found = shipped_instrument(key)
    return found


@transaction.atomic
def assign_check_in(
    session: Session,
    participant: Participant,
    *,
    instrument: InstrumentDefinition,
    assigned_by: User,
    now: datetime | None = None,
) -> SessionCheckIn | None:
    """The participant's check-in about `session`: created, or the one that exists. None when
    a check-in about a later session is already waiting (an older one never replaces it)."""
    now = now or timezone.now()
    Participant.objects.select_for_update().filter(pk=participant.pk).first()
    existing = SessionCheckIn.objects.filter(session=session, participant=participant).first()
    if existing is not None:
        return existing
    open_assignment = (
        Assignment.objects.filter(
            participant=participant, instrument=instrument, status=Assignment.Status.OPEN
        )
        .select_related("session_check_in__session")
        .first()
    )
    adopted = None
    if open_assignment is not None:
        previous = getattr(open_assignment, "session_check_in", None)
        if previous is None:
            adopted = open_assignment
        elif previous.session.starts_at >= session.starts_at:
            return None
        else:
            _supersede(previous)
    assignment = adopted or Assignment.objects.create(
        participant=participant, instrument=instrument, assigned_by=assigned_by
    )
    check_in = SessionCheckIn.objects.create(
        session=session, participant=participant, assignment=assignment, assigned_at=now
    )
    record(
        "feedback.check_in_assigned",
        acting_user=None,
        participant=participant,
        target=check_in,
        details={
            "session": str(session.code),
            "assignment": str(assignment.code),
            "automatic": True,
        },
    )
    return check_in


def _supersede(check_in: SessionCheckIn) -> None:
    Assignment.objects.filter(pk=check_in.assignment_id, status=Assignment.Status.OPEN).update(
        status=Assignment.Status.CANCELLED
    )
    check_in.status = SessionCheckIn.Status.SUPERSEDED
    check_in.save(update_fields=["status"])
    record(
        "feedback.check_in_superseded",
        acting_user=None,
        participant=check_in.participant,
        target=check_in,
        details={
            "session": str(check_in.session.code),
            "assignment": str(check_in.assignment.code),
        },
    )


def assign_due_check_ins(*, now: datetime | None = None, lookback: timedelta = LOOKBACK) -> int:
    """Assign the check-in of everyone who attended a session that ended in the last
    `lookback` and has none yet. Idempotent: a second run finds nothing to do. Returns how many
    were assigned."""
    now = now or timezone.now()
    sessions = Session.objects.filter(
        status=Session.Status.SCHEDULED, ends_at__lte=now, ends_at__gt=now - lookback
    )
    due = (
        attended_bookings(sessions)
        .exclude(
            Exists(
                SessionCheckIn.objects.filter(
                    session_id=OuterRef("session_id"), participant_id=OuterRef("participant_id")
                )
            )
        )
        .select_related("session", "session__clinician", "participant")
        .order_by("session__starts_at", "id")
    )
    instruments: dict[int, InstrumentDefinition | None] = {}
    assigned = 0
    for booking in due:
        session = booking.session
        if session.program_id not in instruments:
            instruments[session.program_id] = instrument_for(session.program_id)
        instrument = instruments[session.program_id]
        if instrument is None:
            logger.warning(
                "feedback: program %s's check-in instrument is not loaded", session.program_id
            )
            continue
        by = on_behalf_of(session)
        if by is None:
            logger.warning("feedback: session %s has nobody to assign its check-ins", session.code)
            continue
        if assign_check_in(
            session, booking.participant, instrument=instrument, assigned_by=by, now=now
        ):
            assigned += 1
    return assigned


@transaction.atomic
def record_answer(response: Response) -> SessionCheckIn | None:
    """Keep a submitted response's total and flags on its check-in (called in the submitting
    transaction; a correction replaces what the original said). Judged against the
    participant's previous answered check-in, by the program's rule as it stands now."""
    check_in = (
        SessionCheckIn.objects.select_for_update()
        .select_related("session")
        .filter(assignment_id=response.assignment_id)
        .first()
    )
    if check_in is None or response.status != Response.Status.SUBMITTED:
        return None
    previous = (
        SessionCheckIn.objects.filter(
            participant_id=check_in.participant_id,
            status=SessionCheckIn.Status.ANSWERED,
            total__isnull=False,
            session__starts_at__lt=check_in.session.starts_at,
        )
        .order_by("-session__starts_at", "-id")
        .values_list("total", flat=True)
        .first()
    )
    definition = response.instrument.definition
    setting = setting_for(check_in.session.program_id)
    judgement = judge(
        definition, score(definition, response.answers), rule_of(setting), previous_total=previous
    )
    check_in.status = SessionCheckIn.Status.ANSWERED
    check_in.answered_at = response.submitted_at
    check_in.total = judgement.total
    check_in.low = judgement.low
    check_in.low_reasons = list(judgement.reasons)
    check_in.change = judgement.change
    check_in.falling = judgement.falling
    check_in.save()
    record(
        "feedback.check_in_answered",
        acting_user=None,
        participant=check_in.participant,
        target=check_in,
        details={
            "session": str(check_in.session.code),
            "response": str(response.code),
            "flags": int(judgement.low) + int(judgement.falling),
        },
    )
    return check_in
