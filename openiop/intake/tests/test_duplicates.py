"""Duplicate detection at referral (docs/intake.md, "Duplicate detection"): details that match
an existing chart never make a silent second chart."""

from datetime import date
from typing import ClassVar

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.intake import actions
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.intake.tests.test_workflow import IntakeTestCase
from openiop.participants.actions import PossibleDuplicates
from openiop.participants.matching import Answer
from openiop.participants.models import DuplicateDecision, Participant
from openiop.programs.models import Program, ProgramMembership
from openiop.testing import BaseTestCase


def referral_form(**person) -> dict:
    """The new-referral form as typed: by default Pat's name and birth date, other contacts."""
    data = {
        "person-given_name": "Patricia",
        "person-family_name": "Lindqvist",
        "person-preferred_name": "",
        "person-pronouns": "",
        "person-date_of_birth": "1990-04-02",
        "person-home_state": "NY",
        "person-timezone": "America/New_York",
        "person-phone": "555-555-0177",
        "person-email": "",
        "person-emergency_contact_name": "",
        "person-emergency_contact_phone": "",
        "person-emergency_contact_relationship": "",
        "referral-source": "primary_care",
        "referral-referrer": "Dr. Example of Elm Street",
        "referral-reason": "Low mood since the spring",
        "referral-consent_to_contact": "on",
    }
    data.update({f"person-{k}": v for k, v in person.items()})
    return data


class DuplicateReferralTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.form = referral_form(program=self.program.pk)
        self.url = reverse("intake:new")
        self.login(self.ivy)

    def answer(self, choice, reason="", compared=None, hidden=0, **person):
        return {
            **self.form,
            **{f"person-{k}": v for k, v in person.items()},
            "duplicate-choice": choice,
            "duplicate-reason": reason,
            "duplicate-compared": str(self.pat.code) if compared is None else compared,
            "duplicate-hidden": str(hidden),
        }

    def test_a_referral_with_an_existing_name_and_birth_date_makes_no_second_chart(self):
        charts = Participant.objects.count()
        response = self.client.post(self.url, self.form)
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Participant.objects.count(), charts)
        self.assertFalse(Referral.objects.exists())
        self.assertContains(response, "Is this someone who already has a chart?", status_code=409)
        self.assertContains(response, "Adult Mental Health IOP", status_code=409)
        self.assertContains(response, "name and date of birth", status_code=409)
        self.assertContains(response, "No open referral or episode", status_code=409)
        self.assertContains(response, f"same:{self.pat.code}", status_code=409)
        # Pat's chart is described, so the read is on her trail; Quinn's (same birth date,
        # another name, the same phone as Pat but not as typed) is not.
        shown = AuditEvent.objects.filter(event_type="participant.duplicate_shown")
        self.assertEqual([e.participant_id for e in shown], [self.pat.pk])

    def test_what_was_typed_is_kept_across_the_prompt(self):
        response = self.client.post(self.url, self.form)
        for value in ("Dr. Example of Elm Street", "Low mood since the spring", "555-555-0177"):
            self.assertContains(response, value, status_code=409)
        self.assertContains(response, 'value="Patricia"', status_code=409)
        self.assertContains(response, 'name="duplicate-hidden" value="0"', status_code=409)

    def test_the_same_person_adds_the_referral_to_the_existing_chart(self):
        charts = Participant.objects.count()
        response = self.client.post(self.url, self.answer(f"same:{self.pat.code}"))
        referral = Referral.objects.get()
        self.assertRedirects(response, referral.get_absolute_url(), fetch_redirect_response=False)
        self.assertEqual(referral.participant, self.pat)
        self.assertEqual(referral.reason, "Low mood since the spring")
        self.assertEqual(Participant.objects.count(), charts)
        decision = DuplicateDecision.objects.get()
        self.assertEqual(
            (decision.decision, decision.reason, decision.compared, decision.chart),
            ("same_person", "", self.pat, self.pat),
        )
        self.assertEqual(decision.rules, ["name_and_birth_date"])
        self.assertEqual(decision.decided_by, self.ivy)
        event = AuditEvent.objects.get(event_type="participant.duplicate_decided")
        self.assertEqual(event.details["decision"], "same_person")
        self.assertEqual(event.details["compared"], str(self.pat.code))
        created = AuditEvent.objects.get(event_type="intake.referral_created")
        self.assertEqual(created.details["kind"], "existing_chart")
        self.assertFalse(AuditEvent.objects.filter(event_type="participant.created").exists())

    def test_a_different_person_needs_a_reason(self):
        response = self.client.post(self.url, self.answer("different"))
        self.assertContains(response, "Choose why this is a different person.", status_code=409)
        self.assertFalse(Referral.objects.exists())
        self.assertFalse(DuplicateDecision.objects.exists())

    def test_a_different_person_makes_a_new_chart_and_is_recorded(self):
        response = self.client.post(self.url, self.answer("different", "checked_details"))
        referral = Referral.objects.get()
        self.assertRedirects(response, referral.get_absolute_url(), fetch_redirect_response=False)
        self.assertNotIn(referral.participant_id, (self.pat.pk, self.quinn.pk))
        decision = DuplicateDecision.objects.get()
        self.assertEqual(
            (decision.decision, decision.reason, decision.context),
            ("different_person", "checked_details", "referral"),
        )
        self.assertEqual((decision.compared, decision.chart), (self.pat, referral.participant))
        event = AuditEvent.objects.get(event_type="participant.duplicate_decided")
        self.assertEqual(
            event.details,
            {
                "context": "referral",
                "decision": "different_person",
                "reason": "checked_details",
                "rules": ["name_and_birth_date"],
                "compared": str(self.pat.code),
            },
        )

    def test_no_match_saves_as_before(self):
        form = referral_form(program=self.program.pk, given_name="Robin", family_name="Okafor")
        response = self.client.post(self.url, form)
        referral = Referral.objects.get()
        self.assertRedirects(response, referral.get_absolute_url(), fetch_redirect_response=False)
        self.assertFalse(DuplicateDecision.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(event_type="participant.duplicate_shown"))

    def test_the_same_phone_prompts(self):
        # Pat and Quinn share a number (a household phone).
        Participant.objects.filter(pk=self.quinn.pk).update(phone=self.pat.phone)
        form = referral_form(
            program=self.program.pk,
            given_name="Robin",
            family_name="Okafor",
            phone="+1 555 555 0100",
        )
        response = self.client.post(self.url, form)
        self.assertContains(response, "phone number", status_code=409)
        # Both charts with that number are shown.
        self.assertContains(response, f"same:{self.pat.code}", status_code=409)
        self.assertContains(response, f"same:{self.quinn.code}", status_code=409)
        self.assertFalse(Referral.objects.exists())

    def test_the_same_email_prompts(self):
        form = referral_form(
            program=self.program.pk,
            given_name="Robin",
            family_name="Okafor",
            phone="",
            email="QUINN@example.org",
        )
        response = self.client.post(self.url, form)
        self.assertContains(response, "email address", status_code=409)
        self.assertNotContains(response, f"same:{self.pat.code}", status_code=409)

    def test_a_match_that_appears_after_the_prompt_prompts_again(self):
        # "Different person" was answered about Pat only; the email now also matches Quinn.
        answer = self.answer("different", "checked_details", email="quinn@example.org")
        response = self.client.post(self.url, answer)
        self.assertEqual(response.status_code, 409)
        self.assertFalse(Referral.objects.exists())

    def test_a_chart_with_an_open_referral_is_not_referred_twice(self):
        self.client.post(self.url, self.answer(f"same:{self.pat.code}"))
        response = self.client.post(self.url, self.form)
        self.assertContains(response, "already in intake or admitted here", status_code=409)
        self.assertNotContains(response, f"same:{self.pat.code}", status_code=409)
        response = self.client.post(self.url, self.answer(f"same:{self.pat.code}"))
        self.assertEqual(response.status_code, 409)
        self.assertEqual(Referral.objects.count(), 1)
        with self.assertRaisesMessage(actions.IntakeError, "already has an open referral"):
            actions.create_referral(
                program=self.program,
                person={
                    "given_name": "Patricia",
                    "family_name": "Lindqvist",
                    "date_of_birth": self.pat.date_of_birth,
                    "home_state": "NY",
                },
                referral={"source": "self", "reason": "x", "consent_to_contact": True},
                acting_user=self.ivy,
                answer=Answer(decision="same_person", same_as=str(self.pat.code)),
            )

    def test_the_action_refuses_to_guess(self):
        with self.assertRaises(PossibleDuplicates):
            actions.create_referral(
                program=self.program,
                person={
                    "given_name": "pátricia ",
                    "family_name": "LINDQVIST",
                    "date_of_birth": self.pat.date_of_birth,
                    "home_state": "NY",
                },
                referral={"source": "self", "reason": "x", "consent_to_contact": True},
                acting_user=self.ivy,
            )
        self.assertFalse(Referral.objects.exists())


class ChartsElsewhereTestCase(BaseTestCase):
    """Only charts in the programs the user works in are compared; of those, a chart in the
    referral's program that the user may not open stops the save but is never described."""

    other: ClassVar[Program]
    elsewhere: ClassVar[Participant]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.other = Program.objects.create(name="Adolescent IOP")
        # Pat's details, on a chart of a program Ivy does not work in.
        cls.elsewhere = Participant.objects.create(
            program=cls.other,
            given_name="Patricia",
            family_name="Lindqvist",
            date_of_birth=cls.pat.date_of_birth,
            home_state="NY",
        )

    def test_a_chart_in_a_program_the_user_does_not_work_in_is_not_compared(self):
        ProgramMembership.objects.create(program=self.other, user=self.dana)
        Participant.objects.filter(pk=self.pat.pk).update(given_name="Paula")
        self.login(self.ivy)
        response = self.client.post(reverse("intake:new"), referral_form(program=self.program.pk))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(DuplicateDecision.objects.exists())

    def test_a_chart_the_user_cannot_open_in_the_same_program_is_only_counted(self):
        # Dana works in the other program as staff (not its director): she may refer there but
        # not open its charts.
        ProgramMembership.objects.create(program=self.other, user=self.dana)
        self.login(self.dana)
        form = referral_form(program=self.other.pk)
        response = self.client.post(reverse("intake:new"), form)
        self.assertContains(
            response, "1 chart in Adolescent IOP that you cannot open", status_code=409
        )
        self.assertNotContains(response, str(self.elsewhere.code), status_code=409)
        # Pat's chart, in the program Dana directs, is described but cannot take a referral
        # to another program.
        self.assertContains(response, "This chart belongs to another program", status_code=409)
        self.assertNotContains(response, f"same:{self.pat.code}", status_code=409)
        self.assertFalse(Referral.objects.exists())
        response = self.client.post(
            reverse("intake:new"),
            {
                **form,
                "duplicate-choice": "different",
                "duplicate-reason": "cannot_open",
                "duplicate-compared": str(self.pat.code),
                "duplicate-hidden": "1",
            },
        )
        self.assertEqual(response.status_code, 302)
        decisions = DuplicateDecision.objects.order_by("compared__family_name", "compared_id")
        self.assertEqual(
            {(d.compared_id, d.reason) for d in decisions},
            {(self.elsewhere.pk, "cannot_open"), (self.pat.pk, "cannot_open")},
        )

    def test_the_same_person_cannot_be_chosen_for_a_chart_the_user_cannot_open(self):
        ProgramMembership.objects.create(program=self.other, user=self.dana)
        self.login(self.dana)
        form = referral_form(program=self.other.pk)
        response = self.client.post(
            reverse("intake:new"),
            {
                **form,
                "duplicate-choice": f"same:{self.elsewhere.code}",
                "duplicate-hidden": "1",
            },
        )
        self.assertEqual(response.status_code, 409)
        self.assertFalse(Referral.objects.exists())

    def test_answer_for_another_programs_chart_cannot_link_it(self):
        with self.assertRaises(PossibleDuplicates):
            actions.create_referral(
                program=self.program,
                person={
                    "given_name": "Patricia",
                    "family_name": "Lindqvist",
                    "date_of_birth": self.pat.date_of_birth,
                    "home_state": "NY",
                },
                referral={"source": "self", "reason": "x", "consent_to_contact": True},
                acting_user=self.ivy,
                answer=Answer(decision="same_person", same_as=str(self.elsewhere.code)),
            )


class AdmissionDuplicateTestCase(IntakeTestCase):
    """A chart that matches another at admission (made before duplicate detection, or matched
    since) is admitted only once someone says it is a different person."""

    def at_admission(self):
        referral = self.through_assessment()
        actions.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        # An older chart with Robin's details, as made before duplicate detection existed.
        older = Participant.objects.create(
            program=self.program,
            given_name="ROBIN",
            family_name="Okafor",
            date_of_birth=date(1994, 6, 1),
            home_state="NY",
        )
        return referral, older

    def test_admission_asks_first(self):
        referral, older = self.at_admission()
        self.login(self.ivy)
        response = self.client.post(
            reverse("intake:outcome", args=[referral.code]), {"outcome": "admit"}
        )
        self.assertContains(response, "Is this someone who already has a chart?", status_code=409)
        self.assertContains(response, "do not admit here", status_code=409)
        self.assertNotContains(response, f"same:{older.code}", status_code=409)
        self.assertFalse(EpisodeOfCare.objects.exists())

    def test_a_different_person_is_admitted_and_recorded(self):
        referral, older = self.at_admission()
        self.login(self.ivy)
        response = self.client.post(
            reverse("intake:outcome", args=[referral.code]),
            {
                "outcome": "admit",
                "duplicate-choice": "different",
                "duplicate-reason": "checked_details",
                "duplicate-compared": str(older.code),
                "duplicate-hidden": "0",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(EpisodeOfCare.objects.filter(referral=referral).exists())
        decision = DuplicateDecision.objects.get()
        self.assertEqual(
            (decision.context, decision.compared, decision.chart),
            ("admission", older, referral.participant),
        )

    def test_a_decision_made_at_referral_is_not_asked_again(self):
        referral, older = self.at_admission()
        DuplicateDecision.objects.create(
            context="referral",
            compared=older,
            chart=referral.participant,
            rules=["name_and_birth_date"],
            decision="different_person",
            reason="checked_details",
            decided_by=self.ivy,
            decided_at=referral.created_at,
        )
        actions.admit(referral, acting_user=self.ivy)
        self.assertTrue(EpisodeOfCare.objects.filter(referral=referral).exists())


class DemoDuplicateTestCase(BaseTestCase):
    def test_the_readme_demo_referral_shows_the_prompt(self):
        from openiop.intake import demo

        demo.load(self.program)
        self.login(self.ivy)
        form = referral_form(
            program=self.program.pk,
            given_name="robin",
            family_name="Demo Referral",
            date_of_birth="1994-06-01",
            phone="",
        )
        response = self.client.post(reverse("intake:new"), form)
        self.assertContains(response, "Robin Demo-Referral", status_code=409)
        self.assertContains(response, "already in intake or admitted here", status_code=409)
        self.assertEqual(
            Referral.objects.filter(participant__family_name="Demo-Referral").count(), 1
        )
