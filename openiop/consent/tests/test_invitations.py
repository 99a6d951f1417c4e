"""Portal invitations: the actions (send, resend, revoke, accept) and their bad input."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.consent.actions import invitations as actions
from openiop.consent.actions.invitations import InvitationError, InvitationUnusable
from openiop.consent.invitations import Invitation, token_digest
from openiop.consent.tests.invitation_helpers import new_chart, token_in_mail
from openiop.intake import actions as intake
from openiop.intake.models import EpisodeOfCare
from openiop.intake.tests.test_workflow import IntakeTestCase
from openiop.notifications.sms import locmem
from openiop.participants.models import GuardianLink
from openiop.testing import PASSWORD, BaseTestCase

NEW_PASSWORD = "tangerine lighthouse 42"


class InvitationActionsTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        locmem.reset()
        self.robin = new_chart(self.program, phone="+15555550142")

    def invite(self, participant=None):
        with self.captureOnCommitCallbacks(execute=True):
            return actions.invite_participant(participant or self.robin, acting_user=self.ivy)

    def test_it_sends_a_link_by_email_and_text_with_no_phi(self):
        sent = self.invite()
        self.assertEqual(len(mail.outbox), 1)
        message = mail.outbox[0]
        self.assertEqual(message.to, ["robin@example.org"])
        self.assertIn(f"/welcome/{sent.token}/", message.body)
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(
            locmem.outbox[0].body,
            "You have been invited to OpenIOP. Set up your account: "
            + actions.link_for(sent.token),
        )
        for text in (message.subject, message.body, locmem.outbox[0].body):
            for phi in ("Robin", "Okafor", self.program.name, "IOP"):
                self.assertNotIn(phi, text.replace("OpenIOP", ""))

    def test_it_stores_only_a_hash_of_the_token(self):
        sent = self.invite()
        invitation = Invitation.objects.get()
        self.assertEqual(invitation.token_sha256, token_digest(sent.token))
        for field in Invitation._meta.concrete_fields:
            self.assertNotEqual(str(getattr(invitation, field.attname)), sent.token)
        event = AuditEvent.objects.get(event_type="consent.invitation_sent")
        self.assertNotIn(sent.token, str(event.details))

    @override_settings(OPENIOP_INVITATION_DAYS=7)
    def test_the_link_expires_after_the_configured_days(self):
        sent = self.invite()
        self.assertEqual(sent.invitation.expires_at - sent.invitation.created_at, timedelta(7))
        later = timezone.now() + timedelta(days=7, minutes=1)
        with time_machine.travel(later), self.assertRaises(InvitationUnusable) as caught:
            actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.assertEqual(caught.exception.reason, "expired")

    def test_accepting_makes_a_participant_account_linked_to_the_chart(self):
        sent = self.invite()
        user = actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.robin.refresh_from_db()
        self.assertEqual(self.robin.user, user)
        self.assertEqual(user.role, User.Role.PARTICIPANT)
        self.assertEqual(user.email, "robin@example.org")
        self.assertTrue(user.check_password(NEW_PASSWORD))
        self.assertEqual(Invitation.objects.get().status, Invitation.Status.ACCEPTED)
        self.assertTrue(AuditEvent.objects.filter(event_type="consent.invitation_accepted"))

    def test_a_link_works_once(self):
        sent = self.invite()
        actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        with self.assertRaises(InvitationUnusable) as caught:
            actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.assertEqual(caught.exception.reason, "accepted")

    def test_a_resend_makes_a_new_link_and_the_old_one_stops_working(self):
        first = self.invite()
        with self.captureOnCommitCallbacks(execute=True):
            second = actions.resend_invitation(first.invitation, acting_user=self.ivy)
        self.assertNotEqual(first.token, second.token)
        self.assertEqual(token_in_mail(), second.token)
        first.invitation.refresh_from_db()
        self.assertEqual(first.invitation.status, Invitation.Status.REPLACED)
        with self.assertRaises(InvitationUnusable) as caught:
            actions.accept_invitation(first.token, password=NEW_PASSWORD)
        self.assertEqual(caught.exception.reason, "revoked")
        actions.accept_invitation(second.token, password=NEW_PASSWORD)

    def test_a_revoked_link_stops_working(self):
        sent = self.invite()
        actions.revoke_invitation(sent.invitation, acting_user=self.ivy)
        with self.assertRaises(InvitationUnusable) as caught:
            actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.assertEqual(caught.exception.reason, "revoked")
        with self.assertRaises(InvitationError):
            actions.revoke_invitation(sent.invitation, acting_user=self.ivy)

    def test_a_tampered_token_is_unknown(self):
        sent = self.invite()
        for token in (sent.token[:-1] + ("A" if sent.token[-1] != "A" else "B"), "", "x" * 500):
            with self.assertRaises(InvitationUnusable) as caught:
                actions.accept_invitation(token, password=NEW_PASSWORD)
            self.assertEqual(caught.exception.reason, "unknown")

    def test_one_open_invitation_per_chart(self):
        self.invite()
        with self.assertRaisesMessage(InvitationError, "already waiting"):
            self.invite()

    def test_a_chart_with_a_login_is_not_invited(self):
        with self.assertRaisesMessage(InvitationError, "already has a portal account"):
            self.invite(self.pat)
        self.assertEqual(mail.outbox, [])

    def test_a_chart_without_an_address_is_not_invited(self):
        bare = new_chart(self.program, email="")
        with self.assertRaisesMessage(InvitationError, "Add an email address"):
            self.invite(bare)

    def test_an_address_already_in_use_is_refused_and_nothing_is_sent(self):
        taken = new_chart(self.program, email="ALVAREZ@example.org")
        with self.assertRaisesMessage(InvitationError, "already used by another account"):
            self.invite(taken)
        self.assertEqual(mail.outbox, [])
        self.assertEqual(locmem.outbox, [])
        self.assertFalse(Invitation.objects.filter(participant=taken).exists())

    def test_a_look_alike_of_another_accounts_address_is_refused(self):
        # Cyrillic а and е in "alvarez@example.org".
        lookalike = new_chart(self.program, email="\u0430lvar\u0435z@example.org")
        with self.assertRaisesMessage(InvitationError, "looks the same as another account"):
            self.invite(lookalike)
        self.assertEqual(mail.outbox, [])

    def test_an_address_with_invisible_characters_is_refused(self):
        hidden = new_chart(self.program, email="robin\u200b@example.org")
        with self.assertRaisesMessage(InvitationError, "invisible characters (U+200B)"):
            self.invite(hidden)
        self.assertEqual(mail.outbox, [])

    def test_an_address_taken_after_sending_is_refused_at_acceptance(self):
        sent = self.invite()
        User.objects.create_user("robin@example.org", PASSWORD, given_name="R", family_name="O")
        with self.assertRaisesMessage(InvitationError, "already used"):
            actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.robin.refresh_from_db()
        self.assertIsNone(self.robin.user)

    def test_a_weak_password_is_refused_and_nothing_is_made(self):
        sent = self.invite()
        with self.assertRaises(ValidationError):
            actions.accept_invitation(sent.token, password="robin")
        self.assertFalse(User.objects.filter(email="robin@example.org").exists())
        self.assertTrue(Invitation.objects.get().is_open)

    def test_a_text_only_invitation_asks_for_an_address_at_acceptance(self):
        texted = new_chart(self.program, email="", phone="+15555550143")
        sent = self.invite(texted)
        self.assertEqual(mail.outbox, [])
        with self.assertRaisesMessage(InvitationError, "Enter your email address"):
            actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        user = actions.accept_invitation(
            sent.token, password=NEW_PASSWORD, email="Robin.O@Example.org"
        )
        self.assertEqual(user.email, "robin.o@example.org")


class GuardianInvitationTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.program.allows_guardians = True
        self.program.save(update_fields=["allows_guardians"])
        self.robin = new_chart(self.program)

    def invite_guardian(self, **fields):
        values = {
            "given_name": "Morgan",
            "family_name": "Okafor",
            "email": "morgan@example.org",
            "relationship": "Mother",
            **fields,
        }
        with self.captureOnCommitCallbacks(execute=True):
            return actions.invite_guardian(self.robin, acting_user=self.ivy, **values)

    def test_a_guardian_accepts_and_is_linked_to_the_participant(self):
        sent = self.invite_guardian()
        user = actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        self.assertEqual(user.role, User.Role.GUARDIAN)
        self.assertFalse(user.is_staff_member)
        self.assertFalse(user.is_participant)
        link = GuardianLink.objects.get(user=user)
        self.assertEqual((link.participant, link.relationship), (self.robin, "Mother"))
        self.robin.refresh_from_db()
        self.assertIsNone(self.robin.user, "a guardian never becomes the chart's login")

    def test_only_programs_that_allow_guardians(self):
        self.program.allows_guardians = False
        self.program.save(update_fields=["allows_guardians"])
        with self.assertRaisesMessage(InvitationError, "does not allow"):
            self.invite_guardian()

    def test_a_guardian_needs_their_own_address(self):
        with self.assertRaisesMessage(InvitationError, "their own email address"):
            self.invite_guardian(email="Robin@example.org")

    def test_a_guardian_address_in_use_is_refused(self):
        with self.assertRaisesMessage(InvitationError, "already used"):
            self.invite_guardian(email="pat@example.org")
        self.assertEqual(mail.outbox, [])

    def test_a_guardian_resend_keeps_who_they_are(self):
        first = self.invite_guardian()
        with self.captureOnCommitCallbacks(execute=True):
            second = actions.resend_invitation(first.invitation, acting_user=self.ivy)
        self.assertEqual(
            (second.invitation.role, second.invitation.relationship, second.invitation.email),
            ("guardian", "Mother", "morgan@example.org"),
        )

    def test_revoking_a_guardian_link_ends_access(self):
        sent = self.invite_guardian()
        user = actions.accept_invitation(sent.token, password=NEW_PASSWORD)
        link = GuardianLink.objects.get(user=user)
        actions.revoke_guardian_link(link, acting_user=self.dana)
        from openiop.participants.access import guardian_participants

        self.assertFalse(guardian_participants(user).exists())


class AdmissionInvitesTestCase(IntakeTestCase):
    def admitted(self):
        referral = self.through_assessment()
        intake.decide_level_of_care(
            referral, chosen_level="iop", variance_reason="", acting_user=self.dana
        )
        locmem.reset()
        with self.captureOnCommitCallbacks(execute=True):
            intake.admit(referral, acting_user=self.alvarez)
        return referral.participant

    def test_admission_sends_the_participant_an_invitation(self):
        participant = self.admitted()
        invitation = Invitation.objects.get(participant=participant)
        self.assertTrue(invitation.is_open)
        self.assertEqual(mail.outbox[-1].to, ["robin@example.org"])
        self.assertEqual(len(locmem.outbox), 1)

    def test_an_address_in_use_does_not_hold_up_admission(self):
        User.objects.create_user("robin@example.org", PASSWORD, given_name="R", family_name="O")
        participant = self.admitted()
        self.assertTrue(EpisodeOfCare.objects.filter(participant=participant).exists())
        self.assertFalse(Invitation.objects.filter(participant=participant).exists())

    def test_a_failing_mail_server_does_not_undo_the_invitation(self):
        with override_settings(EMAIL_BACKEND="openiop.consent.tests.test_invitations.Broken"):
            participant = self.admitted()
        self.assertTrue(Invitation.objects.get(participant=participant).is_open)
        self.assertEqual(len(locmem.outbox), 1, "the text still goes")


class Broken:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        raise OSError("mail server down")


class AdminCannotMakePortalAccountsTestCase(BaseTestCase):
    def test_the_admin_cannot_turn_a_staff_account_into_a_participant(self):
        from openiop.accounts.admin import UserAdminForm

        form = UserAdminForm(
            instance=self.sam,
            data={
                "email": self.sam.email,
                "given_name": "Sam",
                "family_name": "Rivera",
                "role": "participant",
                "discipline": "",
                "timezone": "America/New_York",
                "is_active": True,
            },
        )
        self.assertFalse(form.is_valid())
        self.assertIn("portal invitation", str(form.errors["role"]))

    def test_a_participant_login_cannot_open_a_second_chart(self):
        from django.db import IntegrityError

        other = new_chart(self.program, email="")
        other.user = self.pat_user
        with self.assertRaises(IntegrityError), transaction.atomic():
            other.save()


class InvitationDemoTestCase(BaseTestCase):
    def test_the_demo_leaves_one_participant_invited(self):
        from openiop.consent.demo_invitations import load_invitation_demo

        with self.captureOnCommitCallbacks(execute=True):
            participant = load_invitation_demo(self.program)
        assert participant is not None
        self.assertTrue(Invitation.objects.get(participant=participant).is_open)
        self.assertEqual(len(mail.outbox), 1)
        self.assertIsNone(load_invitation_demo(self.program), "loads once")
