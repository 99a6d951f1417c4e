import random
import threading
from datetime import UTC, date, datetime, time

import time_machine
from django.db import connection
from django.db.models import Count, Q

from openiop.scheduling import actions
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import Booking, Enrollment, Session
from openiop.scheduling.tests.base import ConcurrentTestCase

NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)


def run_at_once(jobs):
    """Start every job on its own thread and database connection at the same moment."""
    barrier = threading.Barrier(len(jobs))
    errors = []

    def worker(job):
        try:
            barrier.wait()
            job()
        except Exception as error:  # reported to the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


@time_machine.travel(NOW, tick=False)
class SimultaneousAdmissionTestCase(ConcurrentTestCase):
    def test_20_simultaneous_admissions_for_3_seats_seat_exactly_3(self):
        people = [
            self.make_participant(f"p{i}@example.org", f"Person{i}", "Test", "") for i in range(20)
        ]
        # Sessions exist before the race, as in a running program.
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 5, 3)
        )

        def admit(person):
            return lambda: actions.admit(
                person, self.group, starts_on=date(2026, 3, 2), acting_user=self.ivy
            )

        errors = run_at_once([admit(person) for person in people])

        self.assertEqual(errors, [])
        statuses = list(Enrollment.objects.values_list("status", flat=True))
        self.assertEqual(statuses.count(Enrollment.Status.SEATED), 3)
        self.assertEqual(statuses.count(Enrollment.Status.WAITLISTED), 17)
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 3)
        seated = Enrollment.objects.filter(status=Enrollment.Status.SEATED)
        booked = set(Booking.objects.values_list("participant_id", flat=True))
        self.assertEqual(booked, set(seated.values_list("participant_id", flat=True)))

        first_waiting = (
            Enrollment.objects.filter(status=Enrollment.Status.WAITLISTED)
            .order_by("requested_at", "pk")
            .first()
        )
        assert first_waiting is not None
        actions.end_enrollment(seated[0], acting_user=self.dana)
        first_waiting.refresh_from_db()
        self.assertEqual(first_waiting.status, Enrollment.Status.SEATED)
        self.assertEqual(Enrollment.objects.filter(status=Enrollment.Status.SEATED).count(), 3)

    def test_two_coordinators_taking_the_last_seat_leave_one_seated(self):
        for i in range(2):
            person = self.make_participant(f"s{i}@example.org", f"Seated{i}", "Test", "")
            actions.admit(person, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana)

        errors = run_at_once(
            [
                lambda: actions.admit(
                    self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.ivy
                ),
                lambda: actions.admit(
                    self.quinn, self.group, starts_on=date(2026, 3, 2), acting_user=self.dana
                ),
            ]
        )

        self.assertEqual(errors, [])
        last_two = Enrollment.objects.filter(participant__in=[self.pat, self.quinn])
        self.assertEqual(
            sorted(last_two.values_list("status", flat=True)),
            [Enrollment.Status.SEATED, Enrollment.Status.WAITLISTED],
        )


@time_machine.travel(NOW, tick=False)
class OneCapacityRuleTestCase(ConcurrentTestCase):
    def test_admissions_makeups_extra_sessions_and_capacity_changes_never_overfill(self):
        """Many threads reach Evening DBT A (3 seats) at once: admissions, make-ups into its
        sessions, two extra sessions, a capacity cut to 2 and a raise to 4. Whatever order the
        locks give them, no session ends up with more people than the group's seats."""
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 5, 3)
        )
        first = actions.admit(
            self.pat, self.group, starts_on=date(2026, 3, 2), acting_user=self.ivy
        )
        self.assertEqual(first.status, Enrollment.Status.SEATED)
        targets = list(
            Session.objects.filter(
                group=self.group,
                local_date__in=[date(2026, 3, 4), date(2026, 3, 5), date(2026, 3, 9)],
            )
        )
        admitted = [
            self.make_participant(f"a{i}@example.org", f"Admit{i}", "Test", "") for i in range(8)
        ]
        guests = [
            self.make_participant(f"g{i}@example.org", f"Guest{i}", "Test", "") for i in range(9)
        ]

        def admit(person):
            return lambda: actions.admit(
                person, self.group, starts_on=date(2026, 3, 2), acting_user=self.ivy
            )

        def makeup(person, session):
            return lambda: actions.book_makeup(person, session, acting_user=self.dana)

        def extra(day):
            return lambda: actions.add_extra_session(
                self.group, day=day, starts_at=time(10), ends_at=time(12), acting_user=self.dana
            )

        def capacity(seats):
            return lambda: actions.set_capacity(self.group, capacity=seats, acting_user=self.dana)

        jobs = [admit(person) for person in admitted]
        jobs += [makeup(guest, targets[i % 3]) for i, guest in enumerate(guests)]
        jobs += [extra(date(2026, 3, 3)), extra(date(2026, 3, 6))]
        jobs += [capacity(2), capacity(4)]
        random.Random(13).shuffle(jobs)

        errors = run_at_once(jobs)

        # Refusals are expected (a full session, a cut below the bookings); nothing else is.
        unexpected = [e for e in errors if not isinstance(e, SchedulingError)]
        self.assertEqual(unexpected, [])
        self.group.refresh_from_db()
        over = [
            (s.local_date, s.n)
            for s in Session.objects.filter(group=self.group, status=Session.Status.SCHEDULED)
            .annotate(n=Count("bookings", filter=Q(bookings__status=Booking.Status.BOOKED)))
            .order_by("starts_at")
            if s.n > self.group.capacity
        ]
        self.assertEqual(over, [])
        seated = Enrollment.objects.filter(group=self.group, status=Enrollment.Status.SEATED)
        self.assertEqual(seated.count(), self.group.seated_count)
        self.assertLessEqual(self.group.seated_count, self.group.capacity)
        # Every make-up either got its seat or was told the session was full.
        made = Booking.objects.filter(source=Booking.Source.MAKEUP).count()
        full = sum(1 for e in errors if str(e) == "That session is full.")
        self.assertEqual(made + full, len(guests))
        self.assertEqual(Session.objects.filter(group=self.group, is_extra=True).count(), 2)
