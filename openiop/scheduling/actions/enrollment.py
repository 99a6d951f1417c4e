"""Enrollment, seats and the waitlist: admitting, placing from the waitlist, ending."""

from collections import defaultdict
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.intake.models import EpisodeOfCare
from openiop.lib.hours import week_start
from openiop.participants.models import Participant
from openiop.programs import access as programs_access
from openiop.programs import licensure
from openiop.programs.models import Group
from openiop.scheduling import queries, reminders
from openiop.scheduling.actions import seats
from openiop.scheduling.actions._shared import lock_group, program_today
from openiop.scheduling.actions.sessions import generate_group_sessions
from openiop.scheduling.errors import AdmissionError, CapacityError, LicensureError
from openiop.scheduling.models import Booking, Enrollment, Session


def _planned_sessions(enrollment: Enrollment, *, from_day: date) -> list[Session]:
    """The group sessions an enrollment attends from `from_day`, with the step-down taper.

    In the last `taper_weeks` weeks (counted back from the week of the expected end) only the
    first `taper_sessions_per_week` sessions of each week are kept.
    """
    sessions = list(
        Session.objects.filter(
            group_id=enrollment.group_id,
            status=Session.Status.SCHEDULED,
            local_date__gte=from_day,
            local_date__lte=enrollment.expected_end_on,
            starts_at__gt=timezone.now(),
        ).order_by("starts_at")
    )
    if not enrollment.taper_weeks:
        return sessions
    taper_from = week_start(enrollment.expected_end_on) - timedelta(
        weeks=enrollment.taper_weeks - 1
    )
    kept: list[Session] = []
    per_week: dict[date, int] = defaultdict(int)
    for session in sessions:
        monday = week_start(session.local_date)
        if monday >= taper_from:
            per_week[monday] += 1
            if per_week[monday] > (enrollment.taper_sessions_per_week or 0):
                continue
        kept.append(session)
    return kept


def _book(
    group: Group, enrollment: Enrollment, *, from_day: date, skip_full: bool
) -> list[Session]:
    """Book the enrollment's planned sessions through the capacity rule (`seats.book`);
    returns the sessions left out because they were full (only with `skip_full`)."""
    generate_group_sessions(group, first_day=from_day, last_day=enrollment.expected_end_on)
    sessions = _planned_sessions(enrollment, from_day=from_day)
    bookings, full = seats.book(
        group,
        [
            Booking(
                session=session,
                participant_id=enrollment.participant_id,
                enrollment=enrollment,
                source=Booking.Source.ENROLLMENT,
                status=Booking.Status.BOOKED,
            )
            for session in sessions
        ],
        skip_full=skip_full,
    )
    reminders.schedule_reminders(bookings, session_for={s.pk: s for s in sessions})
    return full


def _seat(
    group: Group, enrollment: Enrollment, *, from_day: date, skip_full: bool = False
) -> list[Session]:
    # The CHECK constraint group_never_overbooked backs this count up in the database.
    Group.objects.filter(pk=group.pk).update(seated_count=F("seated_count") + 1)
    group.seated_count += 1
    enrollment.status = Enrollment.Status.SEATED
    enrollment.seated_at = timezone.now()
    enrollment.save(update_fields=["status", "seated_at", "starts_on", "expected_end_on"])
    return _book(group, enrollment, from_day=from_day, skip_full=skip_full)


def _has_sessions_left_in_week(group: Group, day: date) -> bool:
    generate_group_sessions(group, first_day=day, last_day=week_start(day) + timedelta(days=6))
    return Session.objects.filter(
        group=group,
        status=Session.Status.SCHEDULED,
        local_date__range=(day, week_start(day) + timedelta(days=6)),
    ).exists()


@transaction.atomic
def admit(
    participant: Participant,
    group: Group,
    *,
    starts_on: date,
    expected_end_on: date | None = None,
    priority: int = Enrollment.Priority.ROUTINE,
    taper_weeks: int = 0,
    taper_sessions_per_week: int | None = None,
    licensure_override: str = "",
    acting_user: User,
) -> Enrollment:
    """Seat `participant` in `group` if a seat is free, else put them on its waitlist.

    The group row is locked first, so concurrent admissions for the last seat queue up and
    only one of them sees it free (SECURITY.md: no overbooking under concurrency).

    Licensure at seating: when none of the group's facilitators is licensed on `starts_on` in
    the state where the participant lives (programs.licensure, the rule the video door
    applies), the place is refused with the groups of the track that fit, unless a director
    of the program gives `licensure_override`, a written reason kept on the enrollment and
    audited as `scheduling.licensure_overridden`.

    Seated, the person leaves any other waitlist of the program (`_leave_other_waitlists`).
    """
    group = lock_group(group)
    program = group.track.program
    if participant.program_id != program.pk:
        raise AdmissionError("The participant is not in this group's program.")
    if not group.is_active:
        raise AdmissionError("This group is closed to new members.")
    if starts_on < program_today(program):
        raise AdmissionError("The start date is in the past.")
    if expected_end_on is None:
        expected_end_on = starts_on + timedelta(weeks=program.typical_length_weeks)
    if expected_end_on <= starts_on:
        raise AdmissionError("The expected end must be after the start date.")
    if taper_weeks and not taper_sessions_per_week:
        raise AdmissionError("A step-down taper needs a number of sessions per week.")
    if Enrollment.objects.filter(
        participant=participant, group=group, status__in=Enrollment.OPEN_STATUSES
    ).exists():
        raise AdmissionError("The participant is already seated or waiting in this group.")
    override = licensure_override.strip()
    covered = licensure.group_covering_states([group.pk], starts_on)[group.pk]
    unlicensed = participant.home_state not in covered
    if unlicensed and not override:
        raise LicensureError(
            f"None of {group.name}'s facilitators is licensed in "
            f"{licensure.state_name(participant.home_state)}, where this participant lives. "
            "Choose a group whose facilitators are licensed there.",
            alternatives=queries.fitting_groups(participant, group, starts_on),
        )
    if unlicensed and not programs_access.is_director(acting_user, program.pk):
        raise LicensureError("Only a director of the program can override licensure.")
    if not unlicensed:
        override = ""
    if not _has_sessions_left_in_week(group, starts_on):
        raise AdmissionError(
            f"The group has no sessions from {starts_on:%a %-d %b %Y} to the end of that week "
            "(a holiday, or no template days). Choose a start date in a week with sessions."
        )
    episode = EpisodeOfCare.objects.filter(
        participant=participant, program=program, status=EpisodeOfCare.Status.ACTIVE
    ).first()
    enrollment = Enrollment(
        participant=participant,
        group=group,
        episode=episode,
        status=Enrollment.Status.WAITLISTED,
        priority=priority,
        starts_on=starts_on,
        expected_end_on=expected_end_on,
        taper_weeks=taper_weeks,
        taper_sessions_per_week=taper_sessions_per_week if taper_weeks else None,
        requested_at=timezone.now(),
        created_by=acting_user,
        licensure_override_reason=override,
        licensure_override_by=acting_user if override else None,
    )
    enrollment.save()
    if group.seated_count < group.capacity:
        try:
            _seat(group, enrollment, from_day=starts_on)
        except CapacityError as error:
            # A make-up took a seat the group's own members do not use on some day.
            raise CapacityError(f"{error} Choose a start date after that day.") from error
        event = "scheduling.participant_seated"
    else:
        event = "scheduling.participant_waitlisted"
    record(
        event,
        acting_user=acting_user,
        participant=participant,
        target=enrollment,
        details={
            "group": str(group.code),
            "priority": priority,
            "episode": str(episode.code) if episode else None,
        },
    )
    if override:
        # The reason is free text: it stays on the enrollment, the trail gets codes only.
        record(
            "scheduling.licensure_overridden",
            acting_user=acting_user,
            participant=participant,
            target=enrollment,
            details={"group": str(group.code)},
        )
    if enrollment.status == Enrollment.Status.SEATED:
        _leave_other_waitlists(enrollment, acting_user=acting_user)
    return enrollment


def _leave_other_waitlists(enrollment: Enrollment, *, acting_user: User) -> None:
    """Seated in one group, a person no longer waits for another of the program's groups: a
    director seating someone from a waitlist into a new group expects the old place in line to
    go, not a second seat offered later. The waiting rows are not locked through their groups
    (that would take a second group lock, out of the documented order); the status condition
    in the UPDATE skips a row another group's placement seated in the meantime."""
    waiting = list(
        Enrollment.objects.filter(
            participant_id=enrollment.participant_id,
            group__track__program_id=enrollment.group.track.program_id,
            status=Enrollment.Status.WAITLISTED,
        )
        .exclude(pk=enrollment.pk)
        .select_related("group")
    )
    for other in waiting:
        left = Enrollment.objects.filter(pk=other.pk, status=Enrollment.Status.WAITLISTED).update(
            status=Enrollment.Status.WITHDRAWN, ended_at=timezone.now()
        )
        if left:
            record(
                "scheduling.enrollment_ended",
                acting_user=acting_user,
                participant=enrollment.participant,
                target=other,
                details={
                    "group": str(other.group.code),
                    "status": Enrollment.Status.WITHDRAWN,
                    "seated_in": str(enrollment.group.code),
                },
            )


def _place_from_waitlist(group: Group, *, acting_user: User | None) -> list[Enrollment]:
    """Fill free seats from the waitlist in its documented order (see Enrollment).

    Licensure is checked again: the group's facilitators may have changed since the person
    joined the line. Someone none of them is licensed to treat, without a director's override
    on their place, is passed over and keeps waiting (the roster lists them as a conflict)."""
    placed = []
    today = program_today(group.track.program)
    covered = licensure.group_covering_states([group.pk], today)[group.pk]
    while group.seated_count < group.capacity:
        enrollment = (
            Enrollment.objects.filter(group=group, status=Enrollment.Status.WAITLISTED)
            .filter(Q(participant__home_state__in=covered) | ~Q(licensure_override_reason=""))
            .select_related("participant")
            .order_by("-priority", "requested_at", "pk")
            .first()
        )
        if enrollment is None:
            break
        if enrollment.starts_on < today:
            # Keep the planned length of treatment when the seat comes later than asked.
            length = enrollment.expected_end_on - enrollment.starts_on
            enrollment.starts_on = today
            enrollment.expected_end_on = today + length
        # Placement is automatic: a day that make-ups fill is left out, not the whole seat.
        full = _seat(group, enrollment, from_day=enrollment.starts_on, skip_full=True)
        record(
            "scheduling.waitlist_placed",
            acting_user=acting_user,
            participant=enrollment.participant,
            target=enrollment,
            details={"group": str(group.code), "automatic": True, "sessions_full": len(full)},
        )
        placed.append(enrollment)
    return placed


@transaction.atomic
def end_enrollment(enrollment: Enrollment, *, acting_user: User) -> Enrollment:
    """End a seated member's place in this group (freeing the seat for the waitlist) or
    withdraw a waiting one. The episode of care goes on: discharge (a signed discharge summary)
    is what ends it, and it calls this for each of the participant's open enrollments."""
    group = lock_group(enrollment.group)
    enrollment = Enrollment.objects.select_related("participant").get(pk=enrollment.pk)
    if enrollment.status == Enrollment.Status.SEATED:
        enrollment.status = Enrollment.Status.ENDED
        Group.objects.filter(pk=group.pk).update(seated_count=F("seated_count") - 1)
        group.seated_count -= 1
        enrollment.bookings.filter(
            status=Booking.Status.BOOKED, session__starts_at__gt=timezone.now()
        ).update(status=Booking.Status.RELEASED)
    elif enrollment.status == Enrollment.Status.WAITLISTED:
        enrollment.status = Enrollment.Status.WITHDRAWN
    else:
        raise AdmissionError("This enrollment has already ended.")
    enrollment.ended_at = timezone.now()
    enrollment.save(update_fields=["status", "ended_at"])
    record(
        "scheduling.enrollment_ended",
        acting_user=acting_user,
        participant=enrollment.participant,
        target=enrollment,
        details={"group": str(group.code), "status": enrollment.status},
    )
    _place_from_waitlist(group, acting_user=acting_user)
    return enrollment


@transaction.atomic
def set_capacity(group: Group, *, capacity: int, acting_user: User) -> Group:
    group = lock_group(group)
    if capacity < 1:
        raise CapacityError("A group needs at least one seat.")
    if capacity > group.hard_cap:
        raise CapacityError(f"This group's hard cap is {group.hard_cap} seats.")
    if capacity < group.seated_count:
        raise CapacityError(
            f"{group.seated_count} participants are seated; capacity cannot go below that."
        )
    most, where = seats.most_booked(group)
    if capacity < most and where is not None:
        # Refused rather than bumping anyone: each booking is a person expecting to come.
        raise CapacityError(
            f"{most} people are booked on {where.local_date:%a %-d %b %Y} (make-up bookings "
            f"included); capacity cannot go below {most} until that session has passed."
        )
    old = group.capacity
    group.capacity = capacity
    group.save(update_fields=["capacity"])
    record(
        "scheduling.capacity_changed",
        acting_user=acting_user,
        target=group,
        details={"from": old, "to": capacity},
    )
    _place_from_waitlist(group, acting_user=acting_user)
    return group
