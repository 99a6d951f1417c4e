"""The dashboard's pages: who may open them, what the page and the CSV say, the audit trail,
the default period, and a query count that does not grow with the program."""

import csv
import io
from datetime import date, datetime, time
from typing import ClassVar
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.outcomes.tests.dashboard_rows import at, book, score, session, stay, track_and_group
from openiop.participants.models import CareTeamMember
from openiop.programs.models import Group, Program
from openiop.scheduling.models import Session
from openiop.testing import BaseTestCase

# Noon in New York on Tuesday 31 March 2026: the default period is 1 January – 31 March (90 days).
NOW = datetime(2026, 3, 31, 12, tzinfo=ZoneInfo("America/New_York"))


@time_machine.travel(NOW, tick=False)
class DashboardPages(BaseTestCase):
    group: ClassVar[Group]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # A group whose name a spreadsheet would run as a formula.
        cls.group = track_and_group(cls.program, "Evening DBT", '=HYPERLINK("http://x","y")')
        cls.add_people(2)

    @classmethod
    def add_people(cls, count: int) -> None:
        start = Program.objects.count() * 100 + CareTeamMember.objects.count()
        for n in range(count):
            person = cls.make_participant(f"d{start + n}@example.org", f"D{start + n}", "Row", "")
            CareTeamMember.objects.create(
                participant=person,
                clinician=cls.alvarez,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            )
            stay(
                person,
                group=cls.group,
                admitted_at=at(date(2026, 2, 2), 9),
                by=cls.dana,
                discharged_on=date(2026, 3, 20),
            )
            score(person, "phq-9", 15, at(date(2026, 2, 2), 10))
            score(person, "phq-9", 4, at(date(2026, 3, 19), 10))
            index = Session.objects.count()
            held = session(cls.group, date(2026, 3, 2 + index // 20), time(index % 20), 60)
            book(held, person, "present", 180)

    def url(self, name: str = "outcomes:dashboard", program: Program | None = None) -> str:
        return reverse(name, args=[(program or self.program).code])

    def test_director_sees_figures_with_their_denominators(self):
        self.login(self.dana)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Program outcomes: Adult Mental Health IOP")
        # The default period: 90 days to today in the program's zone.
        self.assertContains(response, "Thu 1 Jan 2026 to Tue 31 Mar 2026")
        self.assertContains(
            response, "2 of 2 discharged with two or more PHQ-9 scores: a change of 6 points"
        )
        self.assertContains(response, "2 of 2 discharged with a baseline PHQ-9 ≥ 10")
        self.assertContains(response, "Download these figures as CSV")
        self.assertNotContains(response, "D0 Row")  # nobody is named

    def test_each_view_records_one_read_with_the_period(self):
        self.login(self.dana)
        group = str(self.group.code)
        self.client.get(self.url(), {"start": "2026-03-01", "end": "2026-03-28", "group": group})
        event = AuditEvent.objects.filter(event_type="outcomes.dashboard_viewed").get()
        self.assertEqual(event.target_id, str(self.program.code))
        self.assertIsNone(event.participant_id)
        self.assertEqual(event.details, {"from": "2026-03-01", "to": "2026-03-28", "group": group})

    def test_csv_is_audited_and_formula_safe(self):
        self.login(self.dana)
        response = self.client.get(self.url("outcomes:dashboard_export"), {"start": "2026-03-01"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        self.assertIn(
            'filename="outcomes-2026-03-01-to-2026-03-31.csv"', response["Content-Disposition"]
        )
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        total = rows[0]
        self.assertEqual((total["breakdown"], total["discharges"]), ("all", "2"))
        self.assertEqual(total["phq9_reliable_improvement"], "2")
        self.assertEqual(total["phq9_remission_of"], "2")
        by_group = [row for row in rows if row["breakdown"] == "group"]
        self.assertEqual(by_group[0]["row"], '\'=HYPERLINK("http://x","y") (Evening DBT)')
        by_track = [row for row in rows if row["breakdown"] == "track"]
        self.assertEqual(by_track[0]["row"], "Evening DBT")
        self.assertEqual(
            AuditEvent.objects.filter(event_type="outcomes.dashboard_exported").count(), 1
        )

    def test_others_get_404(self):
        for user in (self.alvarez, self.chen, self.ivy, self.sam):
            self.login(user)
            self.assertEqual(self.client.get(self.url()).status_code, 404, user)
            self.assertEqual(
                self.client.get(self.url("outcomes:dashboard_export")).status_code, 404
            )
        other = Program.objects.create(name="Elsewhere")
        self.login(self.dana)
        self.assertEqual(self.client.get(self.url(program=other)).status_code, 404)
        self.login(self.admin)
        self.assertEqual(self.client.get(self.url(program=other)).status_code, 200)

    def test_a_period_that_ends_before_it_starts_says_so(self):
        self.login(self.dana)
        response = self.client.get(self.url(), {"start": "2026-03-10", "end": "2026-03-01"})
        self.assertContains(response, "The period must end on or after the day it starts.")
        self.assertContains(response, "Showing the last 90 days instead.")

    def test_query_count_does_not_grow_with_the_program(self):
        self.login(self.dana)

        def count() -> int:
            self.client.get(self.url())  # warm the session and the caches
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get(self.url())
            self.assertEqual(response.status_code, 200)
            return len(ctx.captured_queries)

        small = count()
        self.add_people(12)
        self.assertEqual(count(), small)
