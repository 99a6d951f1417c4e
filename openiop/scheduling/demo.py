"""The demo's schedule: three tracks, at least four rolling groups, a year of sessions and
attendance.

Synthetic data, written in bulk (the demo is not a clinical record, so it is not audited row
by row). Each seat hosts back-to-back stays of the program's typical length, staggered so
admissions roll through every week. Participants fill the most recent stays first (so today's
seats are taken), each in a group whose facilitators are licensed in the state where they live
(as seating requires), people left over are not admitted, and the last few participants wait
on the waitlist of the first group that fits them.
"""

import math
import random
from collections import defaultdict, deque
from datetime import UTC, date, datetime, time, timedelta

from django.db import models, transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.lib.hours import week_start
from openiop.lib.recurrence import get_zone
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Program, Track, TrackBlock
from openiop.scheduling import actions
from openiop.scheduling.models import Booking, ClinicianAvailability, Enrollment, Session

SEATS = Group.DEFAULT_CAPACITY
FEWEST_SEATS = 6  # DESIGN.md: groups of 6-12
DBT_MODULES = ["Mindfulness", "Distress tolerance", "Emotion regulation", "Interpersonal skills"]
CBT_MODULES = [
    "Thoughts, feelings and actions",
    "Behavioural activation",
    "Unhelpful thinking patterns",
    "Problem solving",
    "Relapse prevention",
]
# (name, weekly rule, from, to, curriculum): morning, afternoon and evening, none overlapping
# another (program setup warns about overlapping tracks); the evening one is for people who
# work days.
TRACKS = [
    ("Evening DBT", "FREQ=WEEKLY;BYDAY=MO,WE,TH", time(18), time(21), DBT_MODULES),
    ("Morning skills", "FREQ=WEEKLY;BYDAY=TU,TH,FR", time(9, 30), time(12, 30), DBT_MODULES),
    ("Afternoon CBT", "FREQ=WEEKLY;BYDAY=MO,WE,FR", time(13, 30), time(16, 30), CBT_MODULES),
]
# At least one group more than tracks, so one track runs two groups side by side.
MIN_GROUPS = len(TRACKS) + 1
# Group leads (licensed in every state demo participants live in) and peer co-facilitators.
LEADS = ["Alvarez", "Okafor", "Brooks"]
PEERS = ["Rivera", "Osei"]
WAITLISTED = 5


@transaction.atomic
def load(
    program: Program, *, weeks_back: int = 52, weeks_ahead: int = 12, seed: int = 2026
) -> None:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    zone = get_zone(program.timezone)
    now = timezone.now()
    today = now.astimezone(zone).date()
    first_monday = week_start(today) - timedelta(weeks=weeks_back)
    last_day = week_start(today) + timedelta(weeks=weeks_ahead, days=6)
    stay = timedelta(weeks=program.typical_length_weeks)
    staff = {u.family_name: u for u in User.objects.filter(program_memberships__program=program)}
    director = next(u for u in staff.values() if u.role == User.Role.PROGRAM_DIRECTOR)
    participants = list(program.participants.order_by("pk"))

    stays_per_seat = max(1, (weeks_back + 1) // program.typical_length_weeks)
    group_count = max(MIN_GROUPS, math.ceil(len(participants) / (SEATS * stays_per_seat)))
    # A small demo has smaller groups, so today's seats are all taken (a group with room has no
    # waitlist) and a person or two is left with a past stay only.
    seats = max(FEWEST_SEATS, min(SEATS, (len(participants) - WAITLISTED) // group_count))
    groups: list[Group] = []
    tracks = []
    for name, rule, starts_at, ends_at, modules in TRACKS:
        track = Track.objects.create(program=program, name=name, starts_on=first_monday)
        TrackBlock.objects.create(track=track, rule=rule, starts_at=starts_at, ends_at=ends_at)
        tracks.append((track, modules))
    for index in range(group_count):
        track, modules = tracks[index % len(tracks)]
        # Each round of groups (one group per track) moves the leads on by one and takes the
        # next peer: up to six groups, nobody facilitates two groups at the same hours.
        round_ = index // len(tracks)
        group = Group.objects.create(
            track=track,
            name=f"{track.name} {chr(ord('A') + round_ % 26)}{index // 78 or ''}",
            capacity=seats,
            curriculum_starts_on=first_monday,
        )
        group.topics.bulk_create(
            group.topics.model(group=group, position=i, title=t) for i, t in enumerate(modules)
        )
        lead = staff.get(LEADS[(index + round_) % len(LEADS)])
        if lead is not None:
            GroupFacilitator.objects.create(group=group, clinician=lead, role="lead")
        peer = staff.get(PEERS[round_ % len(PEERS)])
        if peer is not None:
            GroupFacilitator.objects.create(group=group, clinician=peer, role="peer")
        actions.generate_group_sessions(group, first_day=first_monday, last_day=last_day)
        groups.append(group)

    for family in ("Alvarez", "Okafor", "Brooks", "Chen", "Raman"):
        if family in staff:
            ClinicianAvailability.objects.bulk_create(
                ClinicianAvailability(
                    clinician=staff[family],
                    weekday=day,
                    starts_at=time(9),
                    ends_at=time(17),
                    timezone=program.timezone,
                )
                for day in range(5)
            )

    # Every stay of every seat up to today, most recent first: the current stays fill first.
    slots = []
    for number, group in enumerate(groups):
        for seat in range(seats):
            start = first_monday + timedelta(weeks=(seat * 3 + number) % 8)
            while start <= today:
                slots.append((start, number, group))
                start += stay
    slots.sort(key=lambda slot: (slot[0], -slot[1]), reverse=True)
    covering = {
        group.pk: set().union(*(f.clinician.licensed_states() for f in group.demo_facilitators))
        for group in Group.objects.filter(pk__in=[g.pk for g in groups]).prefetch_related(
            models.Prefetch(
                "facilitator_roles",
                queryset=GroupFacilitator.objects.select_related("clinician").prefetch_related(
                    "clinician__licenses"
                ),
                to_attr="demo_facilitators",
            )
        )
    }
    enrollments = []
    waiting = []
    for person, (start, _, group) in fitting_slots(participants[:-WAITLISTED], slots, covering):
        ended = start + stay <= today
        enrollments.append(
            Enrollment(
                participant=person,
                group=group,
                status=Enrollment.Status.ENDED if ended else Enrollment.Status.SEATED,
                starts_on=start,
                expected_end_on=start + stay,
                requested_at=datetime.combine(start, time(9), tzinfo=UTC),
                seated_at=datetime.combine(start, time(9), tzinfo=UTC),
                ended_at=datetime.combine(start + stay, time(9), tzinfo=UTC) if ended else None,
                created_by=director,
            )
        )
    for person in participants[-WAITLISTED:]:
        fits = [g for g in groups if person.home_state in covering[g.pk]] or groups
        waiting.append(
            Enrollment(
                participant=person,
                group=fits[0],
                status=Enrollment.Status.WAITLISTED,
                starts_on=today,
                expected_end_on=today + stay,
                requested_at=now,
                created_by=director,
            )
        )
    Enrollment.objects.bulk_create(enrollments + waiting, batch_size=2000)
    for group in groups:
        Group.objects.filter(pk=group.pk).update(
            seated_count=sum(
                1 for e in enrollments if e.group_id == group.pk and e.status == "seated"
            )
        )

    sessions: dict[int, list[Session]] = {}
    for session in Session.objects.filter(group__in=groups).order_by("starts_at"):
        sessions.setdefault(session.group_id or 0, []).append(session)
    bookings = []
    for enrollment in enrollments:
        for session in sessions.get(enrollment.group_id, []):
            # An ended stay hands its seat on the day it ends to the seat's next stay, so that
            # session is the next person's: a session never holds more people than its seats.
            if enrollment.status == Enrollment.Status.ENDED:
                if not enrollment.starts_on <= session.local_date < enrollment.expected_end_on:
                    continue
            elif not enrollment.starts_on <= session.local_date <= enrollment.expected_end_on:
                continue
            booking = Booking(
                session=session,
                participant=enrollment.participant,
                enrollment=enrollment,
                source=Booking.Source.ENROLLMENT,
            )
            if session.ends_at <= now:
                roll = rng.random()
                if roll < 0.8:
                    booking.attendance, booking.minutes_attended = "present", session.minutes
                elif roll < 0.9:
                    booking.attendance, booking.minutes_attended = "late", session.minutes - 30
                else:
                    booking.attendance, booking.minutes_attended = "absent", 0
                booking.recorded_by = director
                booking.recorded_at = session.ends_at
            bookings.append(booking)
    Booking.objects.bulk_create(bookings, batch_size=5000)


def fitting_slots(
    people: list[Participant], slots: list[tuple[date, int, Group]], covering: dict[int, set[str]]
) -> list[tuple[Participant, tuple[date, int, Group]]]:
    """Each person the earliest free slot (in `slots`' order) of a group licensed where they
    live; a person no group covers is not seated."""
    queues: dict[str, deque[int]] = defaultdict(deque)
    for state in {person.home_state for person in people}:
        queues[state].extend(
            i for i, (_, _, group) in enumerate(slots) if state in covering[group.pk]
        )
    taken: set[int] = set()
    result = []
    for person in people:
        queue = queues[person.home_state]
        while queue and queue[0] in taken:
            queue.popleft()
        if queue:
            taken.add(queue[0])
            result.append((person, slots[queue.popleft()]))
    return result
