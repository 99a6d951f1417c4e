import pytest
import time_machine
from django.urls import reverse

from openiop.notes.models import GroupNote, Note
from openiop.notes.tests.group_helpers import AFTER, DAY, book, make_group_session, make_plan
from openiop.scheduling.tests.base import Schedule
from openiop.testing import BrowserTestCase, serious_violations

pytestmark = pytest.mark.browser


class GroupNoteInOnePassTestCase(Schedule, BrowserTestCase):
    """Dr. Alvarez takes the attendance of three attendees and writes their group note."""

    def setUp(self):
        self.enterContext(time_machine.travel(AFTER, tick=True))
        super().setUp()
        self.create_schedule()
        self.riley = self.make_participant("riley@example.org", "Riley", "Okoro", "")
        self.session = make_group_session(self.group, DAY)
        pat, quinn, riley = book(self.session, self.pat, self.quinn, self.riley)
        self.bookings = {"pat": pat, "quinn": quinn, "riley": riley}
        self.objectives = {
            "pat": make_plan(self.pat, self.alvarez, "Use TIPP once a day"),
            "quinn": make_plan(self.quinn, self.chen, "Sleep 7 hours most nights"),
            "riley": make_plan(self.riley, self.alvarez, "Name one emotion a day"),
        }

    def fill_attendee(self, who: str, name: str, attendance: str, minutes: str, text: str):
        page = self.page
        fieldset = page.locator(f"#attendee-{self.bookings[who].code}")
        page.get_by_label(f"Attendance of {name}").select_option(attendance)
        page.get_by_label(f"Minutes attended of {name}").fill(minutes)
        page.get_by_label(f"Individual part of {name}").fill(text)
        fieldset.get_by_label(self.objectives[who][0].text, exact=False).check()

    def test_the_facilitator_writes_one_note_for_three_attendees(self):
        page = self.page
        self.sign_in(self.alvarez)
        page.goto(self.url(reverse("scheduling:session", args=[self.session.code])))
        page.get_by_role("link", name="Attendance and group note").click()
        page.get_by_role("heading", name="Attendance and group note").wait_for()
        self.assertEqual(page.get_by_label("Topic").input_value(), "Mindfulness")
        self.assertEqual(serious_violations(page), [])

        # Autosave keeps what is typed: a reload shows it.
        page.get_by_label("Shared narrative").fill("Quinn opened with a mindfulness bell.")
        page.get_by_text("Draft saved at").wait_for()
        page.reload()
        narrative = page.get_by_label("Shared narrative")
        self.assertEqual(narrative.input_value(), "Quinn opened with a mindfulness bell.")

        page.get_by_label("Interventions").fill("Mindfulness of breath; observe and describe.")
        self.fill_attendee("pat", "Pat L.", "present", "180", "Practised observe; calmer after.")
        self.fill_attendee("quinn", "Quinn M.", "late", "150", "Arrived late; shared a sleep log.")
        page.get_by_label("Attendance of Riley O.").select_option("absent")
        self.assertFalse(page.get_by_label("Individual part of Riley O.").is_visible())
        page.get_by_label("Reason for absence of Riley O.").fill("Called in sick")
        page.get_by_role("button", name="Save, check and sign").click()
        page.get_by_text("Not signed: 1 check before signing needs your attention.").wait_for()
        self.assertIn("The shared narrative names a group member", page.content())
        self.assertEqual(serious_violations(page), [])
        self.screenshot("notes-group-note-checks")
        self.assertFalse(Note.objects.exists())

        page.get_by_role("link", name="Go to it").first.click()
        page.get_by_label("Shared narrative").fill("The group opened with a mindfulness bell.")
        page.get_by_role("button", name="Save, check and sign").click()
        page.get_by_text("Signed. 2 attendee notes written; 1 absent").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("notes-group-note-signed")

        self.assertEqual(GroupNote.objects.get().status, GroupNote.Status.SIGNED)
        notes = {n.participant_id: n for n in Note.objects.all()}
        self.assertEqual(set(notes), {self.pat.pk, self.quinn.pk})
        self.assertNotIn("sleep log", notes[self.pat.pk].individual_text)
        self.assertNotIn("observe", notes[self.quinn.pk].individual_text)
        self.bookings["riley"].refresh_from_db()
        self.assertEqual(self.bookings["riley"].attendance, "absent")
