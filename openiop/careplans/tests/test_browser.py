from datetime import UTC, date, datetime, time

import pytest
import time_machine

from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.scheduling.models import Booking, ClinicianAvailability
from openiop.testing import BrowserTestCase

pytestmark = pytest.mark.browser

# Monday 2 March 2026, 7 AM in New York; the clock ticks on for TOTP and the live server.
MONDAY_MORNING = datetime(2026, 3, 2, 12, tzinfo=UTC)


class BookFromThePlanBrowserTestCase(BrowserTestCase):
    def setUp(self):
        self.enterContext(time_machine.travel(MONDAY_MORNING, tick=True))
        super().setUp()
        for weekday in (1, 3):  # Tuesdays and Thursdays, 9 AM to noon
            ClinicianAvailability.objects.create(
                clinician=self.alvarez,
                weekday=weekday,
                starts_at=time(9),
                ends_at=time(12),
                timezone="America/New_York",
            )
        plan = TreatmentPlan.objects.create(
            participant=self.pat,
            status=TreatmentPlan.Status.ACTIVE,
            created_by=self.alvarez,
            review_due_on=date(2026, 4, 1),
        )
        self.therapy = Intervention.objects.create(
            plan=plan,
            modality=Intervention.Modality.INDIVIDUAL,
            frequency=Intervention.Frequency.WEEKLY,
            duration_minutes=50,
            length_weeks=4,
            responsible_person=self.alvarez,
        )

    def test_a_clinician_books_the_weekly_individual_session(self):
        self.sign_in(self.alvarez)
        page = self.page
        page.goto(self.url(f"/record/interventions/{self.therapy.code}/book/"))
        page.get_by_role("heading", name="Book individual therapy for Pat L.").wait_for()
        self.assertEqual(page.get_by_label("First session").input_value(), "2026-03-03")
        self.assertEqual(page.get_by_label("Start time").input_value(), "09:00")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("book-intervention")

        # Wednesday is not one of her days: nothing is booked and the week is named.
        page.get_by_label("First session").fill("2026-03-04")
        page.get_by_role("button", name="Book the sessions").click()
        summary = page.locator("[data-error-summary]")
        summary.get_by_text("Wed 4 Mar 2026: Rosa Alvarez, PsyD is not available").wait_for()
        self.assertEqual(page.get_by_label("First session").input_value(), "2026-03-04")
        self.assertEqual(self.serious_violations(), [])
        self.screenshot("book-intervention-refused")
        self.assertFalse(Booking.objects.exists())

        page.get_by_label("First session").fill("2026-03-05")
        page.get_by_role("button", name="Book the sessions").click()
        page.get_by_text("Booked 4 sessions of individual therapy.").wait_for()
        self.assertEqual(Booking.objects.filter(participant=self.pat).count(), 4)
