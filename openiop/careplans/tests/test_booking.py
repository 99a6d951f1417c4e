"""The plan drives the schedule: an intervention books its series through scheduling."""

from datetime import UTC, date, datetime, time
from typing import ClassVar

import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.careplans import actions
from openiop.careplans.booking import InterventionBookingError
from openiop.careplans.models import Intervention, TreatmentPlan
from openiop.scheduling import actions as scheduling
from openiop.scheduling.errors import ConflictError, LicensureError
from openiop.scheduling.models import Booking, ClinicianAvailability, Session
from openiop.testing import BaseTestCase

# Monday 2 March 2026, 7 AM in New York; the clocks go forward on Sunday 8 March.
NOW = datetime(2026, 3, 2, 12, tzinfo=UTC)
TUESDAY = date(2026, 3, 3)


def make_plan(case, participant, *, status=TreatmentPlan.Status.ACTIVE, **fields):
    return TreatmentPlan.objects.create(
        participant=participant, status=status, created_by=case.alvarez, **fields
    )


def make_intervention(plan, person, **fields):
    values = {
        "modality": Intervention.Modality.INDIVIDUAL,
        "frequency": Intervention.Frequency.WEEKLY,
        "duration_minutes": 50,
        "length_weeks": 4,
        "responsible_person": person,
    }
    values.update(fields)
    return Intervention.objects.create(plan=plan, **values)


@time_machine.travel(NOW, tick=False)
class InterventionBookingTestCase(BaseTestCase):
    plan: ClassVar[TreatmentPlan]
    therapy: ClassVar[Intervention]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for clinician in (cls.alvarez, cls.chen):
            for weekday in range(5):
                ClinicianAvailability.objects.create(
                    clinician=clinician,
                    weekday=weekday,
                    starts_at=time(9),
                    ends_at=time(17),
                    timezone="America/New_York",
                )
        cls.plan = make_plan(cls, cls.pat, review_due_on=date(2026, 4, 1))
        # "Individual therapy weekly, 50 min, with R. Alvarez", for four weeks.
        cls.therapy = make_intervention(cls.plan, cls.alvarez)

    def book(self, intervention=None, first_day=TUESDAY, starts_at=time(10)):
        return actions.book_intervention_series(
            intervention or self.therapy,
            first_day=first_day,
            starts_at=starts_at,
            acting_user=self.alvarez,
        )

    def local_starts(self, sessions):
        return [(s.local_date, s.local_starts_at, s.local_ends_at) for s in sessions]

    def test_it_books_the_weekly_series_at_local_time_across_the_clock_change(self):
        sessions = self.book()
        self.assertEqual(
            [s.starts_at for s in sessions],
            [
                datetime(2026, 3, 3, 15, tzinfo=UTC),  # 10:00 EST
                datetime(2026, 3, 10, 14, tzinfo=UTC),  # 10:00 EDT
                datetime(2026, 3, 17, 14, tzinfo=UTC),
                datetime(2026, 3, 24, 14, tzinfo=UTC),
            ],
        )
        self.assertEqual({s.minutes for s in sessions}, {50})
        self.assertEqual({s.local_ends_at for s in sessions}, {time(10, 50)})
        self.assertEqual({s.kind for s in sessions}, {Session.Kind.INDIVIDUAL})
        self.assertEqual({s.clinician_id for s in sessions}, {self.alvarez.pk})
        self.assertEqual(
            Booking.objects.filter(participant=self.pat, session__in=sessions).count(), 4
        )
        self.therapy.refresh_from_db()
        self.assertEqual(self.therapy.booked_session_codes, [str(s.code) for s in sessions])
        self.assertEqual(self.therapy.booked_at, NOW)

    def test_booking_is_audited_with_codes_and_counts_only(self):
        self.book()
        event = AuditEvent.objects.get(event_type="careplans.intervention_booked")
        self.assertEqual(event.actor, self.alvarez)
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.target_id, str(self.therapy.code))
        self.assertEqual(
            event.details,
            {
                "intervention": str(self.therapy.code),
                "plan": str(self.plan.code),
                "sessions": 4,
                "first_day": "2026-03-03",
            },
        )

    def test_every_other_week_books_each_second_week(self):
        therapy = make_intervention(
            self.plan,
            self.alvarez,
            modality=Intervention.Modality.FAMILY,
            frequency=Intervention.Frequency.EVERY_OTHER_WEEK,
            duration_minutes=60,
            length_weeks=6,
        )
        sessions = self.book(therapy, starts_at=time(14))
        self.assertEqual(
            self.local_starts(sessions),
            [
                (date(2026, 3, 3), time(14), time(15)),
                (date(2026, 3, 17), time(14), time(15)),
                (date(2026, 3, 31), time(14), time(15)),
            ],
        )
        self.assertEqual({s.kind for s in sessions}, {Session.Kind.FAMILY})

    def test_medication_management_books_psychiatry_with_the_prescriber(self):
        quinn_plan = make_plan(self, self.quinn)
        visits = make_intervention(
            quinn_plan,
            self.chen,
            modality=Intervention.Modality.MEDICATION_MANAGEMENT,
            duration_minutes=30,
            length_weeks=2,
        )
        sessions = self.book(visits, starts_at=time(9, 30))
        self.assertEqual({s.kind for s in sessions}, {Session.Kind.PSYCHIATRY})
        self.assertEqual({s.clinician_id for s in sessions}, {self.chen.pk})

    def test_without_a_length_it_books_up_to_the_next_review_and_not_past_discharge(self):
        therapy = make_intervention(self.plan, self.alvarez, length_weeks=None)
        sessions = self.book(therapy)
        # Review due Wed 1 April: Tuesdays 3, 10, 17, 24 and 31 March.
        self.assertEqual([s.local_date.day for s in sessions], [3, 10, 17, 24, 31])
        plan = make_plan(
            self,
            self.quinn,
            review_due_on=date(2026, 4, 1),
            anticipated_discharge_on=date(2026, 3, 12),
        )
        visits = make_intervention(plan, self.chen, length_weeks=None)
        sessions = self.book(visits)
        self.assertEqual([s.local_date.day for s in sessions], [3, 10])

    def test_a_licensure_refusal_names_the_week_and_books_nothing(self):
        # Dr. Alvarez is licensed in New York and New Jersey only.
        self.pat.home_state = "CT"
        self.pat.save()
        with self.assertRaisesMessage(
            LicensureError,
            "Tue 3 Mar 2026: Rosa Alvarez, PsyD is not licensed in Connecticut, "
            "where this participant is.",
        ):
            self.book()
        self.assert_nothing_booked()

    def test_a_conflict_in_a_later_week_refuses_the_whole_series(self):
        scheduling.book_appointment(
            self.quinn,
            clinician=self.alvarez,
            kind=Session.Kind.INDIVIDUAL,
            day=date(2026, 3, 17),
            starts_at=time(10, 30),
            ends_at=time(11, 30),
            acting_user=self.dana,
        )
        with self.assertRaisesMessage(
            ConflictError, "Tue 17 Mar 2026: Rosa Alvarez, PsyD already has a session"
        ):
            self.book()
        self.assert_nothing_booked()

    def test_every_other_week_is_all_or_nothing_too(self):
        therapy = make_intervention(
            self.plan,
            self.alvarez,
            frequency=Intervention.Frequency.EVERY_OTHER_WEEK,
            length_weeks=6,
        )
        scheduling.book_appointment(
            self.quinn,
            clinician=self.alvarez,
            kind=Session.Kind.INDIVIDUAL,
            day=date(2026, 3, 31),
            starts_at=time(10),
            ends_at=time(11),
            acting_user=self.dana,
        )
        with self.assertRaisesMessage(ConflictError, "Tue 31 Mar 2026: Rosa Alvarez, PsyD"):
            self.book(therapy)
        self.assertFalse(Booking.objects.filter(participant=self.pat).exists())
        therapy.refresh_from_db()
        self.assertEqual(therapy.booked_session_codes, [])

    def test_a_single_session_refusal_names_its_day_too(self):
        therapy = make_intervention(self.plan, self.alvarez, length_weeks=1)
        with self.assertRaisesMessage(Exception, "Tue 3 Mar 2026: Rosa Alvarez, PsyD is not"):
            self.book(therapy, starts_at=time(18))

    def assert_nothing_booked(self):
        self.assertFalse(Booking.objects.filter(participant=self.pat).exists())
        self.therapy.refresh_from_db()
        self.assertEqual(self.therapy.booked_session_codes, [])
        self.assertIsNone(self.therapy.booked_at)
        self.assertFalse(
            AuditEvent.objects.filter(event_type="careplans.intervention_booked").exists()
        )

    def test_it_refuses_to_book_a_series_twice(self):
        self.book()
        with self.assertRaisesMessage(InterventionBookingError, "already has 4 upcoming sessions"):
            self.book(first_day=date(2026, 3, 4))
        self.assertEqual(Booking.objects.filter(participant=self.pat).count(), 4)

    def test_it_needs_a_responsible_person(self):
        therapy = make_intervention(self.plan, None)
        with self.assertRaisesMessage(InterventionBookingError, "Name the person responsible"):
            self.book(therapy)

    def test_the_responsible_person_must_take_appointments_in_the_program(self):
        therapy = make_intervention(self.plan, self.ivy)
        with self.assertRaisesMessage(InterventionBookingError, "does not take appointments"):
            self.book(therapy)

    def test_only_plans_in_effect_or_awaiting_signatures_book(self):
        self.plan.status = TreatmentPlan.Status.AWAITING_SIGNATURES
        self.plan.save()
        self.assertEqual(len(self.book()), 4)
        draft = make_plan(self, self.quinn, status=TreatmentPlan.Status.DRAFT)
        visits = make_intervention(draft, self.chen)
        with self.assertRaisesMessage(InterventionBookingError, "this one is draft"):
            self.book(visits)

    def test_group_modalities_are_not_booked_from_the_plan(self):
        group = make_intervention(
            self.plan,
            self.alvarez,
            modality=Intervention.Modality.DBT_SKILLS_GROUP,
            frequency=Intervention.Frequency.AS_SCHEDULED,
        )
        with self.assertRaisesMessage(InterventionBookingError, "book it on the schedule"):
            self.book(group)

    def test_a_start_that_runs_past_midnight_is_refused(self):
        with self.assertRaisesMessage(InterventionBookingError, "past midnight"):
            self.book(starts_at=time(23, 30))


@time_machine.travel(NOW, tick=False)
class InterventionBookingPageTestCase(BaseTestCase):
    plan: ClassVar[TreatmentPlan]
    therapy: ClassVar[Intervention]
    url: ClassVar[str]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        for weekday in (1, 3):  # Tuesdays and Thursdays, 9 AM - noon
            ClinicianAvailability.objects.create(
                clinician=cls.alvarez,
                weekday=weekday,
                starts_at=time(9),
                ends_at=time(12),
                timezone="America/New_York",
            )
        cls.plan = make_plan(cls, cls.pat, review_due_on=date(2026, 4, 1))
        cls.therapy = make_intervention(cls.plan, cls.alvarez)
        cls.url = reverse("careplans:book_intervention", args=[cls.therapy.code])

    def test_the_form_suggests_the_next_day_in_the_clinicians_availability(self):
        self.login(self.alvarez)
        response = self.client.get(self.url)
        self.assertContains(response, 'value="2026-03-03"')
        self.assertContains(response, 'value="09:00"')
        self.assertContains(response, "Times are in America/New_York")
        self.assertEqual(AuditEvent.objects.filter(event_type="careplans.plan_viewed").count(), 1)

    def test_posting_books_and_returns_to_the_plan(self):
        self.login(self.alvarez)
        response = self.client.post(self.url, {"first_day": "2026-03-05", "starts_at": "09:00"})
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Booking.objects.filter(participant=self.pat).count(), 4)
        page = self.client.get(response["Location"])
        self.assertContains(page, "Booked 4 sessions of individual therapy.")

    def test_a_refusal_is_a_form_error_that_keeps_what_was_typed(self):
        self.login(self.alvarez)
        response = self.client.post(self.url, {"first_day": "2026-03-04", "starts_at": "10:00"})
        self.assertContains(
            response,
            "Wed 4 Mar 2026: Rosa Alvarez, PsyD is not available at that time.",
            status_code=400,
        )
        self.assertContains(response, 'value="2026-03-04"', status_code=400)
        self.assertFalse(Booking.objects.exists())

    def test_bad_input_is_refused_with_a_message(self):
        self.login(self.alvarez)
        response = self.client.post(self.url, {"first_day": "3 March", "starts_at": "<b>x</b>"})
        self.assertContains(response, "Enter a valid date.", status_code=400)
        self.assertNotContains(response, "<b>x</b>", status_code=400)

    def test_outsiders_get_404_readers_403_and_other_methods_405(self):
        self.login(self.chen)
        self.assertEqual(self.client.get(self.url).status_code, 404)
        self.login(self.sam)
        self.assertEqual(self.client.get(self.url).status_code, 403)
        self.assertEqual(
            self.client.post(
                self.url, {"first_day": "2026-03-05", "starts_at": "09:00"}
            ).status_code,
            403,
        )
        self.login(self.alvarez)
        self.assertEqual(self.client.put(self.url).status_code, 405)
        self.assertEqual(self.client.delete(self.url).status_code, 405)

    def render_include(self, user, *interventions, plan=None):
        plan = plan or self.plan
        request = RequestFactory().get("/")
        request.user = user
        request.viewer_zone = "America/New_York"  # type: ignore[attr-defined]
        return "".join(
            render_to_string(
                "careplans/_intervention_booking.html",
                {"intervention": intervention, "plan": plan},
                request=request,
            )
            for intervention in interventions
        )

    def test_the_plan_page_include_offers_a_form_to_writers_only(self):
        group = make_intervention(
            self.plan,
            self.alvarez,
            modality=Intervention.Modality.PROCESS_GROUP,
            frequency=Intervention.Frequency.AS_SCHEDULED,
        )
        html = self.render_include(self.alvarez, self.therapy, group)
        self.assertEqual(html.count("<form"), 1)
        self.assertIn(f'action="{self.url}"', html)
        self.assertIn('value="2026-03-03"', html)
        self.assertIn("for 4 weeks", html)
        # A fresh plan object: the include keeps the viewer's access on it for one page.
        plan = TreatmentPlan.objects.get(pk=self.plan.pk)
        self.assertNotIn("<form", self.render_include(self.sam, self.therapy, plan=plan))

    def test_the_include_shows_a_booked_series(self):
        actions.book_intervention_series(
            self.therapy, first_day=TUESDAY, starts_at=time(9), acting_user=self.alvarez
        )
        self.therapy.refresh_from_db()
        html = self.render_include(self.sam, self.therapy)
        self.assertIn("4 upcoming sessions booked on Mon 2 Mar, 7:00 AM EST", html)

    def test_the_include_asks_a_fixed_number_of_queries(self):
        others = [make_intervention(self.plan, self.alvarez) for _ in range(5)]
        # Once per page: the chart-access check, the plan's interventions and the
        # availability of their clinicians.
        with self.assertNumQueries(3):
            self.render_include(self.alvarez, *others)
