"""Seats that grant access refuse people who may not hold them (issue 8, role-bound seats)."""

from datetime import date
from io import StringIO
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from openiop.participants.actions import add_care_team_member
from openiop.participants.models import CareTeamMember
from openiop.programs.models import Group, GroupFacilitator, ProgramMembership, Track
from openiop.testing import BaseTestCase


def admin_post_data(response: Any) -> dict[str, Any]:
    """The POST body an admin change page would send back unchanged, read from its forms."""
    data: dict[str, Any] = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management.initial.get(name, field.initial)
        forms.extend(formset.initial_forms)
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is None:
                continue
            if isinstance(value, bool):
                if value:
                    data[form.add_prefix(name)] = "on"
                continue
            if hasattr(value, "pk"):
                value = value.pk
            data[form.add_prefix(name)] = value
    return data


class SeatValidationTestCase(BaseTestCase):
    group: ClassVar[Group]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        track = Track.objects.create(
            program=cls.program, name="Evening", starts_on=date(2026, 1, 5)
        )
        cls.group = Group.objects.create(
            track=track, name="Evening DBT", curriculum_starts_on=date(2026, 1, 5)
        )
        GroupFacilitator.objects.create(group=cls.group, clinician=cls.alvarez, role="lead")

    def add_through_admin(self, url: str, prefix: str, row: dict[str, Any]) -> Any:
        self.login(self.admin)
        data = admin_post_data(self.client.get(url))
        index = int(data[f"{prefix}-TOTAL_FORMS"])
        for key, value in row.items():
            data[f"{prefix}-{index}-{key}"] = value
        data[f"{prefix}-TOTAL_FORMS"] = index + 1
        return self.client.post(url, data)

    def test_the_admin_refuses_an_administrator_as_facilitator(self):
        url = reverse("admin:programs_group_change", args=[self.group.pk])
        for user in (self.admin, self.pat_user):
            with self.subTest(user=user.email):
                response = self.add_through_admin(
                    url, "facilitator_roles", {"clinician": user.pk, "role": "co_facilitator"}
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "be a group facilitator.")
                self.assertFalse(GroupFacilitator.objects.filter(clinician=user).exists())

    def test_the_admin_accepts_a_clinician_as_facilitator(self):
        url = reverse("admin:programs_group_change", args=[self.group.pk])
        response = self.add_through_admin(
            url, "facilitator_roles", {"clinician": self.chen.pk, "role": "co_facilitator"}
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(GroupFacilitator.objects.filter(clinician=self.chen).exists())

    def test_the_admin_refuses_an_administrator_or_participant_on_call(self):
        url = reverse("admin:programs_program_change", args=[self.program.pk])
        for user in (self.admin, self.pat_user, self.sam):
            with self.subTest(user=user.email):
                response = self.add_through_admin(
                    url, "memberships", {"user": user.pk, "role": "on_call"}
                )
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "on-call rota")
                self.assertFalse(
                    ProgramMembership.objects.filter(user=user, role="on_call").exists()
                )

    def test_the_care_team_form_refuses_people_who_are_not_clinical_staff(self):
        self.login(self.dana)
        url = reverse("participants:care_team_add", args=[self.quinn.code])
        for user in (self.admin, self.pat_user, self.ivy):
            with self.subTest(user=user.email):
                self.client.post(url, {"clinician": user.pk, "role": "therapist"})
                self.assertFalse(
                    CareTeamMember.objects.filter(participant=self.quinn, clinician=user).exists()
                )

    def test_the_action_refuses_them_too(self):
        with self.assertRaisesMessage(ValidationError, "cannot be on a care team"):
            add_care_team_member(
                self.quinn,
                clinician=self.pat_user,
                role="therapist",
                can_write=True,
                acting_user=self.dana,
            )

    def test_the_model_refuses_a_participant_on_a_care_team(self):
        member = CareTeamMember(participant=self.quinn, clinician=self.admin, role="therapist")
        with self.assertRaises(ValidationError) as caught:
            member.full_clean()
        self.assertIn("clinician", caught.exception.message_dict)


class CheckSeatsCommandTestCase(BaseTestCase):
    def test_it_passes_when_every_seat_is_held_by_clinical_staff(self):
        out = StringIO()
        call_command("check_seats", stdout=out)
        self.assertIn("Every clinical seat is held by clinical staff.", out.getvalue())

    def test_it_reports_rows_written_past_validation(self):
        ProgramMembership.objects.create(program=self.program, user=self.admin, role="on_call")
        CareTeamMember.objects.create(participant=self.pat, clinician=self.quinn_user, role="nurse")
        out = StringIO()
        with self.assertRaisesMessage(CommandError, "2 seat(s)"):
            call_command("check_seats", stdout=out)
        report = out.getvalue()
        self.assertIn(f"on-call: program {self.program.code}, user {self.admin.code}", report)
        self.assertIn(f"care team: participant {self.pat.code}", report)
        # Codes and roles only: the report is safe to paste into a ticket.
        self.assertNotIn(self.quinn_user.email, report)
        self.assertNotIn("Quinn", report)
