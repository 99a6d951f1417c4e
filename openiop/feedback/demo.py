"""The demo's session check-ins: synthetic data, made through the real actions.

Dr. Alvarez's first group with a session still to come: up to four people booked into that
session who attended its last eight sessions answer a check-in after each, so the trends page
has weeks to show. In the last ones one person's items fall low, one's total falls and one's
overall item is low, so Dr. Alvarez sees flags on the upcoming session (its page, the video
pre-join page and today's worklist when it is today). The first demo participant login gets an
unanswered check-in about their latest attended session, to try answering it.
"""

from datetime import datetime

from django.db import transaction

from openiop.assessments import actions as assessment_actions
from openiop.feedback import actions
from openiop.feedback.models import SessionCheckIn
from openiop.feedback.queries import ATTENDED
from openiop.participants.models import Participant
from openiop.programs.models import GroupFacilitator, Program
from openiop.scheduling.models import Booking, Session

HISTORY = 8
STEADY = (8, 8, 9, 8)
# The last three check-ins of each chosen person, oldest first.
PATTERNS = [
    ((9, 9, 9, 9), (8, 9, 8, 9), (3, 7, 6, 6)),  # low: an item at 3
    ((9, 9, 9, 9), (9, 10, 9, 9), (6, 6, 6, 7)),  # falling: 37 → 25
    ((7, 8, 7, 6), (7, 7, 7, 7), (6, 7, 6, 5)),  # low: overall at 5
    ((9, 9, 9, 9), (9, 9, 10, 9), (9, 10, 9, 9)),  # steady
]


def _answer(check_in: SessionCheckIn, scores: tuple[int, int, int, int]) -> None:
    user = check_in.participant.user
    assert user is not None
    assessment_actions.answer(
        check_in.assignment,
        dict(zip(("heard", "goals", "approach", "overall"), scores, strict=True)),
        intent=assessment_actions.Intent.SUBMIT,
        acting_user=user,
        source="participant",
    )


@transaction.atomic
def load_feedback_demo(program: Program, *, now: datetime) -> None:
    instrument = assessment_actions.shipped_instrument("session-check-in")
    lead = (
        GroupFacilitator.objects.filter(
            group__track__program=program,
            role=GroupFacilitator.Role.LEAD,
            clinician__family_name="Alvarez",
        )
        .order_by("group_id")
        .values_list("group_id", flat=True)
    )
    for group_id in lead:
        upcoming = (
            Session.objects.filter(
                group_id=group_id, status=Session.Status.SCHEDULED, starts_at__gt=now
            )
            .order_by("starts_at")
            .first()
        )
        past = list(
            Session.objects.filter(
                group_id=group_id, status=Session.Status.SCHEDULED, ends_at__lte=now
            ).order_by("-starts_at")[:HISTORY]
        )[::-1]
        if upcoming is None or len(past) < len(PATTERNS[0]):
            continue
        booked = Participant.objects.filter(
            bookings__session=upcoming,
            bookings__status=Booking.Status.BOOKED,
            user__isnull=False,
        ).order_by("id")
        chosen = [
            person
            for person in booked
            if Booking.objects.filter(
                session__in=past, participant=person, attendance__in=ATTENDED
            ).count()
            == len(past)
        ][: len(PATTERNS)]
        if not chosen:
            continue
        for person, pattern in zip(chosen, PATTERNS, strict=False):
            scores = [STEADY] * (len(past) - len(pattern)) + list(pattern)
            for session, answer in zip(past, scores, strict=True):
                by = actions.on_behalf_of(session)
                assert by is not None
                check_in = actions.assign_check_in(
                    session, person, instrument=instrument, assigned_by=by, now=session.ends_at
                )
                if check_in is not None:
                    _answer(check_in, answer)
        break
    _open_check_in_for_first_participant(program, now=now)


def _open_check_in_for_first_participant(program: Program, *, now: datetime) -> None:
    """The first participant login can answer a check-in about their latest session."""
    person = (
        Participant.objects.filter(program=program, user__isnull=False).order_by("user_id").first()
    )
    if person is None:
        return
    booking = (
        Booking.objects.filter(
            participant=person,
            status=Booking.Status.BOOKED,
            attendance__in=ATTENDED,
            session__ends_at__lte=now,
        )
        .select_related("session")
        .order_by("-session__starts_at")
        .first()
    )
    if booking is None:
        return
    by = actions.on_behalf_of(booking.session)
    instrument = actions.instrument_for(program.pk)
    if by is not None and instrument is not None:
        actions.assign_check_in(
            booking.session, person, instrument=instrument, assigned_by=by, now=now
        )
