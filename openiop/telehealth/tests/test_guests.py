"""Guests in a session: an interpreter or a family member joins by a one-time link."""

import json
from datetime import timedelta

import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.notifications.sms import locmem
from openiop.telehealth import access
from openiop.telehealth.models import Feed, GuestInvite, Room
from openiop.telehealth.tokens import hash_token
from openiop.testing import BaseTestCase

from .fakes import FakeJanus
from .helpers import make_appointment, make_session

MARIA = {"role": "interpreter", "display_name": "Maria", "email": "", "phone": ""}


class GuestTestCase(BaseTestCase):
    """Dr. Alvarez sees Pat for an individual session; Pat's family needs an interpreter."""

    def setUp(self):
        super().setUp()
        FakeJanus.reset()
        locmem.reset()
        self.session = make_appointment(self, self.alvarez, self.pat)

    def url(self, name, *args, session=None):
        return reverse(f"telehealth:{name}", args=[(session or self.session).code, *args])

    def invite(self, data=None, *, session=None):
        """Dr. Alvarez creates an invitation; returns it and the link shown once."""
        self.login(self.alvarez)
        response = self.client.post(self.url("guests", session=session), data or MARIA)
        self.assertEqual(response.status_code, 200, response.content[:2000])
        link = response.context["created"]["link"]
        self.client.logout()
        return GuestInvite.objects.latest("created_at"), link

    def guest_url(self, name, invite):
        return reverse(f"telehealth:guest_{name}", args=[invite.code])

    def consent(self, link, client=None):
        """A new browser opens the link and agrees; returns that browser."""
        browser = client or Client()
        response = browser.post(link, {"agree": "on"})
        self.assertEqual(response.status_code, 302, response.content[:2000])
        return browser

    def admitted_guest(self):
        invite, link = self.invite()
        guest = self.consent(link)
        self.login(self.alvarez)
        self.assertEqual(self.client.get(self.url("room")).status_code, 200)
        self.client.post(self.url("guest_admit", invite.code))
        invite.refresh_from_db()
        return invite, guest


class InviteTests(GuestTestCase):
    def test_the_clinician_invites_an_interpreter_and_sees_the_link_once(self):
        self.login(self.alvarez)
        response = self.client.post(self.url("guests"), MARIA)
        self.assertContains(response, "Invitation for Maria (interpreter) ready")
        link = response.context["created"]["link"]
        token = link.rstrip("/").rsplit("/", 1)[1]
        invite = GuestInvite.objects.get()
        self.assertEqual(invite.token_hash, hash_token(token))
        self.assertNotIn(token, json.dumps(list(GuestInvite.objects.values()), default=str))
        self.assertEqual(invite.created_by, self.alvarez)
        self.assertEqual(invite.expires_at, self.session.ends_at + timedelta(minutes=30))
        # The list shows the invitation, never the link again.
        page = self.client.get(self.url("guests"))
        self.assertContains(page, "Maria (interpreter)")
        self.assertNotContains(page, token)
        event = AuditEvent.objects.get(event_type="telehealth.guest_invited")
        self.assertEqual(
            event.details,
            {"session": str(self.session.code), "invite": str(invite.code), "role": "interpreter"},
        )

    def test_the_room_page_offers_to_invite_a_guest(self):
        self.login(self.alvarez)
        response = self.client.get(self.url("room"))
        self.assertContains(response, "Invite a guest")
        self.assertContains(response, self.url("guests"))

    def test_a_group_session_refuses_guests(self):
        group = make_session(self, "Evening skills group", [self.alvarez], [self.pat])
        self.login(self.alvarez)
        self.assertNotContains(self.client.get(self.url("room", session=group)), "Invite a guest")
        self.assertContains(
            self.client.get(self.url("guests", session=group)),
            "Guests can join individual and family sessions only",
        )
        response = self.client.post(self.url("guests", session=group), MARIA)
        self.assertContains(response, "individual and family sessions only", status_code=409)
        self.assertFalse(GuestInvite.objects.exists())

    def test_only_the_sessions_clinician_may_invite(self):
        for person in (self.sam, self.chen, self.dana, self.pat_user):
            self.login(person)
            with self.subTest(person=person.email):
                self.assertEqual(self.client.post(self.url("guests"), MARIA).status_code, 404)
        self.assertFalse(GuestInvite.objects.exists())

    def test_a_name_with_invisible_characters_or_not_a_first_name_is_refused(self):
        self.login(self.alvarez)
        for bad, message in (
            ("Mar\u202eia", "invisible formatting characters"),
            ("Ma\u200bria", "invisible formatting characters"),
            ("maria@example.org", "first name only"),
            ("Maria 2", "first name only"),
        ):
            with self.subTest(bad=repr(bad)):
                response = self.client.post(self.url("guests"), {**MARIA, "display_name": bad})
                self.assertContains(response, message, status_code=400)
                self.assertContains(
                    response, 'value="interpreter" id="id_role_0" required checked', status_code=400
                )
        self.assertFalse(GuestInvite.objects.exists())

    def test_at_most_three_guests_per_session(self):
        for name in ("Maria", "Ana", "Luis"):
            self.invite({**MARIA, "display_name": name})
        self.login(self.alvarez)
        response = self.client.post(self.url("guests"), {**MARIA, "display_name": "Eva"})
        self.assertContains(response, "at most 3 guests", status_code=409)

    def test_the_link_is_sent_without_health_information(self):
        self.login(self.alvarez)
        response = self.client.post(
            self.url("guests"),
            {**MARIA, "email": "maria@example.org", "phone": "555-555-0199"},
        )
        link = response.context["created"]["link"]
        self.assertEqual(len(mail.outbox), 1)
        self.assertEqual(mail.outbox[0].to, ["maria@example.org"])
        self.assertIn(link, mail.outbox[0].body)
        self.assertEqual(len(locmem.outbox), 1)
        self.assertEqual(
            locmem.outbox[0].body, f"You have been invited to join a video session. Link: {link}"
        )
        for body in (mail.outbox[0].body, mail.outbox[0].subject, locmem.outbox[0].body):
            for secret in ("Pat", "Lindqvist", "Alvarez", "Maria", "IOP", "therapy"):
                self.assertNotIn(secret, body)
        sent = AuditEvent.objects.filter(event_type="telehealth.guest_link_sent")
        self.assertEqual(sorted(e.details["channel"] for e in sent), ["email", "sms"])
        self.assertNotIn("example.org", json.dumps([e.details for e in sent]))


class LinkTests(GuestTestCase):
    def test_the_link_asks_for_consent_before_anything_else(self):
        invite, link = self.invite()
        guest = Client()
        response = guest.get(link)
        self.assertContains(response, "Keep what you see and hear private")
        self.assertContains(response, "not recorded")
        self.assertContains(response, "leave at any time")
        self.assertNotContains(response, "Lindqvist")
        response = guest.post(link, {})
        self.assertContains(response, "Tick \u201cI agree\u201d", status_code=400)
        invite.refresh_from_db()
        self.assertIsNone(invite.used_at)
        # No consent, no marker: the waiting room and the room are out of reach.
        self.assertEqual(guest.get(self.guest_url("waiting", invite)).status_code, 404)
        self.assertEqual(guest.get(self.guest_url("room", invite)).status_code, 404)

    def test_agreeing_uses_the_link_and_puts_the_guest_in_the_waiting_room(self):
        invite, link = self.invite()
        guest = Client()
        response = guest.post(link, {"agree": "on"})
        self.assertRedirects(
            response, self.guest_url("waiting", invite), fetch_redirect_response=False
        )
        invite.refresh_from_db()
        self.assertIsNotNone(invite.used_at)
        self.assertIsNotNone(invite.consented_at)
        self.assertContains(guest.get(self.guest_url("waiting", invite)), "waiting room")
        self.assertEqual(guest.get(self.guest_url("status", invite)).json()["state"], "waiting")
        # Opening the link again in the same browser carries on.
        self.assertRedirects(
            guest.get(link), self.guest_url("waiting", invite), fetch_redirect_response=False
        )
        event = AuditEvent.objects.get(event_type="telehealth.guest_consented")
        self.assertIsNone(event.actor)
        self.assertEqual(event.details["role"], "interpreter")
        self.assertNotIn("Maria", json.dumps(event.details))

    def test_the_link_works_once(self):
        _, link = self.invite()
        self.consent(link)
        other = Client()
        self.assertContains(other.get(link), "already been used", status_code=410)
        self.assertContains(other.post(link, {"agree": "on"}), "already been used", status_code=410)
        refused = AuditEvent.objects.get(event_type="telehealth.guest_link_refused")
        self.assertEqual(refused.outcome, "denied")
        self.assertEqual(refused.details["reason"], "waiting")

    def test_an_expired_link_is_refused(self):
        _, link = self.invite()
        with time_machine.travel(self.session.ends_at + timedelta(minutes=31)):
            response = Client().get(link)
        self.assertContains(response, "expired", status_code=410)

    def test_a_withdrawn_link_is_refused(self):
        invite, link = self.invite()
        self.login(self.alvarez)
        self.client.post(self.url("guest_revoke", invite.code))
        self.assertContains(Client().get(link), "withdrawn", status_code=410)
        self.assertTrue(AuditEvent.objects.filter(event_type="telehealth.guest_revoked").exists())

    def test_an_unknown_link_is_refused(self):
        response = Client().get(reverse("telehealth:guest_link", args=["not-a-real-token"]))
        self.assertContains(response, "not valid", status_code=404)

    def test_a_signed_in_person_cannot_use_a_guest_link(self):
        invite, link = self.invite()
        self.login(self.pat_user)
        self.assertContains(self.client.post(link, {"agree": "on"}), "signed in", status_code=403)
        invite.refresh_from_db()
        self.assertIsNone(invite.used_at)


class SpanishGuestTests(GuestTestCase):
    """A guest has no account: their browser's language chooses (docs/i18n.md)."""

    def test_the_guest_pages_follow_the_browsers_language(self):
        invite, link = self.invite()
        guest = Client(HTTP_ACCEPT_LANGUAGE="es")
        page = guest.get(link)
        self.assertContains(page, '<html lang="es">')
        self.assertContains(page, "Le invitaron como intérprete.")
        self.assertContains(page, "Mantenga en privado lo que vea y oiga.")
        refused = guest.post(link, {})
        self.assertContains(refused, "Marque “Estoy de acuerdo”", status_code=400)
        self.consent(link, guest)
        waiting = guest.get(self.guest_url("waiting", invite))
        self.assertContains(waiting, "El profesional de salud le dejará entrar")
        self.assertContains(waiting, 'data-retrying="Intentando conectar con el servidor…"')
        used = Client(HTTP_ACCEPT_LANGUAGE="es").get(link)
        self.assertContains(used, "Este enlace ya se usó.", status_code=410)


class GuestBoundaryTests(GuestTestCase):
    def test_a_guest_cannot_reach_the_chart_or_any_other_page(self):
        _, guest = self.admitted_guest()
        login = reverse("account_login")
        for url in (
            reverse("participants:chart", args=[self.pat.code]),
            reverse("participants:caseload"),
            reverse("notes:my_notes"),
            reverse("telehealth:sessions"),
            self.url("room"),
            self.url("join"),
            self.url("waiting_list"),
            self.url("guests"),
        ):
            with self.subTest(url=url):
                response = guest.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertTrue(response["Location"].startswith(login))
        self.assertEqual(guest.post(self.url("feeds")).status_code, 302)
        # Only the marker is in the guest's session: no user.
        session = guest.session
        self.assertEqual(list(session.keys()), [access.GUEST_MARKER])

    def test_another_invitations_pages_are_out_of_reach(self):
        _, guest = self.admitted_guest()
        other_session = make_appointment(self, self.chen, self.quinn)
        self.login(self.chen)
        response = self.client.post(self.url("guests", session=other_session), MARIA)
        other = GuestInvite.objects.get(session_code=other_session.code)
        link = response.context["created"]["link"]
        self.consent(link)
        for name in ("waiting", "status", "room"):
            with self.subTest(name=name):
                self.assertEqual(guest.get(self.guest_url(name, other)).status_code, 404)
        for name in ("ticket", "presence", "feeds"):
            with self.subTest(name=name):
                self.assertEqual(guest.post(self.guest_url(name, other)).status_code, 404)

    def test_a_forged_marker_is_refused(self):
        invite, _ = self.invite()
        guest = Client()
        session = guest.session
        session[access.GUEST_MARKER] = json.dumps({"invite": str(invite.code)})
        session.save()
        guest.cookies[settings.SESSION_COOKIE_NAME] = session.session_key or ""
        self.assertEqual(guest.get(self.guest_url("waiting", invite)).status_code, 404)


class GuestInTheRoomTests(GuestTestCase):
    def test_an_admitted_guest_joins_named_with_their_role(self):
        invite, guest = self.admitted_guest()
        self.assertEqual(guest.get(self.guest_url("status", invite)).json()["state"], "admitted")
        response = guest.get(self.guest_url("room", invite))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "You (Maria (interpreter))")
        self.assertNotContains(response, "I need help")
        self.assertNotContains(response, "Lindqvist")
        for hidden in ("crisis-card", "Emergency contact", "Safety plan", "waiting-list"):
            self.assertNotContains(response, hidden)
        feed = Feed.objects.get(guest=invite)
        self.assertIsNone(feed.user)
        # Everyone in the room names the guest's publisher id "Maria (interpreter)".
        names = self.client.post(self.url("feeds")).json()["feeds"]
        self.assertEqual(names[feed.feed_id], "Maria (interpreter)")
        # The guest's feed is assigned: a check of the room leaves it there.
        room = Room.objects.get()
        FakeJanus.present[room.janus_room_id] = [feed.feed_id]
        self.assertEqual(
            guest.post(self.guest_url("presence", invite), {"kind": "joined"}).status_code, 204
        )
        self.assertEqual(FakeJanus.kicked, [])
        self.assertEqual(guest.post(self.guest_url("feeds", invite)).status_code, 200)
        guest.post(self.guest_url("presence", invite), {"kind": "left"})
        kinds = list(
            AuditEvent.objects.filter(target_id=str(invite.code))
            .order_by("seq")
            .values_list("event_type", flat=True)
        )
        self.assertEqual(
            kinds,
            [
                "telehealth.guest_invited",
                "telehealth.guest_consented",
                "telehealth.guest_admitted",
                "telehealth.guest_ticket_issued",
                "telehealth.guest_joined",
                "telehealth.guest_left",
            ],
        )
        for event in AuditEvent.objects.filter(target_id=str(invite.code)):
            self.assertNotIn("Maria", json.dumps(event.details))

    def test_a_guest_waits_until_admitted(self):
        invite, link = self.invite()
        guest = self.consent(link)
        self.login(self.alvarez)
        self.client.get(self.url("room"))
        panel = self.client.get(self.url("waiting_list"))
        self.assertContains(panel, "Admit Maria (interpreter)")
        self.assertRedirects(
            guest.get(self.guest_url("room", invite)),
            self.guest_url("waiting", invite),
            fetch_redirect_response=False,
        )
        self.assertEqual(guest.post(self.guest_url("ticket", invite)).status_code, 403)
        self.assertEqual(
            guest.post(self.guest_url("presence", invite), {"kind": "joined"}).status_code, 403
        )

    def test_withdrawing_removes_the_guest_from_the_room(self):
        invite, guest = self.admitted_guest()
        feed_id = json.loads(guest.post(self.guest_url("ticket", invite)).content)["feedId"]
        self.client.post(self.url("guest_revoke", invite.code), {"next": "panel"})
        room = Room.objects.get()
        self.assertIn((room.janus_room_id, feed_id), FakeJanus.kicked)
        self.assertNotIn(feed_id, self.client.post(self.url("feeds")).json()["feeds"])
        self.assertEqual(guest.get(self.guest_url("status", invite)).json()["state"], "removed")
        self.assertEqual(guest.post(self.guest_url("ticket", invite)).status_code, 403)
        self.assertContains(guest.get(self.guest_url("room", invite)), "withdrawn", status_code=409)

    def test_the_room_must_be_open_and_the_session_not_over(self):
        invite, link = self.invite()
        guest = self.consent(link)
        self.login(self.alvarez)
        self.client.post(self.url("guest_admit", invite.code))
        # Admitted before the clinician opened the room: the guest waits for it.
        self.assertRedirects(
            guest.get(self.guest_url("room", invite)),
            self.guest_url("waiting", invite),
            fetch_redirect_response=False,
        )
        with time_machine.travel(self.session.ends_at + timedelta(hours=1)):
            self.assertContains(
                guest.get(self.guest_url("waiting", invite)), "ended", status_code=410
            )


class DemoTests(BaseTestCase):
    def test_the_demo_has_an_individual_session_with_a_pending_interpreter(self):
        from openiop.telehealth.demo import load_guest_demo

        invite = load_guest_demo(self.program, now=timezone.now())
        assert invite is not None
        self.assertEqual(invite.label, "Maria (interpreter)")
        self.assertEqual(invite.status(timezone.now()), "pending")
        self.login(self.alvarez)
        page = self.client.get(reverse("telehealth:guests", args=[invite.session_code]))
        self.assertContains(page, "link not used yet")
