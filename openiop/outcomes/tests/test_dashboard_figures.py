"""Every figure of the outcomes dashboard against a small cohort worked out by hand.

The program is in New York; the period is Sun 1 – Sat 28 March 2026 (New York dates). Its
whole Monday-to-Sunday weeks are 2–8, 9–15 and 16–22 March. The program's weekly minimum is
set to 3 hours (180 minutes) so that some participant-weeks meet it and some do not.

Seven stays overlap the period (P8's ended before it; Ivo is in another program):

| who | group | primary   | admitted (NY)   | discharged | PHQ-9 (first … last ≤ discharge)  |
|-----|-------|-----------|-----------------|------------|-----------------------------------|
| P1  | A     | Alvarez   | 1 Feb           | 20 Mar     | 18 → 8 (a 12 in between)          |
| P2  | A     | Alvarez   | 10 Feb          | 25 Mar     | 12 → 4 (a 9 the same morning)     |
| P3  | B     | Okafor    | 15 Feb          | 10 Mar     | 14 only (one score)               |
| P4  | B     | Okafor    | 5 Feb           | 5 Mar      | 8 → 15 (last sent from Tokyo)     |
| P5  | A     | Okafor    | 28 Feb 23:30    | 27 Mar     | 16 → 10 (both on 26 Mar)          |
| P6  | B     | Okafor    | 16 Mar          | 26 Mar     | 20 only (next one after discharge)|
| P7  | A     | Alvarez   | 20 Mar          | in care    | none                              |
"""

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal
from typing import ClassVar
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from openiop.accounts.models import User
from openiop.outcomes import dashboard as figures
from openiop.outcomes.tests.dashboard_rows import (
    alert,
    at,
    book,
    score,
    session,
    stay,
    track_and_group,
)
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Group, Program
from openiop.testing import BaseTestCase, make_user

NOW = datetime(2026, 3, 31, 12, tzinfo=ZoneInfo("America/New_York"))
D = date  # short: D(2026, 3, 20)


class HandComputedCohort(BaseTestCase):
    okafor: ClassVar[User]
    a: ClassVar[Group]
    b: ClassVar[Group]
    p: ClassVar[dict[int, Participant]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        Program.objects.filter(pk=cls.program.pk).update(weekly_minimum_hours=Decimal("3.0"))
        cls.program.refresh_from_db()
        cls.okafor = make_user(
            "okafor@example.org",
            "Amara",
            "Okafor",
            User.Role.CLINICIAN,
            discipline=User.Discipline.SOCIAL_WORKER,
        )
        cls.a = track_and_group(cls.program, "Evening DBT", "Evening A")
        cls.b = track_and_group(cls.program, "Morning skills", "Morning B")
        people = {}
        for n, (group, primary) in enumerate(
            [
                (cls.a, cls.alvarez),
                (cls.a, cls.alvarez),
                (cls.b, cls.okafor),
                (cls.b, cls.okafor),
                (cls.a, cls.okafor),
                (cls.b, cls.okafor),
                (cls.a, cls.alvarez),
                (cls.a, cls.alvarez),
            ],
            start=1,
        ):
            person = cls.make_participant(f"p{n}@example.org", f"P{n}", "Cohort", "")
            CareTeamMember.objects.create(
                participant=person,
                clinician=primary,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            )
            people[n] = (person, group)
        cls.p = {n: person for n, (person, _) in people.items()}
        p, dana = cls.p, cls.dana
        # P4 lives in Tokyo: in March 2026 (before New York's DST on the 8th) that is
        # 14 hours ahead of the program.
        p[4].timezone = "Asia/Tokyo"
        p[4].save(update_fields=["timezone"])

        stay(
            p[1],
            group=cls.a,
            admitted_at=at(D(2026, 2, 1), 9),
            by=dana,
            discharged_on=D(2026, 3, 20),
        )
        stay(
            p[2],
            group=cls.a,
            admitted_at=at(D(2026, 2, 10), 9),
            by=dana,
            discharged_on=D(2026, 3, 25),
        )
        stay(
            p[3],
            group=cls.b,
            admitted_at=at(D(2026, 2, 15), 9),
            by=dana,
            discharged_on=D(2026, 3, 10),
        )
        stay(
            p[4],
            group=cls.b,
            admitted_at=at(D(2026, 2, 5), 9),
            by=dana,
            discharged_on=D(2026, 3, 5),
        )
        # 23:30 on 28 Feb in New York is already 1 March in UTC: not an admission of the period.
        stay(
            p[5],
            group=cls.a,
            admitted_at=at(D(2026, 2, 28), 23, 30),
            by=dana,
            discharged_on=D(2026, 3, 27),
        )
        stay(
            p[6],
            group=cls.b,
            admitted_at=at(D(2026, 3, 16), 9),
            by=dana,
            discharged_on=D(2026, 3, 26),
        )
        stay(p[7], group=cls.a, admitted_at=at(D(2026, 3, 20), 9), by=dana)
        stay(
            p[8],
            group=cls.a,
            admitted_at=at(D(2026, 1, 5), 9),
            by=dana,
            discharged_on=D(2026, 2, 20),
        )

        # Another program's discharge in the period counts nowhere here.
        other = Program.objects.create(name="Other program")
        ivo = cls.make_participant("ivo@example.org", "Ivo", "Elsewhere", "", program=other)
        stay(
            ivo, group=None, admitted_at=at(D(2026, 2, 1), 9), by=dana, discharged_on=D(2026, 3, 15)
        )
        score(ivo, "phq-9", 20, at(D(2026, 2, 2), 9))
        score(ivo, "phq-9", 2, at(D(2026, 3, 14), 9))

        # Scores.
        score(p[1], "phq-9", 18, at(D(2026, 2, 2), 10))
        score(p[1], "phq-9", 12, at(D(2026, 3, 1), 10))
        score(p[1], "phq-9", 8, at(D(2026, 3, 19), 10))
        score(p[1], "phq-9", None, at(D(2026, 3, 20), 8))  # incomplete: never a score
        score(p[1], "gad-7", 12, at(D(2026, 2, 2), 10))
        score(p[1], "gad-7", 6, at(D(2026, 3, 19), 10))
        score(p[2], "phq-9", 12, at(D(2026, 2, 11), 10))
        score(p[2], "phq-9", 9, at(D(2026, 3, 24), 9))
        score(p[2], "phq-9", 4, at(D(2026, 3, 24), 15))
        score(p[2], "gad-7", 10, at(D(2026, 2, 11), 10))
        score(p[3], "phq-9", 14, at(D(2026, 2, 16), 10))
        score(p[4], "phq-9", 8, at(D(2026, 2, 6), 10))
        # 09:30 on 6 March in Tokyo = 19:30 on 5 March in New York: on the discharge date.
        score(p[4], "phq-9", 15, at(D(2026, 3, 6), 9, 30, zone="Asia/Tokyo"))
        # 15:00 on 6 March in Tokyo = 01:00 on 6 March in New York: after the discharge date.
        score(p[4], "phq-9", 3, at(D(2026, 3, 6), 15, zone="Asia/Tokyo"))
        score(p[5], "phq-9", 16, at(D(2026, 3, 26), 10))
        score(p[5], "phq-9", 10, at(D(2026, 3, 26), 16))
        score(p[6], "phq-9", 20, at(D(2026, 3, 17), 10))
        score(p[6], "phq-9", 2, at(D(2026, 3, 28), 10))  # two days after discharge

        # Safety alerts: deterioration in the period for P4 and P7; others do not count.
        alert(p[4], "deterioration", at(D(2026, 3, 5), 20))
        alert(p[7], "deterioration", at(D(2026, 3, 25), 12))
        alert(p[1], "critical_item", at(D(2026, 3, 10), 12))
        alert(p[8], "deterioration", at(D(2026, 2, 15), 12))

        # Sessions: group A on Mondays at 18:00, group B on Tuesdays at 09:30 (180 minutes).
        evening, morning = time(18), time(9, 30)
        feb23 = session(cls.a, D(2026, 2, 23), evening)
        book(feb23, p[1], "present", 180)  # before the period
        m2, m9, m16, m23 = (session(cls.a, D(2026, 3, d), evening) for d in (2, 9, 16, 23))
        t3, t10, t17, t24 = (session(cls.b, D(2026, 3, d), morning) for d in (3, 10, 17, 24))
        cancelled = session(
            cls.b,
            D(2026, 3, 12),
            morning,
            status="cancelled",
            cancelled_at=at(D(2026, 3, 1), 9),
            cancel_reason="holiday",
        )
        book(m2, p[1], "present", 180)
        book(m2, p[2], "late", 150)
        book(m9, p[1], "present", 180)
        book(m9, p[2], "absent", 0)
        book(m9, p[5], "present", 180)
        book(m16, p[1], "excused", 0)
        book(m16, p[2], "present", 180)
        book(m16, p[5], "left_early", 120)
        book(m23, p[2], "present", 180)
        book(m23, p[5], "absent", 0)
        book(m23, p[7], "present", 180)
        book(t3, p[3], "present", 180)
        book(t3, p[4], "present", 180)
        book(t10, p[3])  # nobody recorded attendance
        book(t10, p[1], status="released")  # released: not a place any more
        book(t17, p[6], "present", 180)
        book(t24, p[6], "absent", 0)
        book(cancelled, p[3])

    def figures(self, **chosen) -> figures.Dashboard:
        filters = figures.Filters(D(2026, 3, 1), D(2026, 3, 28), **chosen)
        return figures.dashboard(
            self.program, filters, now=NOW, options=figures.choices(self.program)
        )

    def test_whole_program(self):
        total = self.figures().total
        # Stays overlapping 1–28 March: P1–P7 (P8 ended on 20 Feb).
        self.assertEqual(total.in_care, 7)
        # Admitted 1–28 March (New York dates): P6 (16th) and P7 (20th); P5's 23:30 on
        # 28 Feb is 1 March only in UTC.
        self.assertEqual(total.admissions, 2)
        # Still in care at the end of 28 March: P7 only.
        self.assertEqual(total.census, 1)
        # Discharged 1–28 March: P1, P2, P3, P4, P5, P6 (not P8 in Feb, not Ivo elsewhere).
        self.assertEqual(total.discharges, 6)
        # Days from admission to discharge: P1 1 Feb→20 Mar 47, P2 10 Feb→25 Mar 43,
        # P3 15 Feb→10 Mar 23, P4 5 Feb→5 Mar 28, P5 28 Feb→27 Mar 27, P6 16→26 Mar 10;
        # 178 / 6 = 29.67 days.
        assert total.los_days is not None
        self.assertAlmostEqual(total.los_days, 178 / 6)

        # Attendance in held sessions 1–28 March (the cancelled one and the released place
        # left out): attended m2 P1 P2, m9 P1 P5, m16 P2 P5, m23 P2 P7, t3 P3 P4, t17 P6 = 11;
        # absent m9 P2, m23 P5, t24 P6 = 3; excused m16 P1 = 1; unrecorded t10 P3 = 1.
        # Rate = 11 / (11 + 3) = 78.6 %; excused and unrecorded places are not in it.
        self.assertEqual(total.attendance, figures.Rate(11, 14))
        self.assertEqual((total.excused, total.unrecorded), (1, 1))

        # Participant-weeks in the whole weeks 2–8, 9–15 and 16–22 March (m23 and t24 fall
        # in the week of 23 March, which runs past the period):
        #   week of 2nd:  P1 180, P2 150, P3 180, P4 180          = 690 min, 3 meet 180
        #   week of 9th:  P1 180, P2 0, P5 180, P3 0 (unrecorded)  = 360 min, 2 meet
        #   week of 16th: P1 0 (excused), P2 180, P5 120, P6 180   = 480 min, 2 meet
        # 12 participant-weeks, 1,530 minutes: 127.5 min = 2.125 h a week; 7 of 12 meet 3 h.
        self.assertEqual(total.weeks, 12)
        self.assertEqual(total.minutes, 1530)
        self.assertAlmostEqual(total.hours_per_week or 0, 2.125)
        self.assertEqual(total.meeting_minimum, figures.Rate(7, 12))

        # Deterioration alerts opened in the period: P4 (5 Mar) and P7 (25 Mar), of 7 in care.
        self.assertEqual(total.deterioration, figures.Rate(2, 7))

    def test_phq9_at_discharge(self):
        phq = self.figures().total.outcomes["phq-9"]
        self.assertEqual(phq.discharged, 6)
        # Everyone discharged has a PHQ-9 on or before their discharge date.
        self.assertEqual(phq.with_baseline, 6)
        # Two or more scores: P1 18→8, P2 12→4, P4 8→15, P5 16→10. P3 has one score; P6's
        # second came after discharge.
        self.assertEqual(phq.judged, 4)
        self.assertEqual(phq.one_score_only, 2)
        # Reliable improvement (a fall of 6 or more): P1 −10, P2 −8, P5 −6 (at the boundary).
        self.assertEqual(phq.improved, figures.Rate(3, 4))
        # Reliable deterioration (a rise of 6 or more): P4 +7 (the 3 after discharge is not
        # the last score: 01:00 on 6 March in New York is after the discharge date).
        self.assertEqual(phq.deteriorated, figures.Rate(1, 4))
        # Response (at least 50 % of the baseline gone), of those with a baseline above 0:
        # P1 10/18 = 56 % yes, P2 8/12 = 67 % yes, P4 worse, P5 6/16 = 38 % no.
        self.assertEqual(phq.response, figures.Rate(2, 4))
        # Remission (last < 5) of those with a baseline of 10 or more: P1 (18), P2 (12),
        # P5 (16); only P2 ends below 5 (4). P4's baseline of 8 is not a case.
        self.assertEqual(phq.remission, figures.Rate(1, 3))

    def test_gad7_at_discharge(self):
        gad = self.figures().total.outcomes["gad-7"]
        # P1 12→6; P2 has one GAD-7 (10); nobody else has one.
        self.assertEqual((gad.with_baseline, gad.judged), (2, 1))
        # A fall of 6 is reliable (≥ 4); 6/12 is exactly 50 %: a response; 6 is not < 5.
        self.assertEqual(gad.improved, figures.Rate(1, 1))
        self.assertEqual(gad.deteriorated, figures.Rate(0, 1))
        self.assertEqual(gad.response, figures.Rate(1, 1))
        # P1's baseline 12 is a case (≥ 8).
        self.assertEqual(gad.remission, figures.Rate(0, 1))

    def test_filtered_by_clinician(self):
        # Okafor is primary clinician of P3, P4, P5 and P6.
        total = self.figures(clinician=self.okafor).total
        self.assertEqual((total.in_care, total.admissions, total.census), (4, 1, 0))
        self.assertEqual(total.discharges, 4)
        # 23 + 28 + 27 + 10 = 88 days over 4.
        self.assertAlmostEqual(total.los_days or 0, 22)
        phq = total.outcomes["phq-9"]
        # Judged: P4 (8→15) and P5 (16→10).
        self.assertEqual(phq.improved, figures.Rate(1, 2))
        self.assertEqual(phq.deteriorated, figures.Rate(1, 2))
        self.assertEqual(phq.response, figures.Rate(0, 2))
        self.assertEqual(phq.remission, figures.Rate(0, 1))
        # Attended: m9 P5, m16 P5, t3 P3 P4, t17 P6 = 5; absent m23 P5, t24 P6 = 2.
        self.assertEqual(total.attendance, figures.Rate(5, 7))
        self.assertEqual(total.deterioration, figures.Rate(1, 4))

    def test_filtered_by_group_and_track_agree(self):
        by_group = self.figures(group=self.b).total
        by_track = self.figures(track=self.b.track).total
        self.assertEqual(by_group, by_track)
        # Group B: P3, P4, P6. Discharged all three: 23 + 28 + 10 = 61 days.
        self.assertEqual((by_group.in_care, by_group.discharges), (3, 3))
        self.assertAlmostEqual(by_group.los_days or 0, 61 / 3)
        # Weeks: week of 2nd P3 180, P4 180; week of 9th P3 0; week of 16th P6 180.
        self.assertEqual((by_group.weeks, by_group.minutes), (4, 540))
        self.assertEqual(by_group.meeting_minimum, figures.Rate(3, 4))

    def test_breakdown_rows_add_up(self):
        result = self.figures()
        by_clinician = {row.label: row for row in result.breakdowns["clinician"]}
        self.assertEqual(set(by_clinician), {"Rosa Alvarez, PsyD", "Amara Okafor"})
        alvarez, okafor = by_clinician["Rosa Alvarez, PsyD"], by_clinician["Amara Okafor"]
        # Alvarez: P1, P2, P7 in care; P1, P2 discharged.
        self.assertEqual((alvarez.in_care, alvarez.discharges), (3, 2))
        self.assertEqual(alvarez.in_care + okafor.in_care, result.total.in_care)
        self.assertEqual(
            alvarez.attendance.numerator + okafor.attendance.numerator,
            result.total.attendance.numerator,
        )
        # A breakdown row and the page filtered to it agree, figure for figure.
        self.assertEqual(replace(okafor, label="All"), self.figures(clinician=self.okafor).total)
        groups = [row.label for row in result.breakdowns["group"]]
        self.assertEqual(groups, ["Evening A (Evening DBT)", "Morning B (Morning skills)"])

    def test_an_empty_period_has_no_figures_and_no_errors(self):
        filters = figures.Filters(D(2025, 1, 1), D(2025, 1, 2))
        result = figures.dashboard(
            self.program, filters, now=NOW, options=figures.choices(self.program)
        )
        self.assertEqual(result.total.discharges, 0)
        self.assertIsNone(result.total.los_days)
        self.assertIsNone(result.total.attendance.percent)
        self.assertIsNone(result.weeks)
        self.assertEqual(result.total.outcomes["phq-9"].improved, figures.Rate(0, 0))

    def test_query_count_does_not_grow_with_the_cohort(self):
        def count() -> int:
            options = figures.choices(self.program)
            with CaptureQueriesContext(connection) as ctx:
                figures.dashboard(
                    self.program,
                    figures.Filters(D(2026, 3, 1), D(2026, 3, 28), clinician=self.alvarez),
                    now=NOW,
                    options=options,
                )
            return len(ctx.captured_queries)

        before = count()
        for n in range(10):
            person = self.make_participant(f"more{n}@example.org", f"More{n}", "Cohort", "")
            CareTeamMember.objects.create(
                participant=person,
                clinician=self.alvarez,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
            )
            stay(person, group=self.a, admitted_at=at(D(2026, 2, 1), 9), by=self.dana,
                 discharged_on=D(2026, 3, 20))  # fmt: skip
            score(person, "phq-9", 15, at(D(2026, 2, 2), 9))
            score(person, "phq-9", 5, at(D(2026, 3, 18), 9))
        with time_machine.travel(NOW):
            self.assertEqual(count(), before)
        # JIT off, the rules, the measures' versions, then four families for the whole and
        # for each of three breakdowns (and, inside the test's transaction, a savepoint and
        # its release).
        self.assertEqual(before, 3 + 4 * 4 + 2)
