"""My week shows each past session's real status: attended, missed, cancelled."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from openiop.scheduling.models import Booking, Session
from openiop.telehealth.tests.helpers import make_session
from openiop.testing import BaseTestCase

# Thursday 10 December 2026, noon in New York: Monday's and Tuesday's sessions are past.
THURSDAY_NOON = datetime(2026, 12, 10, 17, tzinfo=UTC)


class MyWeekStatusTestCase(BaseTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(THURSDAY_NOON, tick=False))
        super().setUp()
        self.login(self.pat_user, mfa=False)

    def session(self, title: str, days: float) -> Session:
        return make_session(
            self, title, [self.alvarez], [self.pat], starts_in=timedelta(days=days), minutes=60
        )

    def mark(self, session: Session, attendance: str, minutes: int) -> None:
        Booking.objects.filter(session=session, participant=self.pat).update(
            attendance=attendance, minutes_attended=minutes, recorded_at=timezone.now()
        )

    def status_of(self, content: str, title: str) -> str:
        (row,) = [row for row in content.split("<tr")[1:] if f"<bdi>{title}</bdi>" in row]
        return row.rsplit('data-label="Status">', 1)[1].split("</td>", 1)[0]

    def test_past_sessions_show_attended_missed_cancelled_and_unrecorded(self):
        attended = self.session("Attended group", -3)
        self.mark(attended, Booking.Attendance.PRESENT, 60)
        late = self.session("Late group", -2.9)
        self.mark(late, Booking.Attendance.LATE, 45)
        missed = self.session("Missed group", -2.8)
        self.mark(missed, Booking.Attendance.ABSENT, 0)
        excused = self.session("Excused group", -2.7)
        self.mark(excused, Booking.Attendance.EXCUSED, 0)
        cancelled = self.session("Cancelled group", -2)
        Session.objects.filter(pk=cancelled.pk).update(
            status=Session.Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason="other"
        )
        self.session("Unrecorded group", -1)
        self.session("Future group", 1)

        content = self.client.get(reverse("scheduling:my_week")).content.decode()

        self.assertIn("Attended", self.status_of(content, "Attended group"))
        self.assertIn("Attended (late)", self.status_of(content, "Late group"))
        self.assertIn("Missed", self.status_of(content, "Missed group"))
        self.assertIn("Missed (excused)", self.status_of(content, "Excused group"))
        self.assertIn("Cancelled", self.status_of(content, "Cancelled group"))
        self.assertIn("Not recorded yet", self.status_of(content, "Unrecorded group"))
        self.assertIn("Scheduled", self.status_of(content, "Future group"))
        for title in ("Attended group", "Missed group", "Cancelled group", "Unrecorded group"):
            self.assertNotIn("Scheduled", self.status_of(content, title))
