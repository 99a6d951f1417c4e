"""The chart banner: who a chart page is about, on every staff page of one chart."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from openiop.core.queries import BANNER_QUERIES, age_on, chart_banner
from openiop.intake.models import EpisodeOfCare, Level, Referral
from openiop.lib.recurrence import get_zone
from openiop.programs.models import Group, Track
from openiop.safety.models import Acuity, SafetyAlert
from openiop.scheduling.models import Booking, Session
from openiop.testing import BaseTestCase
from openiop.tests.authz import chart_kwargs
from openiop.tests.test_authz_matrix import MATRIX

# Pages that show the legal name on purpose: the chart header ("goes by Pat").
LEGAL_NAME_PAGES = {"participants:chart"}

# A Tuesday morning in New York (EST, before the spring change).
NOW = datetime(2026, 12, 8, 14, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class ChartBannerTestCase(BaseTestCase):
    def admit(self, participant, level=Level.IOP):
        referral = Referral.objects.create(
            participant=participant,
            program=self.program,
            source=Referral.Source.SELF,
            reason="Synthetic",
            consent_to_contact=True,
            stage=Referral.Stage.ADMITTED,
            created_by=self.ivy,
        )
        return EpisodeOfCare.objects.create(
            participant=participant,
            program=self.program,
            referral=referral,
            level_of_care=level,
            admitted_at=timezone.now() - timedelta(days=7),
            admitted_by=self.dana,
        )

    def alert(self, participant, acuity, kind=SafetyAlert.Kind.CLINICIAN_CONCERN):
        return SafetyAlert.objects.create(
            participant=participant,
            kind=kind,
            status=SafetyAlert.Status.OPEN,
            acuity=acuity,
            opened_at=timezone.now(),
            last_triggered_at=timezone.now(),
        )

    def book(self, participant, starts_at, minutes=180):
        track = Track.objects.get_or_create(
            program=self.program, name="Evening", defaults={"starts_on": NOW.date()}
        )[0]
        group = Group.objects.get_or_create(
            track=track, name="Evening A", defaults={"curriculum_starts_on": NOW.date()}
        )[0]
        local = starts_at.astimezone(get_zone("America/New_York"))
        session = Session.objects.create(
            program=self.program,
            group=group,
            kind=Session.Kind.GROUP,
            starts_at=starts_at,
            ends_at=starts_at + timedelta(minutes=minutes),
            local_date=local.date(),
            local_starts_at=local.time(),
            local_ends_at=(local + timedelta(minutes=minutes)).time(),
            timezone="America/New_York",
        )
        return Booking.objects.create(
            session=session, participant=participant, source=Booking.Source.MAKEUP
        )

    def test_the_chart_shows_who_the_person_is(self):
        self.login(self.dana)
        page = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(page, 'class="chart-banner"', count=1)
        self.assertContains(
            page, "<bdi>Patricia (Pat) Lindqvist</bdi></a> (<bdi>she/her</bdi>), age 36"
        )
        self.assertContains(
            page, "<dt>Primary clinician</dt><dd><bdi>Rosa Alvarez, PsyD</bdi></dd>"
        )
        self.assertContains(page, "<dt>Status</dt><dd>No open referral or episode</dd>")
        self.assertContains(page, "<dt>Open alerts</dt><dd>None</dd>")
        self.assertContains(page, "<dt>Next session</dt><dd>None booked</dd>")
        # Not admitted: no hours are expected of her yet.
        self.assertContains(page, "<dt>Hours this week</dt><dd>0.00 of 9.00 h attended</dd>")

    def test_it_shows_the_episode_alerts_next_session_and_hours(self):
        self.admit(self.pat)
        self.alert(self.pat, Acuity.HIGH)
        self.alert(self.pat, Acuity.EMERGENCY, kind=SafetyAlert.Kind.CRITICAL_ITEM)
        # Monday's three hours, attended; Thursday's still to come.
        monday = self.book(self.pat, datetime(2026, 12, 7, 23, 0, tzinfo=UTC))
        monday.minutes_attended = 180
        monday.attendance = Booking.Attendance.PRESENT
        monday.save()
        self.book(self.pat, datetime(2026, 12, 10, 23, 0, tzinfo=UTC))
        self.login(self.dana)
        page = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertContains(page, "<dd>Admitted, Intensive outpatient (IOP)</dd>")
        self.assertContains(page, "<strong>2, highest emergency</strong>")
        # 6 PM in Dana's zone, with its abbreviation.
        self.assertContains(page, "<dt>Next session</dt><dd>Thu 10 Dec, 6:00 PM EST</dd>")
        # Admitted, three hours in and three to come: six, short of the nine-hour minimum.
        self.assertContains(
            page, "<dt>Hours this week</dt><dd>3.00 of 9.00 h attended <strong>(at risk)</strong>"
        )

    def test_it_runs_a_fixed_number_of_queries(self):
        with self.assertNumQueries(BANNER_QUERIES):
            chart_banner(self.pat.pk, now=timezone.now(), zone="America/New_York")
        self.admit(self.pat)
        self.alert(self.pat, Acuity.ELEVATED, kind=SafetyAlert.Kind.DETERIORATION)
        self.alert(self.pat, Acuity.HIGH, kind=SafetyAlert.Kind.CLINICIAN_CONCERN)
        self.alert(self.pat, Acuity.EMERGENCY, kind=SafetyAlert.Kind.CRITICAL_ITEM)
        for day in range(7, 14):
            self.book(self.pat, datetime(2026, 12, day, 23, 0, tzinfo=UTC))
        with self.assertNumQueries(BANNER_QUERIES):
            banner = chart_banner(self.pat.pk, now=timezone.now(), zone="America/New_York")
        self.assertEqual(banner.open_alerts, 3)
        self.assertEqual(banner.top_acuity, "Emergency")

    def test_the_tag_adds_a_fixed_number_of_queries(self):
        """The banner's own queries and the chart gate's second look, whatever the chart holds."""
        template = Template("{% load chart %}{% chart_banner %}")

        def render():
            request = RequestFactory().get("/")
            request.user = self.dana
            request.viewer_zone = "America/New_York"  # type: ignore[attr-defined]
            return template.render(Context({"request": request, "participant": self.pat}))

        with self.assertNumQueries(BANNER_QUERIES + 2):
            self.assertIn("chart-banner", render())
        self.admit(self.pat)
        self.alert(self.pat, Acuity.HIGH, kind=SafetyAlert.Kind.CRITICAL_ITEM)
        self.alert(self.pat, Acuity.ELEVATED, kind=SafetyAlert.Kind.DETERIORATION)
        for day in range(7, 14):
            self.book(self.pat, datetime(2026, 12, day, 23, 0, tzinfo=UTC))
        with self.assertNumQueries(BANNER_QUERIES + 2):
            render()

    def test_participants_see_no_banner_on_their_own_chart(self):
        self.login(self.pat_user)
        page = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "chart-banner")

    def test_a_page_naming_a_chart_the_viewer_cannot_open_has_no_banner(self):
        # Dr. Chen is not on Pat's team: the break-the-glass request names Pat, nothing more.
        self.login(self.chen)
        page = self.client.get(reverse("participants:break_glass", args=[self.pat.code]))
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "chart-banner")

    def test_every_chart_page_carries_the_banner(self):
        """Every page of the matrix that takes a chart's code and answers staff with HTML."""
        pages = [
            name
            for name, entry in MATRIX.items()
            if entry.kwargs is chart_kwargs and entry.method == "GET"
        ]
        checked = 0
        for role in ("dana", "alvarez", "sam", "ivy"):
            user = self.everyone[role]
            self.login(user)
            for name in pages:
                if MATRIX[name].expect.get(role) != 200 or name == "participants:break_glass":
                    continue
                response = self.client.get(reverse(name, kwargs={"code": self.pat.code}))
                if not response["Content-Type"].startswith("text/html"):
                    continue
                with self.subTest(role=role, page=name):
                    self.assertContains(response, 'class="chart-banner"', count=1)
                    # One name format on staff screens (Participant.staff_name); the chart
                    # header alone spells out the legal name, with "goes by".
                    if name not in LEGAL_NAME_PAGES:
                        self.assertNotContains(response, "Patricia Lindqvist</bdi>")
                    checked += 1
        self.assertGreater(checked, 20)

    def test_age_counts_whole_years(self):
        born = datetime(1990, 4, 2).date()
        self.assertEqual(age_on(born, datetime(2026, 4, 1).date()), 35)
        self.assertEqual(age_on(born, datetime(2026, 4, 2).date()), 36)
