import threading
from datetime import UTC, date, datetime

import time_machine
from django.db import connection

from openiop.scheduling import actions
from openiop.scheduling.models import Booking, Enrollment
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
