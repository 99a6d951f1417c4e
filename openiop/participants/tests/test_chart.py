from datetime import date

from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.participants.forms import NAME_FIELDS
from openiop.participants.models import CareTeamMember, Participant
from openiop.testing import BaseTestCase


def chart_header(**overrides) -> dict:
    data = {
        "given_name": "Patricia",
        "family_name": "Lindqvist",
        "preferred_name": "Pat",
        "pronouns": "she/her",
        "date_of_birth": "1990-04-02",
        "home_state": "NY",
        "timezone": "America/New_York",
        "phone": "+15555550100",
        "email": "pat@example.org",
        "emergency_contact_name": "",
        "emergency_contact_phone": "",
        "emergency_contact_relationship": "",
    }
    data.update(overrides)
    return data


class ChartViewTestCase(BaseTestCase):
    def test_each_chart_view_creates_exactly_one_audit_event(self):
        self.login(self.alvarez)
        before = AuditEvent.objects.count()
        response = self.client.get(reverse("participants:chart", args=[self.pat.code]))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(AuditEvent.objects.count(), before + 1)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual(event.event_type, "participant.chart_viewed")
        self.assertEqual(event.actor, self.alvarez)
        self.assertEqual(event.participant, self.pat)
        self.assertEqual(event.details, {})
        self.assertEqual(event.ip_address, "127.0.0.1")

    def test_it_hides_chart_from_other_clinicians(self):
        self.login(self.chen)
        for name in ("participants:chart", "participants:edit"):
            with self.subTest(name=name):
                response = self.client.get(reverse(name, args=[self.pat.code]))
                self.assertEqual(response.status_code, 404)
        response = self.client.post(
            reverse("participants:edit", args=[self.pat.code]), chart_header(given_name="Hacked")
        )
        self.assertEqual(response.status_code, 404)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.given_name, "Patricia")
        self.assertFalse(AuditEvent.objects.filter(participant=self.pat).exists())

    def test_a_read_only_member_gets_403_on_edit(self):
        self.login(self.sam)
        response = self.client.post(
            reverse("participants:edit", args=[self.pat.code]), chart_header(given_name="Changed")
        )
        self.assertEqual(response.status_code, 403)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.given_name, "Patricia")

    def test_caseload_lists_only_the_care_team_participants(self):
        self.login(self.alvarez)
        response = self.client.get(reverse("participants:caseload"))
        self.assertContains(response, "Lindqvist")
        self.assertNotContains(response, "Marlowe")

    def test_caseload_query_count_does_not_grow_with_the_caseload(self):
        self.login(self.alvarez)
        self.client.get(reverse("participants:caseload"))  # warm the session

        def count_queries() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                self.assertEqual(self.client.get(reverse("participants:caseload")).status_code, 200)
            return len(ctx.captured_queries)

        small = count_queries()
        rows = Participant.objects.bulk_create(
            Participant(
                program=self.program,
                given_name=f"Synthetic{i}",
                family_name="Person",
                date_of_birth=date(1980, 1, 1),
                home_state="NJ",
            )
            for i in range(120)
        )
        CareTeamMember.objects.bulk_create(
            CareTeamMember(participant=p, clinician=self.alvarez, role="therapist") for p in rows
        )
        self.assertEqual(count_queries(), small)


class ChartEditTestCase(BaseTestCase):
    def setUp(self):
        super().setUp()
        self.login(self.alvarez)
        self.url = reverse("participants:edit", args=[self.pat.code])

    def post(self, **overrides):
        return self.client.post(
            self.url, {**chart_header(**overrides), "version": self.pat.version}
        )

    def test_opening_the_edit_form_is_an_audited_chart_read(self):
        response = self.client.get(self.url)
        self.assertContains(response, 'value="(555) 555-0100"')
        event = AuditEvent.objects.get(event_type="participant.chart_viewed")
        self.assertEqual((event.actor, event.participant), (self.alvarez, self.pat))

    def test_it_updates_the_header_and_audits_field_names_only(self):
        response = self.post(phone="+15555550199")
        self.assertRedirects(response, self.pat.get_absolute_url(), fetch_redirect_response=False)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.phone, "+15555550199")
        event = AuditEvent.objects.get(event_type="participant.updated")
        self.assertEqual(event.details, {"fields": ["phone"]})
        self.assertNotIn("5555550199", str(event.details))

    def test_it_refuses_invisible_characters_in_names_and_keeps_the_input(self):
        for bad in ("Pat\u202eevil", "Pa\u200bt", "Pat\u2066x\u2069"):
            with self.subTest(bad=repr(bad)):
                response = self.post(given_name=bad, phone="+15555550123")
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "invisible formatting characters", status_code=400)
                self.assertContains(response, "+15555550123", status_code=400)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.given_name, "Patricia")

    def test_it_refuses_disguised_phone_numbers_and_keeps_the_input(self):
        for field in ("phone", "emergency_contact_phone"):
            for bad in ("555-555-0100\u202e", "555\u200b555-0100", "<b>555-555-0100</b>"):
                with self.subTest(field=field, bad=repr(bad)):
                    response = self.post(**{field: bad, "pronouns": "they/them"})
                    self.assertContains(
                        response,
                        "Enter a phone number like 555-555-0100 or +1 555 555 0100",
                        status_code=400,
                    )
                    self.assertContains(response, 'value="they/them"', status_code=400)
        self.pat.refresh_from_db()
        self.assertEqual((self.pat.pronouns, self.pat.phone), ("she/her", "+15555550100"))

    def test_it_stores_phone_numbers_as_e164_and_shows_them_nationally(self):
        response = self.post(
            phone="(555) 555-0142",
            emergency_contact_name="Ana",
            emergency_contact_phone="+44 20 7946 0000",
        )
        self.assertEqual(response.status_code, 302)
        self.pat.refresh_from_db()
        self.assertEqual(str(self.pat.phone), "+15555550142")
        self.assertEqual(
            Participant.objects.filter(phone="+15555550142").values_list(
                "emergency_contact_phone", flat=True
            )[0],
            "+442079460000",
        )
        page = self.client.get(self.pat.get_absolute_url())
        self.assertContains(page, "(555) 555-0142")
        self.assertContains(page, "+44 20 7946 0000")

    def test_it_refuses_very_long_names_clearly(self):
        response = self.post(family_name="L" * 151)
        self.assertContains(response, "at most 150 characters", status_code=400)

    def test_it_accepts_right_to_left_names_and_isolates_them(self):
        response = self.post(given_name="عائشة", family_name="כהן")
        self.assertEqual(response.status_code, 302)
        page = self.client.get(self.pat.get_absolute_url()).content.decode()
        self.assertIn("<bdi>عائشة כהן</bdi>", page)

    def test_script_in_every_text_field_is_stored_as_typed_and_shown_inert(self):
        script = "<script>alert(1)</script>"
        fields = dict.fromkeys(NAME_FIELDS, script)
        response = self.client.post(self.url, {**chart_header(**fields), "version": 1})
        self.assertEqual(response.status_code, 302)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.family_name, script)
        for url in (self.pat.get_absolute_url(), reverse("participants:caseload")):
            page = self.client.get(url).content.decode()
            self.assertNotIn(script, page)
            self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", page)

    def test_it_refuses_an_unknown_time_zone_or_state(self):
        response = self.post(timezone="Mars/Olympus_Mons", home_state="ZZ")
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Choose a time zone", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_it_detects_a_concurrent_edit_and_keeps_the_input(self):
        stale_version = self.pat.version
        self.post(phone="+15555550001")
        response = self.client.post(
            self.url, {**chart_header(phone="+15555550002"), "version": stale_version}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Someone else changed this chart", status_code=400)
        self.assertContains(response, "+15555550002", status_code=400)
        self.pat.refresh_from_db()
        self.assertEqual(self.pat.phone, "+15555550001")


class CareTeamTestCase(BaseTestCase):
    def test_a_director_adds_a_clinician_and_the_change_is_audited(self):
        self.login(self.dana)
        response = self.client.post(
            reverse("participants:care_team_add", args=[self.pat.code]),
            {"clinician": self.chen.pk, "role": "psychiatric_prescriber", "can_write": "on"},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.pat.care_team.filter(clinician=self.chen).exists())
        event = AuditEvent.objects.get(event_type="care_team.member_added")
        self.assertEqual(event.details["clinician"], str(self.chen.code))

        # Dr. Chen can now open Pat's chart.
        self.client.logout()
        self.login(self.chen)
        self.assertEqual(self.client.get(self.pat.get_absolute_url()).status_code, 200)

    def test_a_director_removes_a_member_who_then_loses_access(self):
        self.login(self.dana)
        member = self.pat.care_team.get(clinician=self.sam)
        self.client.post(
            reverse("participants:care_team_remove", args=[self.pat.code, member.code])
        )
        self.assertFalse(self.pat.care_team.filter(clinician=self.sam).exists())
        self.assertTrue(AuditEvent.objects.filter(event_type="care_team.member_removed").exists())
        self.client.logout()
        self.login(self.sam)
        self.assertEqual(self.client.get(self.pat.get_absolute_url()).status_code, 404)

    def test_a_clinician_from_another_program_cannot_be_added(self):
        from openiop.testing import make_user

        outsider = make_user("out@example.org", "Out", "Sider", "clinician", discipline="counselor")
        self.login(self.dana)
        self.client.post(
            reverse("participants:care_team_add", args=[self.pat.code]),
            {"clinician": outsider.pk, "role": "therapist"},
        )
        self.assertFalse(self.pat.care_team.filter(clinician=outsider).exists())


class NewParticipantTestCase(BaseTestCase):
    def test_an_intake_coordinator_adds_a_participant(self):
        self.login(self.ivy)
        response = self.client.post(
            reverse("participants:new"),
            {
                **chart_header(
                    given_name="Robin", family_name="Ashdown", email="", phone="+15555550142"
                ),
                "program": self.program.pk,
            },
        )
        participant = Participant.objects.get(given_name="Robin")
        self.assertRedirects(
            response, participant.get_absolute_url(), fetch_redirect_response=False
        )
        self.assertTrue(
            AuditEvent.objects.filter(
                event_type="participant.created", participant=participant
            ).exists()
        )

    def test_a_bad_form_keeps_what_was_typed(self):
        self.login(self.ivy)
        response = self.client.post(
            reverse("participants:new"),
            {
                **chart_header(given_name="Robin", date_of_birth="not a date"),
                "program": self.program.pk,
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Enter a valid date", status_code=400)
        self.assertContains(response, 'value="Robin"', status_code=400)


class DirectorOnTheTeamTestCase(BaseTestCase):
    def test_a_read_only_team_seat_does_not_downgrade_a_director(self):
        from openiop.participants.access import Access, participant_access

        CareTeamMember.objects.create(
            participant=self.pat, clinician=self.dana, role="peer_support", can_write=False
        )
        self.assertEqual(participant_access(self.dana, self.pat), Access.WRITE)
        self.assertEqual(participant_access(self.sam, self.pat), Access.READ)


class CareTeamDoubleSubmitTestCase(BaseTestCase):
    def test_adding_the_same_member_twice_adds_them_once(self):
        from openiop.audit.models import AuditEvent

        self.login(self.dana)
        url = reverse("participants:care_team_add", args=[self.pat.code])
        data = {"clinician": self.chen.pk, "role": "psychiatric_prescriber"}
        self.client.post(url, data)
        # The second post comes from a stale form that still lists Dr. Chen.
        from openiop.participants import actions

        actions.add_care_team_member(
            self.pat, clinician=self.chen, role="nurse", can_write=True, acting_user=self.dana
        )
        self.assertEqual(self.pat.care_team.filter(clinician=self.chen).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(event_type="care_team.member_added").count(), 1)
