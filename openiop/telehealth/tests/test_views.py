import json
from datetime import UTC, datetime, timedelta
from unittest import mock

import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from openiop.audit.models import AuditEvent
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Booking
from openiop.telehealth import actions, tokens
from openiop.telehealth.models import Attendance, Feed, PresenceEvent, Room
from openiop.testing import BaseTestCase

from .fakes import FakeJanus
from .helpers import make_session, pats_group, waiting_attendance

LOCATION = {
    "location": "12 Main St, Albany",
    "location_state": "NY",
    "callback_phone": "555-555-0100",
    "private_place": "yes",
}


class VideoTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        FakeJanus.reset()
        self.group = pats_group(self)

    def url(self, name, *args):
        return reverse(f"telehealth:{name}", args=[self.group.code, *args])

    def open_room_as(self, user):
        self.login(user)
        self.assertEqual(self.client.get(self.url("room")).status_code, 200)

    def ticket_in(self, response):
        content = response.content.decode()
        start = content.index('<script id="janus-ticket" type="application/json">')
        body = content[start:].split(">", 1)[1].split("</script>", 1)[0]
        return json.loads(body)

    def admitted_pat(self):
        attendance = waiting_attendance(self.group, self.pat)
        self.open_room_as(self.alvarez)
        self.client.post(self.url("admit", attendance.code))
        self.login(self.pat_user)
        return attendance


class JoinPageTests(VideoTestCase):
    def test_it_hides_the_session_from_people_not_in_it(self):
        for person in (self.quinn_user, self.chen, self.dana, self.ivy, self.admin):
            self.login(person)
            with self.subTest(person=person.email):
                self.assertEqual(self.client.get(self.url("join")).status_code, 404)

    def test_it_asks_the_participant_where_they_are(self):
        self.login(self.pat_user)
        response = self.client.get(self.url("join"))
        self.assertContains(response, "Where are you right now?")
        self.assertContains(response, "Check your camera, microphone and connection")

    def test_facilitators_skip_the_location_gate(self):
        self.login(self.sam)
        response = self.client.get(self.url("join"))
        self.assertContains(response, "Open the room")
        self.assertNotContains(response, "Where are you right now?")

    def test_confirming_a_location_puts_the_participant_in_the_waiting_room(self):
        self.login(self.pat_user)
        response = self.client.post(self.url("join"), LOCATION)
        self.assertRedirects(response, self.url("waiting"), fetch_redirect_response=False)
        attendance = Attendance.objects.get(participant=self.pat)
        self.assertEqual(attendance.state, Attendance.State.WAITING)
        self.assertEqual(attendance.location_state, "NY")
        self.assertTrue(attendance.private_place)
        event = AuditEvent.objects.get(event_type="telehealth.location_confirmed")
        self.assertEqual(event.participant, self.pat)
        self.assertNotIn("Albany", json.dumps(event.details))

    def test_a_state_the_facilitators_are_not_licensed_in_is_refused(self):
        self.login(self.pat_user)
        response = self.client.post(self.url("join"), {**LOCATION, "location_state": "CA"})
        self.assertContains(response, "not licensed to provide care where you are", status_code=403)
        self.assertFalse(Attendance.objects.exists())
        event = AuditEvent.objects.get(event_type="telehealth.location_refused")
        self.assertEqual(event.outcome, "denied")

    def test_the_refusal_names_the_programs_phone_number(self):
        self.program.phone = "+12125550123"
        self.program.save(update_fields=["phone"])
        self.login(self.pat_user)
        response = self.client.post(self.url("join"), {**LOCATION, "location_state": "CA"})
        self.assertContains(
            response, "Please call your care team at (212) 555-0123.", status_code=403
        )

    def test_without_a_program_phone_the_refusal_keeps_its_wording(self):
        self.login(self.pat_user)
        response = self.client.post(self.url("join"), {**LOCATION, "location_state": "CA"})
        self.assertContains(response, "Please call your care team.", status_code=403)

    def test_an_unknown_state_is_a_form_error_and_keeps_what_was_typed(self):
        self.login(self.pat_user)
        response = self.client.post(self.url("join"), {**LOCATION, "location_state": "ZZ"})
        self.assertContains(response, "Choose a US state or territory", status_code=400)
        self.assertContains(response, "12 Main St, Albany", status_code=400)

    def test_a_disguised_call_back_phone_is_refused_and_keeps_what_was_typed(self):
        self.login(self.pat_user)
        for bad in ("555-555-0100\u202e", "555\u200b555-0100", "<b>555-555-0100</b>"):
            with self.subTest(bad=repr(bad)):
                response = self.client.post(self.url("join"), {**LOCATION, "callback_phone": bad})
                self.assertContains(
                    response,
                    "Enter a phone number like 555-555-0100 or +1 555 555 0100",
                    status_code=400,
                )
                self.assertContains(response, "12 Main St, Albany", status_code=400)
        self.assertFalse(Attendance.objects.exists())

    def test_the_call_back_phone_is_stored_as_e164(self):
        self.login(self.pat_user)
        self.client.post(self.url("join"), {**LOCATION, "callback_phone": "(555) 555-0177"})
        stored = Attendance.objects.values_list("callback_phone", flat=True).get()
        self.assertEqual(stored, "+15555550177")

    def test_same_as_last_time_is_prefilled(self):
        waiting_attendance(self.group, self.pat)
        later = make_session(self, "Next group", [self.alvarez], [self.pat])
        self.login(self.pat_user)
        response = self.client.get(reverse("telehealth:join", args=[later.code]))
        self.assertContains(response, "from last time")
        self.assertContains(response, 'value="Brooklyn"')

    def test_joining_before_the_window_opens_or_after_the_end_is_refused(self):
        early = make_session(
            self, "Tomorrow", [self.alvarez], [self.pat], starts_in=timedelta(days=1)
        )
        over = make_session(
            self, "Yesterday", [self.alvarez], [self.pat], starts_in=timedelta(days=-1), minutes=60
        )
        self.login(self.pat_user)
        for session, message in ((early, "not open yet"), (over, "has ended")):
            with self.subTest(message=message):
                url = reverse("telehealth:join", args=[session.code])
                self.assertContains(self.client.get(url), message)
                self.client.post(url, LOCATION)
                self.assertFalse(Attendance.objects.filter(session_code=session.code).exists())


class WaitingRoomTests(VideoTestCase):
    def test_a_waiting_participant_gets_no_ticket(self):
        waiting_attendance(self.group, self.pat)
        self.open_room_as(self.alvarez)
        self.login(self.pat_user)
        self.assertRedirects(
            self.client.get(self.url("room")), self.url("waiting"), fetch_redirect_response=False
        )
        self.assertEqual(self.client.post(self.url("ticket")).status_code, 403)
        self.assertEqual(self.client.get(self.url("status")).json()["state"], "waiting")

    def test_only_facilitators_see_who_is_waiting(self):
        waiting_attendance(self.group, self.pat)
        self.login(self.pat_user)
        self.assertEqual(self.client.get(self.url("waiting_list")).status_code, 404)
        self.login(self.sam)
        response = self.client.get(self.url("waiting_list"))
        self.assertContains(response, "Pat L.")
        self.assertContains(response, "Brooklyn, NY")
        self.assertNotContains(response, "Lindqvist")

    def test_admitting_lets_the_participant_in_with_a_short_lived_ticket(self):
        self.admitted_pat()
        self.assertEqual(self.client.get(self.url("status")).json()["state"], "admitted")
        response = self.client.get(self.url("room"))
        self.assertEqual(response.status_code, 200)
        ticket = self.ticket_in(response)
        room = Room.objects.get(session_code=self.group.code)
        self.assertEqual(ticket["room"], room.janus_room_id)
        self.assertEqual(ticket["display"], "Pat L.")
        self.assertNotContains(response, "Lindqvist")
        secret = "test-token-secret-0123456789-0123456789"
        self.assertEqual(
            tokens.verify(secret, ticket["roomToken"], realm=tokens.VIDEOROOM_PLUGIN),
            [f"room={room.janus_room_id}"],
        )
        expiry = int(ticket["coreToken"].split(",")[0])
        self.assertLessEqual(expiry - timezone.now().timestamp(), 300)
        self.assertIn("ws://", response["Content-Security-Policy"])

    def test_admit_all_admits_everyone_waiting(self):
        waiting_attendance(self.group, self.pat)
        self.login(self.alvarez)
        self.client.post(self.url("admit_all"))
        self.assertEqual(Attendance.objects.get().state, Attendance.State.ADMITTED)
        self.assertTrue(AuditEvent.objects.filter(event_type="telehealth.admitted").exists())

    def test_a_removed_participant_cannot_come_back(self):
        attendance = self.admitted_pat()
        feed_id = self.ticket_in(self.client.get(self.url("room")))["feedId"]
        self.client.post(self.url("presence"), {"kind": "joined"})
        self.login(self.alvarez)
        self.client.post(self.url("remove", attendance.code))
        room = Room.objects.get()
        self.assertIn((room.janus_room_id, feed_id), FakeJanus.kicked)
        self.assertNotIn(feed_id, self.client.post(self.url("feeds")).json()["feeds"])
        self.login(self.pat_user)
        self.assertEqual(self.client.post(self.url("ticket")).status_code, 403)
        response = self.client.post(self.url("join"), LOCATION)
        self.assertContains(response, "removed you", status_code=409)


class PresenceTests(VideoTestCase):
    def test_a_second_tab_replaces_the_first(self):
        self.admitted_pat()
        first = self.ticket_in(self.client.get(self.url("room")))["feedId"]
        second = self.ticket_in(self.client.get(self.url("room")))["feedId"]
        room = Room.objects.get()
        FakeJanus.present[room.janus_room_id] = [first, second]
        self.client.post(self.url("presence"), {"kind": "joined"})
        self.assertEqual(FakeJanus.kicked, [(room.janus_room_id, first)])

    def test_heartbeats_are_stored_without_an_audit_row_each(self):
        self.admitted_pat()
        for _ in range(3):
            self.assertEqual(
                self.client.post(self.url("presence"), {"kind": "heartbeat"}).status_code, 204
            )
        self.assertEqual(PresenceEvent.objects.count(), 3)
        self.assertFalse(
            AuditEvent.objects.filter(event_type__startswith="telehealth.presence").exists()
        )

    def test_an_unknown_event_is_refused(self):
        self.admitted_pat()
        self.assertEqual(
            self.client.post(self.url("presence"), {"kind": "teleport"}).status_code, 400
        )

    def test_a_janus_restart_recreates_the_room_on_ticket_refresh(self):
        self.admitted_pat()
        FakeJanus.rooms.clear()
        response = self.client.post(self.url("ticket"))
        self.assertEqual(response.status_code, 200)
        room = Room.objects.get()
        self.assertIn(room.janus_room_id, FakeJanus.rooms)
        self.assertTrue(AuditEvent.objects.filter(event_type="telehealth.room_recreated").exists())

    def test_ticket_refresh_reports_janus_down_as_retryable(self):
        self.admitted_pat()
        FakeJanus.available = False
        self.assertEqual(self.client.post(self.url("ticket")).status_code, 503)


class JanusNameTests(VideoTestCase):
    """Names in the room come from OpenIOP's records, never from what a browser tells Janus."""

    def pats_feed(self):
        self.admitted_pat()
        return self.ticket_in(self.client.get(self.url("room")))

    def test_each_ticket_assigns_a_fresh_publisher_id_and_names_it_from_the_chart(self):
        ticket = self.pats_feed()
        again = self.client.post(self.url("ticket")).json()
        self.assertNotEqual(again["feedId"], ticket["feedId"])
        self.assertEqual(again["feeds"][again["feedId"]], "Pat L.")
        self.assertNotIn(ticket["feedId"], again["feeds"])
        self.assertEqual(Feed.objects.get(participant=self.pat).feed_id, again["feedId"])
        self.assertIn("Rosa A.", again["feeds"].values())
        self.assertTrue(again["feedsUrl"].endswith("/feeds/"))

    def test_the_room_page_never_sends_a_display_name_to_janus(self):
        script = (settings.BASE_DIR / "static/js/telehealth_room.js").read_text()
        self.assertNotIn("display:", script)
        self.assertIn("id: ticket.feedId", script)

    def test_pages_look_names_up_by_publisher_id(self):
        pat_id = self.pats_feed()["feedId"]
        self.login(self.alvarez)
        names = self.client.post(self.url("feeds")).json()["feeds"]
        self.assertEqual(names[pat_id], "Pat L.")
        self.assertEqual(sorted(names.values()), ["Pat L.", "Rosa A."])

    def test_a_publisher_the_server_did_not_assign_is_removed_and_audited(self):
        pat_id = self.pats_feed()["feedId"]
        room = Room.objects.get()
        FakeJanus.present[room.janus_room_id] = [pat_id, "forged-id"]
        self.login(self.alvarez)
        names = self.client.post(self.url("feeds")).json()["feeds"]
        self.assertNotIn("forged-id", names)
        self.assertEqual(FakeJanus.kicked, [(room.janus_room_id, "forged-id")])
        event = AuditEvent.objects.get(event_type="telehealth.unknown_feed_removed")
        self.assertEqual(event.outcome, "denied")
        self.assertEqual(event.details, {"session": str(self.group.code), "removed": 1})

    def test_a_heartbeat_has_the_room_checked_too(self):
        pat_id = self.pats_feed()["feedId"]
        room = Room.objects.get()
        FakeJanus.present[room.janus_room_id] = [pat_id, "forged-id"]
        self.client.post(self.url("presence"), {"kind": "heartbeat"})
        self.assertEqual(FakeJanus.kicked, [(room.janus_room_id, "forged-id")])

    def test_checks_are_spaced_so_a_whole_group_asking_costs_one(self):
        pat_id = self.pats_feed()["feedId"]
        room = Room.objects.get()
        self.client.post(self.url("feeds"))
        FakeJanus.present[room.janus_room_id] = [pat_id, "forged-id"]
        self.client.post(self.url("feeds"))
        self.assertEqual(FakeJanus.kicked, [])
        with time_machine.travel(timezone.now() + timedelta(seconds=3)):
            self.client.post(self.url("feeds"))
        self.assertEqual(FakeJanus.kicked, [(room.janus_room_id, "forged-id")])

    def test_a_staff_member_no_longer_assigned_is_no_longer_named(self):
        self.open_room_as(self.sam)
        sam_id = Feed.objects.get(user=self.sam).feed_id
        self.login(self.alvarez)
        self.assertIn(sam_id, self.client.post(self.url("feeds")).json()["feeds"])
        GroupFacilitator.objects.filter(clinician=self.sam).delete()
        self.assertNotIn(sam_id, self.client.post(self.url("feeds")).json()["feeds"])

    def test_a_participant_not_yet_admitted_gets_no_names(self):
        waiting_attendance(self.group, self.pat)
        self.open_room_as(self.alvarez)
        self.login(self.pat_user)
        self.assertEqual(self.client.post(self.url("feeds")).status_code, 403)

    def test_a_participant_in_the_breakout_is_told_only_who_is_there(self):
        attendance = self.admitted_pat()
        self.login(self.alvarez)
        self.client.post(self.url("breakout", attendance.code), {"to": "breakout"})
        self.login(self.pat_user)
        ticket = self.client.post(self.url("ticket")).json()
        self.assertEqual(self.client.post(self.url("feeds")).json()["feeds"], ticket["feeds"])
        self.assertEqual(list(ticket["feeds"].values()), ["Pat L."])


class AttendanceTests(VideoTestCase):
    def test_ending_the_session_computes_minutes_with_the_reconnect_gap(self):
        attendance = self.admitted_pat()
        start = self.group.starts_at
        # Heartbeats every 30 s; Janus restarted at 40:00 and the client was back at 43:00.
        events: list[tuple[float, str]] = [
            (0, "joined"),
            (40, "lost"),
            (43, "joined"),
            (100, "left"),
        ]
        events += [(m / 2, "heartbeat") for m in range(1, 80)]
        events += [(m / 2, "heartbeat") for m in range(87, 200)]
        PresenceEvent.objects.bulk_create(
            PresenceEvent(attendance=attendance, kind=kind, at=start + timedelta(minutes=minutes))
            for minutes, kind in events
        )
        self.login(self.alvarez)
        self.assertRedirects(
            self.client.post(self.url("end")), self.url("attendance"), fetch_redirect_response=False
        )
        attendance.refresh_from_db()
        self.assertEqual(attendance.minutes_attended, 97)
        self.assertTrue(attendance.left_early)
        # The scheduling engine's booking (the hours ledger) gets the same minutes.
        booking = Booking.objects.get(session=self.group, participant=self.pat)
        self.assertEqual(booking.attendance, Booking.Attendance.LEFT_EARLY)
        self.assertEqual(booking.minutes_attended, 97)
        self.assertEqual(Room.objects.get().status, Room.Status.CLOSED)
        self.assertEqual(FakeJanus.rooms, {})
        self.assertContains(self.client.get(self.url("attendance")), "<td>97</td>", html=False)

    def test_a_correction_needs_a_reason_and_is_audited(self):
        attendance = waiting_attendance(self.group, self.pat)
        self.login(self.alvarez)
        response = self.client.post(self.url("correct", attendance.code), {"minutes": "50"})
        self.assertEqual(response.status_code, 400)
        self.client.post(
            self.url("correct", attendance.code),
            {"minutes": "50", "reason": "Joined by phone after the video dropped"},
        )
        attendance.refresh_from_db()
        self.assertEqual(attendance.final_minutes, 50)
        event = AuditEvent.objects.get(event_type="telehealth.attendance_corrected")
        self.assertEqual(event.details["to"], 50)


class HealthTests(VideoTestCase):
    def test_it_reports_whether_video_is_available(self):
        self.login(self.pat_user)
        self.assertEqual(self.client.get(reverse("telehealth:health")).json(), {"available": True})
        FakeJanus.available = False
        self.login(self.alvarez)
        body = self.client.get(reverse("telehealth:health")).json()
        self.assertEqual(body, {"available": False, "detail": "fake Janus is down"})

    def test_video_is_off_without_janus_secrets(self):
        self.login(self.pat_user)
        with self.settings(TELEHEALTH_ENABLED=False):
            body = self.client.get(reverse("telehealth:health")).json()
        self.assertEqual(body["available"], False)


def test_fake_is_the_default_seam_in_tests(settings):
    assert settings.TELEHEALTH_JANUS_CLIENT.endswith("FakeJanus")
    with mock.patch.object(FakeJanus, "available", False):
        assert not FakeJanus().health().ok


class HelpTests(VideoTestCase):
    def test_i_need_help_alerts_the_facilitators_privately(self):
        self.admitted_pat()
        self.assertEqual(self.client.post(self.url("help")).status_code, 200)
        event = AuditEvent.objects.get(event_type="telehealth.help_requested")
        self.assertEqual(event.participant, self.pat)
        alert = SafetyAlert.objects.get(participant=self.pat)
        self.assertEqual(alert.kind, SafetyAlert.Kind.HELP_REQUESTED)
        self.assertEqual(alert.status, SafetyAlert.Status.OPEN)
        self.assertEqual(alert.triggers.get().signal, "help_requested")
        self.login(self.sam)
        response = self.client.get(self.url("waiting_list"))
        self.assertContains(response, 'pressed "I need help"')
        self.assertContains(response, "(555) 555-0100")
        attendance = Attendance.objects.get()
        self.client.post(self.url("help_seen", attendance.code))
        self.assertNotContains(self.client.get(self.url("waiting_list")), 'pressed "I need help"')

    def test_the_help_request_shows_the_facilitators_local_time(self):
        # 03:08 UTC on 1 December is 10:08 PM on 30 November in New York.
        with time_machine.travel(datetime(2026, 12, 1, 3, 8, tzinfo=UTC), tick=False):
            late = make_session(self, "Late group", [self.alvarez], [self.pat])
            attendance = waiting_attendance(late, self.pat)
            Attendance.objects.filter(pk=attendance.pk).update(
                state=Attendance.State.ADMITTED, admitted_at=timezone.now()
            )
            self.login(self.pat_user)
            url = reverse("telehealth:help", args=[late.code])
            self.assertEqual(self.client.post(url).status_code, 200)
            self.login(self.alvarez)
            response = self.client.get(reverse("telehealth:waiting_list", args=[late.code]))
        self.assertContains(response, 'pressed "I need help" at 10:08 PM EST.')

    def test_a_waiting_participant_cannot_raise_help_in_a_room_they_are_not_in(self):
        waiting_attendance(self.group, self.pat)
        self.login(self.pat_user)
        self.assertEqual(self.client.post(self.url("help")).status_code, 403)


class LeftTheGroupTests(VideoTestCase):
    def test_a_participant_removed_from_the_group_is_refused_mid_session(self):
        self.admitted_pat()
        Booking.objects.filter(session=self.group, participant=self.pat).update(
            status=Booking.Status.RELEASED
        )
        self.assertEqual(
            self.client.post(self.url("presence"), {"kind": "heartbeat"}).status_code, 404
        )
        self.assertEqual(self.client.post(self.url("ticket")).status_code, 404)


class MuteTests(VideoTestCase):
    def test_a_facilitator_mutes_a_participant_for_everyone(self):
        self.admitted_pat()
        feed_id = self.ticket_in(self.client.get(self.url("room")))["feedId"]
        attendance = Attendance.objects.get()
        self.login(self.alvarez)
        with mock.patch.object(FakeJanus, "mute", create=True) as mute:
            self.client.post(self.url("mute", attendance.code), {"mute": "1"})
        room = Room.objects.get()
        mute.assert_called_once_with(room.janus_room_id, room.secret, feed_id, mid="0", mute=True)
        attendance.refresh_from_db()
        self.assertTrue(attendance.muted_by_facilitator)
        self.assertContains(self.client.get(self.url("waiting_list")), "Let speak")
        self.assertTrue(AuditEvent.objects.filter(event_type="telehealth.muted").exists())


class SessionListTests(VideoTestCase):
    def test_a_participant_sees_times_in_the_zone_of_their_chart(self):
        Participant.objects.filter(pk=self.pat.pk).update(timezone="America/Phoenix")
        with time_machine.travel(datetime(2026, 12, 1, 3, 8, tzinfo=UTC), tick=False):
            make_session(self, "Late group", [self.alvarez], [self.pat], minutes=60)
            self.login(self.pat_user)
            response = self.client.get(reverse("telehealth:sessions"))
        # Starts five minutes ago: 03:03 UTC is 8:03 PM the day before in Phoenix.
        self.assertContains(response, "Mon 30 Nov, 8:03 PM – 9:03 PM MST")

    def test_it_lists_only_my_sessions(self):
        make_session(
            self, "Tomorrow's group", [self.chen], [self.quinn], starts_in=timedelta(days=1)
        )
        self.login(self.pat_user)
        response = self.client.get(reverse("telehealth:sessions"))
        self.assertContains(response, "Evening skills group")
        self.assertContains(response, self.url("join"))
        self.assertNotContains(response, "Tomorrow&#x27;s group")
        self.login(self.chen)
        response = self.client.get(reverse("telehealth:sessions"))
        self.assertContains(response, "Tomorrow&#x27;s group")
        self.assertContains(response, "Opens 15 minutes before the start.")
        self.assertNotContains(response, "Evening skills group")

    def test_the_list_takes_a_constant_number_of_queries(self):
        for n in range(5):
            make_session(self, f"Group {n}", [self.alvarez], [self.pat])
        self.login(self.pat_user)
        # Pat's chart is read once per page, for her time zone (ViewerZoneMiddleware).
        with self.assertNumQueries(6):
            self.client.get(reverse("telehealth:sessions"))


class CloseFinishedRoomsTests(VideoTestCase):
    def test_rooms_of_finished_sessions_are_closed_with_attendance(self):
        attendance = self.admitted_pat()
        room = Room.objects.get()
        after_end = self.group.ends_at + timedelta(minutes=31)
        self.assertEqual(actions.close_finished_rooms(now=self.group.ends_at), 0)
        self.assertEqual(actions.close_finished_rooms(now=after_end), 1)
        room.refresh_from_db()
        attendance.refresh_from_db()
        self.assertEqual(room.status, Room.Status.CLOSED)
        self.assertEqual(attendance.minutes_attended, 0)
        self.assertNotIn(room.janus_room_id, FakeJanus.rooms)
        event = AuditEvent.objects.get(event_type="telehealth.room_closed")
        self.assertIsNone(event.actor)


class LedgerTests(VideoTestCase):
    def test_a_booked_participant_who_never_came_is_marked_absent(self):
        self.login(self.alvarez)
        self.client.get(self.url("room"))
        self.client.post(self.url("end"))
        booking = Booking.objects.get(session=self.group, participant=self.pat)
        self.assertEqual(booking.attendance, Booking.Attendance.ABSENT)
        self.assertEqual(booking.minutes_attended, 0)

    def test_a_correction_reaches_the_ledger(self):
        attendance = self.admitted_pat()
        self.login(self.alvarez)
        self.client.post(
            self.url("correct", attendance.code),
            {"minutes": "150", "reason": "Video failed; joined by phone"},
        )
        booking = Booking.objects.get(session=self.group, participant=self.pat)
        self.assertEqual(booking.minutes_attended, 150)


class BreakoutTests(VideoTestCase):
    def test_a_facilitator_moves_a_participant_to_a_private_breakout_and_back(self):
        attendance = self.admitted_pat()
        self.login(self.alvarez)
        self.client.post(self.url("breakout", attendance.code), {"to": "breakout"})
        room = Room.objects.get()
        self.assertTrue(room.breakout_janus_room_id)
        self.assertIn(room.breakout_janus_room_id, FakeJanus.rooms)
        # Sam (co-facilitator) joins the breakout; the group room stays as it was.
        self.login(self.sam)
        sam_ticket = self.ticket_in(self.client.get(self.url("room") + "?breakout=1"))
        self.assertEqual(sam_ticket["room"], room.breakout_janus_room_id)
        self.login(self.pat_user)
        self.assertTrue(self.client.get(self.url("status")).json()["breakout"])
        pat_ticket = self.client.post(self.url("ticket")).json()
        self.assertEqual(pat_ticket["room"], room.breakout_janus_room_id)
        self.assertEqual(
            tokens.verify(
                "test-token-secret-0123456789-0123456789",
                pat_ticket["roomToken"],
                realm=tokens.VIDEOROOM_PLUGIN,
            ),
            [f"room={room.breakout_janus_room_id}"],
        )
        self.login(self.alvarez)
        self.client.post(self.url("breakout", attendance.code), {"to": "group"})
        self.login(self.pat_user)
        self.assertEqual(self.client.post(self.url("ticket")).json()["room"], room.janus_room_id)
        kinds = AuditEvent.objects.filter(event_type__startswith="telehealth.breakout")
        self.assertEqual(
            list(kinds.order_by("seq").values_list("event_type", flat=True)),
            ["telehealth.breakout_started", "telehealth.breakout_ended"],
        )

    def test_ending_the_session_destroys_the_breakout_room_too(self):
        attendance = self.admitted_pat()
        self.login(self.alvarez)
        self.client.post(self.url("breakout", attendance.code), {"to": "breakout"})
        self.client.post(self.url("end"))
        self.assertEqual(FakeJanus.rooms, {})


class QueryCountTests(VideoTestCase):
    def setUp(self):
        super().setUp()
        # Room for Pat and the sixteen make-ups below: a session never holds more than its seats.
        Group.objects.filter(sessions=self.group).update(capacity=30, hard_cap=30)

    def queries_for(self, name, people):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        for n in range(people):
            email = f"p{Participant.objects.count()}@example.org"
            person = self.make_participant(email, f"P{n}", "Example", "")
            Booking.objects.create(
                session=self.group, participant=person, source=Booking.Source.MAKEUP
            )
            waiting_attendance(self.group, person)
        self.login(self.alvarez)
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(self.url(name)).status_code, 200)
        return len(queries)

    def test_the_waiting_list_and_attendance_pages_take_constant_queries(self):
        for name in ("waiting_list", "attendance"):
            with self.subTest(page=name):
                few = self.queries_for(name, 2)
                many = self.queries_for(name, 6)
                self.assertEqual(few, many)


class SpanishVideoPagesTests(VideoTestCase):
    """The words the video pages' scripts show come from the page, in the reader's language."""

    def setUp(self):
        super().setUp()
        self.pat_user.language = "es"
        self.pat_user.save()

    def test_the_pre_join_checks_speak_spanish(self):
        self.login(self.pat_user)
        response = self.client.get(self.url("join"))
        self.assertContains(response, 'data-camera-works="Su cámara funciona."')
        self.assertContains(response, "Le recomendamos entrar solo con audio.")
        self.assertContains(response, "No pudimos usar su cámara o su micrófono ({error}).")

    def test_the_room_and_waiting_room_scripts_get_spanish_words(self):
        attendance = waiting_attendance(self.group, self.pat)
        self.login(self.pat_user)
        waiting = self.client.get(self.url("waiting"))
        self.assertContains(waiting, 'data-retrying="Intentando conectar con el servidor…"')
        self.open_room_as(self.alvarez)
        self.client.post(self.url("admit", attendance.code))
        self.login(self.pat_user)
        room = self.client.get(self.url("room"))
        self.assertContains(room, 'data-video-on="Volver a activar el video"')
        self.assertContains(room, 'data-lost="Se perdió la conexión. Reconectando…"')
        self.assertContains(room, 'data-quality-poor="Conexión: mala"')

    def test_problems_from_the_server_are_in_spanish(self):
        self.login(self.pat_user)
        refused = self.client.post(self.url("join"), {**LOCATION, "location_state": "CA"})
        self.assertContains(refused, "Su facilitador no tiene licencia", status_code=403)
        early = make_session(
            self, "Tomorrow", [self.alvarez], [self.pat], starts_in=timedelta(days=1)
        )
        page = self.client.get(reverse("telehealth:join", args=[early.code]))
        self.assertContains(page, "Esta sesión todavía no está abierta.")
