"""A parent's or guardian's account: the guardian portal only, never a chart page."""

import uuid
from typing import ClassVar

from django.urls import reverse

from openiop.accounts.middleware import idle_timeout_for
from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.consent.actions import invitations as actions
from openiop.consent.models import Consent, ConsentKind, ConsentText
from openiop.participants import access
from openiop.participants.models import GuardianLink
from openiop.testing import BaseTestCase

NEW_PASSWORD = "tangerine lighthouse 42"


class GuardianAccessTestCase(BaseTestCase):
    """Morgan is Pat's mother, invited where the program allows guardians."""

    morgan: ClassVar[User]

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.program.allows_guardians = True
        cls.program.save(update_fields=["allows_guardians"])
        sent = actions.invite_guardian(
            cls.pat,
            given_name="Morgan",
            family_name="Lindqvist",
            email="morgan@example.org",
            relationship="Mother",
            acting_user=cls.ivy,
        )
        cls.morgan = actions.accept_invitation(sent.token, password=NEW_PASSWORD)

    def test_a_guardian_is_not_staff_and_not_a_participant(self):
        self.assertFalse(self.morgan.is_staff_member)
        self.assertFalse(self.morgan.is_participant)
        self.assertTrue(self.morgan.is_guardian)

    def test_no_chart_is_visible_to_a_guardian(self):
        self.assertFalse(access.visible_participants(self.morgan).exists())
        self.assertEqual(access.participant_access(self.morgan, self.pat), access.Access.NONE)
        self.assertEqual(list(access.guardian_participants(self.morgan)), [self.pat])
        self.assertFalse(access.guardian_participants(self.pat_user).exists())
        self.assertFalse(access.guardian_participants(self.dana).exists())

    def test_every_chart_page_answers_a_guardian_with_404(self):
        self.client.force_login(self.morgan)
        code = self.pat.code
        urls = [
            reverse("participants:chart", args=[code]),
            reverse("participants:edit", args=[code]),
            reverse("participants:caseload"),
            reverse("notes:participant_notes", args=[code]),
            reverse("notes:my_notes"),
            reverse("careplans:plans", args=[code]),
            reverse("careplans:summary", args=[code]),
            reverse("safety:participant_plans", args=[code]),
            reverse("safety:assessment_list", args=[code]),
            reverse("safety:my_plan"),
            reverse("assessments:participant", args=[code]),
            reverse("scheduling:ledger", args=[code]),
            reverse("scheduling:my_week"),
            reverse("notes:record_pdf", args=[code]),
            reverse("consent:portal_access", args=[code]),
        ]
        for url in urls:
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_the_guardian_portal_shows_session_times_and_consents_only(self):
        text = ConsentText.objects.create(
            program=self.program,
            kind=ConsentKind.TREATMENT,
            version=1,
            title="Consent to treatment",
            body="I agree.",
        )
        Consent.objects.create(
            participant=self.pat,
            kind=ConsentKind.TREATMENT,
            text=text,
            signed_name="Patricia Lindqvist",
            signed_by=self.pat_user,
            text_sha256=text.sha256,
        )
        self.client.force_login(self.morgan)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "Family portal")
        self.assertContains(response, "Pat")
        self.assertContains(response, "Consent to treatment")
        self.assertNotContains(response, "Lindqvist")
        self.assertEqual(
            AuditEvent.objects.filter(event_type="participant.guardian_portal_viewed").count(), 1
        )

    def test_a_revoked_link_empties_the_portal(self):
        link = GuardianLink.objects.get(user=self.morgan)
        actions.revoke_guardian_link(link, acting_user=self.dana)
        self.client.force_login(self.morgan)
        response = self.client.get(reverse("home"))
        self.assertContains(response, "not linked to anyone")

    def test_guardians_are_not_asked_for_staff_mfa_and_time_out_like_participants(self):
        self.client.force_login(self.morgan)
        self.assertEqual(self.client.get(reverse("home")).status_code, 200)
        self.assertEqual(idle_timeout_for(self.morgan), idle_timeout_for(self.pat_user))

    def test_staff_end_a_guardians_access_from_the_portal_page(self):
        link = GuardianLink.objects.get(user=self.morgan)
        self.login(self.dana)
        page = self.client.get(reverse("consent:portal_access", args=[self.pat.code]))
        self.assertContains(page, "Morgan Lindqvist")
        self.client.post(reverse("consent:guardian_revoke", args=[link.code]))
        link.refresh_from_db()
        self.assertIsNotNone(link.revoked_at)
        self.login(self.sam)
        response = self.client.post(reverse("consent:guardian_revoke", args=[uuid.uuid4()]))
        self.assertEqual(response.status_code, 404)
