"""Issue 9's first "Done when" line as one journey in Chromium (the clinical record end to end).

Dr. Alvarez builds Pat's plan from her intake assessment; Pat signs it on a phone and downloads
her copy; the plan books Pat's weekly individual therapy; Dr. Alvarez takes the attendance of
Evening DBT A (Pat, Quinn and Riley) and writes one group note that becomes three; each chart
shows only its own part; a signed note takes an addendum but no edit; discharging Riley ends
her episode and gives her seat to Lee, the first on the waitlist.

The calendar (New York): everyone is admitted on Friday 6 March 2026 and seated in group A
(Mon/Wed/Thu 18:00-21:00) from Monday 9 March, Lee on its waitlist (three seats). The journey
runs on Monday 9 March at 21:30, after that evening's group.
"""

import re
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.careplans.tests.plan_fixtures import admit_through_intake
from openiop.discharge.tests.base import admit_to_program
from openiop.intake.models import EpisodeOfCare
from openiop.notes.models import Addendum, GroupNote, Note
from openiop.notes.tests.group_helpers import make_plan
from openiop.participants.models import CareTeamMember, Participant
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Booking, ClinicianAvailability, Enrollment, Session
from openiop.scheduling.tests.base import Schedule
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser

NY = ZoneInfo("America/New_York")
ADMITTED = datetime(2026, 3, 6, 10, tzinfo=NY)  # Friday morning
FIRST_DAY = date(2026, 3, 9)  # Monday: the first evening in group A
JOURNEY = datetime(2026, 3, 9, 21, 30, tzinfo=NY)  # that evening, after the group
PHONE = {"width": 390, "height": 844}

OBJECTIVE = "Scores in the mild range on the PHQ-9"
# Each attendee's individual part, with a marker the other charts must not show.
PARTS = {
    "pat": "PAT-PART: practised observe and describe; calmer by the end.",
    "quinn": "QUINN-PART: shared a sleep log; tried paced breathing.",
    "riley": "RILEY-PART: named two emotions during the check-in.",
}
SHARED = "The group practised mindfulness of breath, then observe and describe in pairs."


class ClinicalRecordJourneyTestCase(Schedule, BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(JOURNEY, tick=True))
        super().setUp()
        self.create_schedule()
        self.page.set_default_timeout(20_000)
        for weekday in (1, 3):  # Dr. Alvarez sees people on Tuesdays and Thursdays, 9 to noon
            ClinicianAvailability.objects.create(
                clinician=self.alvarez,
                weekday=weekday,
                starts_at=time(9),
                ends_at=time(12),
                timezone="America/New_York",
            )
        self.riley = self.make_participant("riley@example.org", "Riley", "Okoro", "")
        self.lee = self.make_participant("lee@example.org", "Lee", "Example", "")
        CareTeamMember.objects.create(
            participant=self.riley,
            clinician=self.alvarez,
            role=CareTeamMember.Role.PRIMARY_CLINICIAN,
        )
        with time_machine.travel(ADMITTED, tick=False):
            self.pat_episode = admit_through_intake(self, self.pat)
            self.episodes = {
                "quinn": admit_to_program(self, self.quinn),
                "riley": admit_to_program(self, self.riley),
                "lee": admit_to_program(self, self.lee),
            }
            # Three seats: Pat, Quinn and Riley take them; Lee waits.
            self.enrollments = {
                key: scheduling.admit(
                    person, self.group, starts_on=FIRST_DAY, acting_user=self.dana
                )
                for key, person in (
                    ("pat", self.pat),
                    ("quinn", self.quinn),
                    ("riley", self.riley),
                    ("lee", self.lee),
                )
            }
        self.assertEqual(self.enrollments["lee"].status, Enrollment.Status.WAITLISTED)
        # Quinn's and Riley's plans are in effect already (made by their clinicians).
        self.objectives = {
            "quinn": make_plan(self.quinn, self.chen, "Sleep 7 hours most nights")[0].text,
            "riley": make_plan(self.riley, self.alvarez, "Name one emotion a day")[0].text,
        }
        self.evening = Session.objects.get(group=self.group, local_date=FIRST_DAY)

    # --- helpers -------------------------------------------------------------------------

    def open_as(self, user: Any, viewport: dict[str, int] | None = None) -> Any:
        """A fresh browser context signed in as `user`; it becomes `self.page`."""
        context = self.browser.new_context(viewport=viewport or self.viewport)
        self.addCleanup(context.close)
        self.page = context.new_page()
        self.page.set_default_timeout(20_000)
        self.sign_in(user)
        return self.page

    def shot(self, step: str) -> Path:
        return self.screenshot(f"journey-{step}")

    def assert_accessible(self) -> None:
        self.assertEqual(serious_violations(self.page), [])

    def main_text(self) -> str:
        return str(self.page.locator("main").inner_text())

    def csrf_post(self, path: str, data: dict[str, str]) -> Any:
        """A POST from the signed-in browser (its session and CSRF cookie), not a form."""
        cookies = {c["name"]: c["value"] for c in self.page.context.cookies()}
        return self.page.request.post(
            self.url(path),
            form=data,
            headers={"X-CSRFToken": cookies["csrftoken"], "Referer": self.url(path)},
            max_redirects=0,
        )

    # --- the journey ---------------------------------------------------------------------

    def test_the_clinical_record_from_intake_to_discharge(self):
        staff = self.build_the_plan()
        self.pat_signs_on_her_phone()
        self.page = staff
        self.book_the_weekly_session()
        notes = self.write_the_group_note()
        self.each_chart_shows_only_its_own_part(notes)
        self.signed_note_takes_only_an_addendum(notes["pat"])
        self.discharge_riley()

    def build_the_plan(self) -> Any:
        """1. Dr. Alvarez builds Pat's plan from the intake, submits it and signs it."""
        page = self.page
        self.sign_in(self.alvarez)
        page.goto(self.url(self.pat.get_absolute_url()))
        page.get_by_role("link", name="Treatment plans").click()
        page.get_by_role("button", name="Start a plan from the intake assessment").click()
        page.get_by_role("heading", name="Treatment plan, version 1: draft").wait_for()
        self.assert_accessible()
        self.shot("01-plan-started-from-intake")

        page.get_by_role("link", name="Add a goal to problem 1").click()
        page.get_by_label("Goal", exact=True).fill("Get back to work three days a week")
        page.get_by_role("button", name="Save").click()
        page.get_by_role("heading", name="Goal 1.1").wait_for()

        plan = TreatmentPlan.objects.get(participant=self.pat)
        assert plan.anticipated_discharge_on is not None
        page.get_by_role("link", name="Add an objective to goal 1.1").click()
        page.get_by_label("Objective", exact=True).fill(OBJECTIVE)
        page.get_by_label("Target date").fill(plan.anticipated_discharge_on.isoformat())
        page.get_by_label("Measure target: questionnaire").select_option("phq-9")
        page.get_by_label("Score to reach").select_option("lte")
        page.get_by_label("Target score").fill("9")
        self.assert_accessible()
        self.shot("02-smart-objective")
        page.get_by_role("button", name="Save").click()
        page.get_by_text("PHQ-9 ≤ 9 by").wait_for()

        page.get_by_role("link", name="Add an intervention").click()
        page.get_by_label("Modality").select_option(label="Individual therapy")
        page.get_by_label("Frequency").select_option(label="Weekly")
        page.get_by_label("Duration of each session (minutes)").fill("50")
        page.get_by_label("Responsible person").select_option(
            label="Rosa Alvarez, PsyD, Psychologist"
        )
        page.get_by_label(OBJECTIVE).check()
        page.get_by_role("button", name="Save").click()
        page.get_by_text("Weekly, 50 minutes each, until the next review").wait_for()
        self.assert_accessible()
        self.shot("03-plan-draft-complete")

        page.get_by_role("button", name="Submit for signatures").click()
        page.get_by_text("The plan is locked and waiting for its signatures.").wait_for()
        form = page.locator("form.sign-form")
        form.get_by_label("Type your full name").fill("Rosa Alvarez")
        form.get_by_label("I wrote this plan with the participant").check()
        self.assert_accessible()
        self.shot("04-clinician-signing")
        form.get_by_role("button", name="Sign as primary clinician").click()
        page.get_by_text("You signed the plan as primary clinician.").wait_for()
        plan.refresh_from_db()
        self.assertEqual(plan.status, TreatmentPlan.Status.AWAITING_SIGNATURES)
        self.plan = plan
        return page

    def pat_signs_on_her_phone(self) -> None:
        """2. Pat signs at 390×844; the plan takes effect; she downloads her PDF copy."""
        page = self.open_as(self.pat_user, PHONE)
        page.get_by_role("heading", name="Your treatment plan is ready to sign").wait_for()
        self.assert_accessible()
        self.shot("05-participant-home-plan-to-sign")
        page.get_by_role("link", name="Read and sign your plan").click()
        page.get_by_role("heading", name="Your treatment plan", level=1).wait_for()
        self.assertIn(OBJECTIVE, self.main_text())
        self.assert_accessible()
        page.get_by_label("I took part in making this plan and I agree to it").check()
        page.get_by_label("Type your full name").fill("Patricia Lindqvist")
        self.shot("06-participant-signing-phone")
        page.get_by_role("button", name="Sign", exact=True).click()
        page.get_by_text("Thank you. You signed your treatment plan.").wait_for()
        page.get_by_text("Your plan is in effect.").wait_for()
        width = page.evaluate("document.documentElement.scrollWidth")
        self.assertLessEqual(width, PHONE["width"])
        self.assert_accessible()
        self.shot("07-participant-signed-phone")
        self.plan.refresh_from_db()
        self.assertEqual(self.plan.status, TreatmentPlan.Status.ACTIVE)

        link = page.get_by_role("link", name="Download your copy (PDF)")
        response = page.request.get(self.url(link.get_attribute("href")))
        self.assertEqual(response.status, 200)
        self.assertEqual(response.headers["content-type"], "application/pdf")
        self.assertTrue(response.body().startswith(b"%PDF"))

    def book_the_weekly_session(self) -> None:
        """3. From the intervention on the plan page, the weekly individual series is booked."""
        page = self.page
        page.goto(self.url(self.plan.get_absolute_url()))
        page.get_by_text(re.compile(r"^In effect since .+\.$")).wait_for()
        booking = page.get_by_role("group", name="Book the sessions with Rosa Alvarez, PsyD")
        # The first free slot in her availability: Tuesday 10 March at 9:00.
        self.assertEqual(booking.get_by_label("First session").input_value(), "2026-03-10")
        self.assertEqual(booking.get_by_label("Start time").input_value(), "09:00")
        self.assert_accessible()
        self.shot("08-plan-in-effect-book-intervention")
        booking.get_by_role("button", name="Book the sessions").click()
        message = page.get_by_text(re.compile(r"Booked \d+ sessions of individual therapy\."))
        message.wait_for()
        self.assert_accessible()
        self.shot("09-intervention-booked")

        intervention = Intervention.objects.get(plan=self.plan)
        sessions = Session.objects.filter(code__in=intervention.booked_session_codes)
        self.assertGreaterEqual(sessions.count(), 4)
        for session in sessions:
            self.assertEqual(session.kind, Session.Kind.INDIVIDUAL)
            self.assertEqual(session.clinician, self.alvarez)
            self.assertEqual(session.local_starts_at, time(9))
            self.assertEqual(session.local_date.isoweekday(), 2)  # Tuesdays
            self.assertTrue(
                Booking.objects.filter(
                    session=session, participant=self.pat, status=Booking.Status.BOOKED
                ).exists()
            )
        self.assertIn(f"{sessions.count()} upcoming sessions booked", self.main_text())

    def write_the_group_note(self) -> dict[str, Note]:
        """4. Attendance and one group note for Pat, Quinn and Riley; signing fans it out."""
        page = self.page
        page.goto(self.url(reverse("scheduling:session", args=[self.evening.code])))
        page.get_by_role("link", name="Attendance and group note").click()
        page.get_by_role("heading", name="Attendance and group note").wait_for()
        self.assert_accessible()
        page.get_by_label("Interventions").fill("Mindfulness of breath; observe and describe.")
        page.get_by_label("Shared narrative").fill(SHARED)
        bookings = {b.participant_id: b for b in self.evening.bookings.all()}
        objectives = {"pat": OBJECTIVE, **self.objectives}
        for key, person in (("pat", self.pat), ("quinn", self.quinn), ("riley", self.riley)):
            name = person.short_name
            page.get_by_label(f"Attendance of {name}").select_option("present")
            page.get_by_label(f"Minutes attended of {name}").fill("180")
            page.get_by_label(f"Individual part of {name}").fill(PARTS[key])
            fieldset = page.locator(f"#attendee-{bookings[person.pk].code}")
            fieldset.get_by_label(objectives[key], exact=False).check()
        self.shot("10-group-note-filled")
        page.get_by_role("button", name="Save, check and sign").click()
        page.get_by_text("Signed. 3 attendee notes written").wait_for()
        self.assert_accessible()
        self.shot("11-group-note-signed")

        self.assertEqual(GroupNote.objects.get(session=self.evening).status, "signed")
        notes = {
            key: Note.objects.get(session=self.evening, participant=person)
            for key, person in (("pat", self.pat), ("quinn", self.quinn), ("riley", self.riley))
        }
        for key, note in notes.items():
            self.assertTrue(note.is_signed)
            self.assertEqual(note.individual_text, PARTS[key])
            self.assertEqual(
                [o.text for o in note.objectives.all()], [objectives[key]], f"{key}'s objectives"
            )
        for booking in self.evening.bookings.all():
            self.assertEqual(booking.attendance, "present")
        return notes

    def each_chart_shows_only_its_own_part(self, notes: dict[str, Note]) -> None:
        """5. Each chart's note has the shared part and only that attendee's own part."""
        page = self.page
        for key, person in (("pat", self.pat), ("quinn", self.quinn), ("riley", self.riley)):
            page.goto(self.url(person.get_absolute_url()))
            page.get_by_role("link", name="Progress notes").click()
            page.get_by_role("heading", name=re.compile("^Notes: ")).wait_for()
            page.locator(f'a[href="{reverse("notes:note", args=[notes[key].code])}"]').click()
            page.get_by_role("heading", name="Participation").wait_for()
            text = self.main_text()
            self.assertIn(SHARED, text)
            self.assertIn(PARTS[key], text)
            for other in PARTS.keys() - {key}:
                self.assertNotIn(PARTS[other], text, f"{other}'s part on {key}'s chart")
            self.assert_accessible()
            self.shot(f"12-{key}-chart-group-note")

        # Pat reads her own signed note in the portal, on her phone: her part only.
        staff = self.page
        page = self.open_as(self.pat_user, PHONE)
        page.goto(self.url(reverse("notes:my_notes")))
        page.get_by_role("heading", name="Notes from your sessions").wait_for()
        page.get_by_role("link", name=re.compile("^Group session")).click()
        page.get_by_text(PARTS["pat"]).wait_for()
        text = self.main_text()
        self.assertIn(SHARED, text)
        self.assertNotIn(PARTS["quinn"], text)
        self.assertNotIn(PARTS["riley"], text)
        self.assert_accessible()
        self.shot("13-participant-own-group-note-phone")
        self.page = staff

    def signed_note_takes_only_an_addendum(self, note: Note) -> None:
        """6. No edit form on a signed note, autosave refused with 409; an addendum instead."""
        page = self.page
        response = page.goto(self.url(reverse("notes:edit", args=[note.code])))
        self.assertEqual(response.status, 409)
        page.get_by_role("heading", name="This note is signed").wait_for()
        self.assertEqual(page.locator("main textarea, main input[type=text]").count(), 0)
        self.assert_accessible()
        self.shot("14-signed-note-locked")
        refused = self.csrf_post(
            reverse("notes:autosave", args=[note.code]),
            {"edit_version": str(note.edit_version), "individual_text": "Changed after signing"},
        )
        self.assertEqual(refused.status, 409)
        self.assertEqual(refused.json()["error"], "signed")
        note.refresh_from_db()
        self.assertEqual(note.individual_text, PARTS["pat"])

        page.get_by_role("link", name="Open the note to add an addendum").click()
        page.get_by_label("Reason for the addendum").fill("Information received later")
        page.get_by_label("Addendum", exact=True).fill("Pat emailed her diary card the next day.")
        page.get_by_role("button", name="Add the addendum").click()
        page.get_by_text("Addendum added.").wait_for()
        addendum = page.locator("article.addendum")
        heading = addendum.get_by_role("heading", name=re.compile("Addendum by Rosa Alvarez"))
        self.assertRegex(heading.inner_text(), r"Mon 9 Mar 2026, \d+:\d\d PM EDT")
        self.assertIn("Reason: Information received later", addendum.inner_text())
        self.assertIn("Pat emailed her diary card the next day.", addendum.inner_text())
        self.assertIn(PARTS["pat"], self.main_text())  # the signed text stays as it was
        self.assert_accessible()
        self.shot("15-addendum")
        self.assertEqual(Addendum.objects.get(note=note).author, self.alvarez)

    def discharge_riley(self) -> None:
        """7. Discharging Riley ends her episode; Lee, first on the waitlist, takes her seat."""
        page = self.page
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 3)
        page.goto(self.url(self.riley.get_absolute_url()))
        page.get_by_role("link", name="Discharge", exact=True).click()
        page.get_by_role("heading", name="What discharge does").wait_for()
        self.assert_accessible()
        self.shot("16-discharge-what-it-does")
        page.get_by_role("button", name="Start the discharge summary").click()
        page.get_by_text("Discharge summary started from the record.").wait_for()
        page.get_by_label("Reason for discharge").select_option(label="Completed treatment")
        page.get_by_label("Safety plan (needed to sign)").select_option(
            label="Reviewed and updated with the participant"
        )
        page.get_by_label("Recommended level of care next").select_option(label="Outpatient")
        page.get_by_label("What comes next, for the participant").fill(
            "Weekly therapy with Jordan Lee starts next Monday."
        )
        page.get_by_label("With whom").fill("Jordan Lee, LCSW")
        page.get_by_label("Date", exact=True).fill("2026-03-16")
        page.get_by_label("Time", exact=True).fill("09:00")
        page.get_by_label("Where, or how to join").fill("Riverside Counseling, 12 Main St")
        self.assert_accessible()
        self.shot("17-discharge-summary-edit")
        page.get_by_role("button", name="Save the draft").click()
        page.get_by_text("Draft saved.").wait_for()
        page.get_by_role("button", name="Sign and discharge").click()
        page.get_by_text("Signed. The episode of care is finished").wait_for()
        self.assert_accessible()
        self.shot("18-discharge-signed")

        episode = self.episodes["riley"]
        episode.refresh_from_db()
        self.assertEqual(episode.status, EpisodeOfCare.Status.FINISHED)
        self.enrollments["riley"].refresh_from_db()
        self.assertEqual(self.enrollments["riley"].status, Enrollment.Status.ENDED)
        self.enrollments["lee"].refresh_from_db()
        self.assertEqual(self.enrollments["lee"].status, Enrollment.Status.SEATED)
        self.group.refresh_from_db()
        self.assertEqual(self.group.seated_count, 3)
        riley = Participant.objects.get(pk=self.riley.pk)
        self.assertIsNotNone(riley.discharged_at)

        page.goto(self.url(reverse("scheduling:roster", args=[self.group.code])))
        members = page.get_by_role("region", name="Members").inner_text()
        self.assertIn("Lee E.", members)
        self.assertNotIn("Riley O.", members)
        self.shot("19-roster-after-discharge")

        # The chart is read-only now: the edit page refuses even its primary clinician.
        response = page.goto(self.url(reverse("participants:edit", args=[self.riley.code])))
        self.assertEqual(response.status, 403)
        self.shot("20-discharged-chart-edit-refused")
