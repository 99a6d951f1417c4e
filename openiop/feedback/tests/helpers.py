"""Sessions, attendance and answered check-ins for the feedback tests."""

from datetime import UTC, datetime, time, timedelta
from typing import Any

from openiop.assessments import actions as assessment_actions
from openiop.feedback import actions
from openiop.feedback.models import SessionCheckIn
from openiop.scheduling.models import Booking, Enrollment, Session
from openiop.scheduling.tests.base import Schedule

NOW = datetime(2026, 3, 11, 12, tzinfo=UTC)  # a Wednesday, 7 am in New York


class FeedbackFixture(Schedule):
    @classmethod
    def seat(cls, participant: Any) -> None:
        Enrollment.objects.create(
            participant=participant,
            group=cls.group,
            status=Enrollment.Status.SEATED,
            starts_on=NOW.date() - timedelta(days=30),
            expected_end_on=NOW.date() + timedelta(days=30),
            requested_at=NOW - timedelta(days=31),
            seated_at=NOW - timedelta(days=30),
            created_by=cls.dana,
        )

    @classmethod
    def session(cls, starts_at: datetime, *, group: Any = None, clinician: Any = None) -> Session:
        return Session.objects.create(
            program=cls.program,
            group=(group or cls.group) if clinician is None else None,
            clinician=clinician,
            kind=Session.Kind.GROUP if clinician is None else Session.Kind.INDIVIDUAL,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=3),
            local_date=starts_at.date(),
            local_starts_at=time(13),
            local_ends_at=time(16),
            timezone="America/New_York",
        )

    @classmethod
    def book(cls, session: Session, participant: Any, attendance: str = "present") -> Booking:
        """A booking; attendance "" is unrecorded."""
        minutes = None if not attendance else (0 if attendance in ("absent", "excused") else 60)
        return Booking.objects.create(
            session=session,
            participant=participant,
            source=Booking.Source.ENROLLMENT,
            attendance=attendance,
            minutes_attended=minutes,
        )


def answer(check_in: SessionCheckIn, scores: tuple[int, int, int, int], comment: str = "") -> None:
    values = dict(zip(("heard", "goals", "approach", "overall"), scores, strict=True))
    if comment:
        values["comment"] = comment  # type: ignore[assignment]
    user = check_in.participant.user
    assert user is not None
    assessment_actions.answer(
        check_in.assignment,
        values,
        intent=assessment_actions.Intent.SUBMIT,
        acting_user=user,
        source="participant",
    )


def check_in_for(session: Session, participant: Any) -> SessionCheckIn:
    check_in = actions.assign_check_in(
        session,
        participant,
        instrument=assessment_actions.shipped_instrument("session-check-in"),
        assigned_by=actions.on_behalf_of(session),  # type: ignore[arg-type]
        now=session.ends_at,
    )
    assert check_in is not None
    return check_in
