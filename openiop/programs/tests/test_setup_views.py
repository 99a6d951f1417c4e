"""Program setup pages: a director sets up tracks, groups and curriculum without the admin."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from openiop.audit.models import AuditEvent
from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)
from openiop.programs.tests.setup_fixture import setup_fixture
from openiop.scheduling.models import Booking, Enrollment, Holiday, Session
from openiop.testing import BaseTestCase

# A Tuesday morning in New York.
NOW = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)


def events(event_type: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event_type=event_type).order_by("seq"))


@time_machine.travel(NOW, tick=False)
class SetupTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.rows = setup_fixture(self)["own"]
        self.track: Track = self.rows["track"]
        self.group: Group = self.rows["group"]
        self.login(self.dana)

    def track_data(self, **changes: object) -> dict:
        data: dict[str, object] = {
            "name": "Morning skills",
            "starts_on": "2026-03-09",
            "level_of_care": "",
            "weekly_minimum_hours": "",
            "daily_minimum_hours": "",
            "typical_length_weeks": "6",
            "days": ["TU", "FR"],
            "starts_at": "09:00",
            "ends_at": "12:00",
        }
        data.update(changes)
        return data


class ProgramSettingsTestCase(SetupTestCase):
    def test_it_saves_settings_with_an_audit_event(self):
        url = reverse("programs:settings", args=[self.program.code])
        response = self.client.post(
            url,
            {
                "name": "Adult Mental Health IOP",
                "timezone": "America/Chicago",
                "weekly_minimum_hours": "9.0",
                "daily_minimum_hours": "3.0",
                "typical_length_weeks": "10",
                "phone": "+1 212 555 0199",
                "after_hours_message": "After 6 pm, call 988.",
            },
        )
        self.assertRedirects(response, reverse("programs:setup", args=[self.program.code]))
        self.program.refresh_from_db()
        self.assertEqual(self.program.timezone, "America/Chicago")
        self.assertEqual(self.program.typical_length_weeks, 10)
        self.assertTrue(self.program.phone)
        [event] = events("programs.program_updated")
        self.assertEqual(event.actor, self.dana)
        self.assertEqual(
            sorted(event.details["fields"]),
            ["after_hours_message", "phone", "timezone", "typical_length_weeks"],
        )

    def test_it_refuses_an_unknown_timezone_and_keeps_what_was_typed(self):
        url = reverse("programs:settings", args=[self.program.code])
        response = self.client.post(
            url,
            {
                "name": "Renamed",
                "timezone": "Mars/Olympus",
                "weekly_minimum_hours": "9",
                "daily_minimum_hours": "3",
                "typical_length_weeks": "8",
            },
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "Renamed", status_code=400)
        self.program.refresh_from_db()
        self.assertEqual(self.program.name, "Adult Mental Health IOP")
        self.assertEqual(events("programs.program_updated"), [])


class TrackTestCase(SetupTestCase):
    def test_it_creates_a_track_with_its_block(self):
        response = self.client.post(
            reverse("programs:track_new", args=[self.program.code]), self.track_data()
        )
        track = Track.objects.get(program=self.program, name="Morning skills")
        self.assertRedirects(response, reverse("programs:track", args=[track.code]))
        [block] = track.blocks.all()
        self.assertEqual(block.rule, "FREQ=WEEKLY;BYDAY=TU,FR")
        self.assertEqual(block.summary, "Tue, Fri 09:00\u201312:00")
        self.assertEqual(track.typical_length_weeks, 6)
        self.assertEqual(track.effective_weekly_minimum_hours, self.program.weekly_minimum_hours)
        [event] = events("programs.track_created")
        self.assertEqual(event.details, {"program": str(self.program.code)})

    def test_it_warns_of_an_overlapping_track_until_confirmed(self):
        data = self.track_data(days=["WE"], starts_at="20:00", ends_at="22:00")
        url = reverse("programs:track_new", args=[self.program.code])
        response = self.client.post(url, data)
        self.assertContains(response, "overlap another active track", status_code=400)
        self.assertContains(response, "Evening own (Mon, Wed 18:00", status_code=400)
        self.assertFalse(Track.objects.filter(name="Morning skills").exists())
        response = self.client.post(url, {**data, "overlap_confirmed": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Track.objects.filter(name="Morning skills").exists())

    def test_touching_hours_and_other_days_do_not_overlap(self):
        url = reverse("programs:track_new", args=[self.program.code])
        self.client.post(url, self.track_data(days=["MO"], starts_at="21:00", ends_at="22:00"))
        self.client.post(
            url, self.track_data(name="Tuesday", days=["TU"], starts_at="18:00", ends_at="21:00")
        )
        self.assertEqual(Track.objects.filter(program=self.program).count(), 3)

    def test_an_inactive_track_does_not_count_as_overlapping(self):
        Track.objects.filter(pk=self.track.pk).update(is_active=False)
        data = self.track_data(days=["MO"], starts_at="18:00", ends_at="21:00")
        response = self.client.post(reverse("programs:track_new", args=[self.program.code]), data)
        self.assertEqual(response.status_code, 302)

    def test_turning_an_inactive_track_back_on_warns_of_an_overlap(self):
        Track.objects.filter(pk=self.track.pk).update(is_active=False)
        self.client.post(
            reverse("programs:track_new", args=[self.program.code]),
            self.track_data(name="Monday evening", days=["MO"], starts_at="19:00", ends_at="21:00"),
        )
        url = reverse("programs:track", args=[self.track.code])
        data = {"name": "Evening own", "starts_on": "2026-01-05", "is_active": "on"}
        response = self.client.post(url, data)
        self.assertContains(response, "would overlap another active track", status_code=400)
        self.assertContains(response, "Monday evening (Mon 19:00", status_code=400)
        self.track.refresh_from_db()
        self.assertFalse(self.track.is_active)
        response = self.client.post(url, {**data, "overlap_confirmed": "on"})
        self.assertEqual(response.status_code, 302)
        self.track.refresh_from_db()
        self.assertTrue(self.track.is_active)

    def test_it_refuses_bad_blocks(self):
        url = reverse("programs:track_new", args=[self.program.code])
        response = self.client.post(url, self.track_data(starts_at="12:00", ends_at="09:00"))
        self.assertContains(response, "The end time must be after the start time.", status_code=400)
        response = self.client.post(url, self.track_data(days=[]))
        self.assertContains(response, "Choose at least one day.", status_code=400)
        response = self.client.post(url, self.track_data(name="evening OWN"))
        self.assertContains(response, "already has a track with this name", status_code=400)
        self.assertEqual(events("programs.track_created"), [])

    def test_it_refuses_a_block_overlapping_the_same_track(self):
        url = reverse("programs:track_block_add", args=[self.track.code])
        response = self.client.post(
            url,
            {"block-days": ["WE"], "block-starts_at": "20:00", "block-ends_at": "22:00"},
        )
        self.assertContains(response, "This track already meets Mon, Wed", status_code=400)
        self.assertEqual(self.track.blocks.count(), 2)

    def test_it_adds_and_removes_blocks_but_keeps_the_last(self):
        url = reverse("programs:track_block_add", args=[self.track.code])
        self.client.post(
            url, {"block-days": ["SA"], "block-starts_at": "09:00", "block-ends_at": "12:00"}
        )
        self.assertEqual(self.track.blocks.count(), 3)
        for block in list(self.track.blocks.all()):
            self.client.post(
                reverse("programs:track_block_remove", args=[self.track.code, block.pk])
            )
        self.assertEqual(self.track.blocks.count(), 1)
        self.assertEqual(len(events("programs.track_block_removed")), 2)
        response = self.client.get(reverse("programs:track", args=[self.track.code]))
        self.assertContains(response, "needs at least one weekly block")

    def test_it_edits_a_track(self):
        response = self.client.post(
            reverse("programs:track", args=[self.track.code]),
            {
                "name": "Evening DBT",
                "starts_on": "2026-01-05",
                "level_of_care": "php",
                "weekly_minimum_hours": "20",
                "daily_minimum_hours": "4",
                "typical_length_weeks": "",
                "is_active": "on",
            },
        )
        self.assertEqual(response.status_code, 302)
        self.track.refresh_from_db()
        self.assertEqual(self.track.effective_level_of_care, Program.LevelOfCare.PHP)
        [event] = events("programs.track_updated")
        self.assertEqual(
            event.details["fields"],
            ["daily_minimum_hours", "level_of_care", "name", "weekly_minimum_hours"],
        )


class GroupTestCase(SetupTestCase):
    def test_it_creates_a_group(self):
        response = self.client.post(
            reverse("programs:group_new", args=[self.track.code]),
            {"name": "Evening B", "capacity": "8", "curriculum_starts_on": "2026-03-09"},
        )
        group = Group.objects.get(name="Evening B")
        self.assertRedirects(response, reverse("programs:group", args=[group.code]))
        self.assertEqual((group.capacity, group.hard_cap, group.seated_count), (8, 12, 0))
        [event] = events("programs.group_created")
        self.assertEqual(event.details, {"track": str(self.track.code), "seats": 8})

    def test_it_refuses_a_group_with_zero_capacity(self):
        url = reverse("programs:group_new", args=[self.track.code])
        data = {"name": "Evening B", "capacity": "0", "curriculum_starts_on": "2026-03-09"}
        response = self.client.post(url, data)
        self.assertContains(response, "A group needs at least one seat", status_code=400)
        self.assertContains(response, 'value="Evening B"', status_code=400)
        response = self.client.post(url, {**data, "capacity": "40"})
        self.assertContains(response, "at most 15 seats", status_code=400)
        self.assertFalse(Group.objects.filter(name="Evening B").exists())

    def test_it_edits_a_group_but_not_its_seats(self):
        response = self.client.post(
            reverse("programs:group", args=[self.group.code]),
            {"name": "Group own", "curriculum_starts_on": "2026-02-02", "capacity": "0"},
        )
        self.assertEqual(response.status_code, 302)
        self.group.refresh_from_db()
        self.assertEqual(self.group.capacity, Group.DEFAULT_CAPACITY)
        self.assertFalse(self.group.is_active)
        [event] = events("programs.group_updated")
        self.assertEqual(event.details["fields"], ["curriculum_starts_on", "is_active"])


class FacilitatorTestCase(SetupTestCase):
    def add(self, clinician, role):
        return self.client.post(
            reverse("programs:facilitator_add", args=[self.group.code]),
            {"facilitator-clinician": clinician.pk, "facilitator-role": role},
        )

    def test_it_adds_a_co_facilitator(self):
        response = self.add(self.sam, "peer")
        self.assertEqual(response.status_code, 302)
        self.assertTrue(self.group.facilitator_roles.filter(clinician=self.sam).exists())
        [event] = events("programs.facilitator_added")
        self.assertEqual(event.details, {"clinician": str(self.sam.code), "role": "peer"})

    def test_it_refuses_a_second_lead_and_an_unlicensed_lead(self):
        response = self.add(self.chen, "lead")
        self.assertContains(response, "already has a lead facilitator", status_code=400)
        GroupFacilitator.objects.filter(group=self.group).delete()
        response = self.add(self.sam, "lead")
        self.assertContains(response, "must be a licensed clinician", status_code=400)

    def test_it_offers_only_staff_who_may_facilitate(self):
        response = self.client.get(reverse("programs:group", args=[self.group.code]))
        choices = response.context["facilitator_form"].fields["clinician"].queryset
        self.assertEqual(set(choices), {self.dana, self.sam, self.chen})
        response = self.add(self.ivy, "co_facilitator")
        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_removing_a_facilitator_with_booked_sessions_lists_them_first(self):
        session = Session.objects.create(
            program=self.program,
            group=self.group,
            kind=Session.Kind.GROUP,
            starts_at=NOW + timedelta(days=1),
            ends_at=NOW + timedelta(days=1, hours=3),
            local_date=date(2026, 3, 4),
            local_starts_at=time(9),
            local_ends_at=time(12),
            timezone="America/New_York",
        )
        enrollment = Enrollment.objects.create(
            participant=self.pat,
            group=self.group,
            status=Enrollment.Status.SEATED,
            starts_on=date(2026, 3, 2),
            expected_end_on=date(2026, 5, 1),
            requested_at=NOW,
            seated_at=NOW,
            created_by=self.dana,
        )
        Booking.objects.create(
            session=session, participant=self.pat, enrollment=enrollment, source="enrollment"
        )
        facilitator = self.rows["facilitator"]
        url = reverse("programs:facilitator_remove", args=[self.group.code, facilitator.pk])
        response = self.client.post(url)
        self.assertContains(response, "1 booked session ahead")
        self.assertContains(response, reverse("scheduling:session", args=[session.code]))
        self.assertTrue(GroupFacilitator.objects.filter(pk=facilitator.pk).exists())
        response = self.client.post(url, {"confirm": "on"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(GroupFacilitator.objects.filter(pk=facilitator.pk).exists())
        [event] = events("programs.facilitator_removed")
        self.assertEqual(event.details["sessions"], 1)

    def test_removing_a_facilitator_without_bookings_needs_no_confirmation(self):
        facilitator = self.rows["facilitator"]
        url = reverse("programs:facilitator_remove", args=[self.group.code, facilitator.pk])
        self.assertEqual(self.client.post(url).status_code, 302)
        self.assertFalse(GroupFacilitator.objects.filter(pk=facilitator.pk).exists())


class CurriculumTestCase(SetupTestCase):
    def titles(self) -> list[str]:
        return list(self.group.topics.order_by("position").values_list("title", flat=True))

    def test_it_adds_moves_renames_and_removes_modules(self):
        self.client.post(
            reverse("programs:topic_add", args=[self.group.code]), {"topic-title": "Values"}
        )
        self.assertEqual(self.titles(), ["Mindfulness", "Distress tolerance", "Values"])
        values = CurriculumTopic.objects.get(title="Values")
        self.client.post(
            reverse("programs:topic_move", args=[self.group.code, values.pk]),
            {"direction": "up"},
        )
        self.assertEqual(self.titles(), ["Mindfulness", "Values", "Distress tolerance"])
        first = self.rows["topic"]
        self.client.post(
            reverse("programs:topic_move", args=[self.group.code, first.pk]),
            {"direction": "up"},
        )
        self.assertEqual(self.titles(), ["Mindfulness", "Values", "Distress tolerance"])
        self.client.post(
            reverse("programs:topic_edit", args=[self.group.code, values.pk]),
            {f"topic-{values.pk}-title": "Values and goals"},
        )
        self.client.post(reverse("programs:topic_remove", args=[self.group.code, first.pk]))
        self.assertEqual(self.titles(), ["Values and goals", "Distress tolerance"])
        first_week = self.group.topic_for(date(2026, 1, 5))
        self.assertEqual(first_week and first_week.title, "Values and goals")
        self.assertEqual(
            [e.event_type for e in AuditEvent.objects.filter(event_type__startswith="programs.")],
            [
                "programs.topic_added",
                "programs.topic_moved",
                "programs.topic_updated",
                "programs.topic_removed",
            ],
        )

    def test_it_refuses_an_empty_module_title(self):
        response = self.client.post(
            reverse("programs:topic_add", args=[self.group.code]), {"topic-title": ""}
        )
        self.assertContains(response, "This field is required", status_code=400)
        self.assertEqual(len(self.titles()), 2)


class AccessTestCase(SetupTestCase):
    def test_another_programs_director_gets_404(self):
        other = setup_fixture(self)["other"]
        for url in (
            reverse("programs:setup", args=[other["program"].code]),
            reverse("programs:track", args=[other["track"].code]),
            reverse("programs:group", args=[other["group"].code]),
            reverse("scheduling:closures", args=[other["program"].code]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_clinicians_and_coordinators_get_404(self):
        for user in (self.alvarez, self.chen, self.ivy, self.admin):
            self.login(user)
            with self.subTest(user=user.email):
                response = self.client.get(reverse("programs:group", args=[self.group.code]))
                self.assertEqual(response.status_code, 404)
                response = self.client.post(
                    reverse("programs:topic_remove", args=[self.group.code, self.rows["topic"].pk])
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(self.group.topics.count(), 2)

    def test_a_row_of_another_group_is_404(self):
        other_topic = setup_fixture(self)["other"]["topic"]
        response = self.client.post(
            reverse("programs:topic_remove", args=[self.group.code, other_topic.pk])
        )
        self.assertEqual(response.status_code, 404)

    def test_the_director_menu_links_to_setup(self):
        response = self.client.get(reverse("programs:setup", args=[self.program.code]))
        self.assertContains(response, f'href="{reverse("programs:index")}"')
        self.login(self.alvarez)
        response = self.client.get(reverse("scheduling:index"))
        self.assertNotContains(response, reverse("programs:index"))


class QueryCountTestCase(SetupTestCase):
    def count(self, url: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(url).status_code, 200)
        return len(queries)

    def grow(self, n: int) -> None:
        for i in range(n):
            track = Track.objects.create(
                program=self.program, name=f"Extra {n}-{i}", starts_on=date(2026, 1, 5)
            )
            TrackBlock.objects.create(
                track=track, rule="FREQ=WEEKLY;BYDAY=SA", starts_at=time(9), ends_at=time(10)
            )
            group = Group.objects.create(
                track=track, name="G", curriculum_starts_on=date(2026, 1, 5)
            )
            GroupFacilitator.objects.create(group=group, clinician=self.chen, role="lead")
            CurriculumTopic.objects.create(group=group, position=1, title="T")

    def test_the_setup_and_group_pages_have_constant_query_counts(self):
        setup_url = reverse("programs:setup", args=[self.program.code])
        group_url = reverse("programs:group", args=[self.group.code])
        closures_url = reverse("scheduling:closures", args=[self.program.code])
        before = [self.count(setup_url), self.count(group_url), self.count(closures_url)]
        self.grow(5)
        for i in range(4):
            CurriculumTopic.objects.create(group=self.group, position=10 + i, title=f"T{i}")
            Holiday.objects.create(program=self.program, date=date(2026, 4, 1 + i), name="Off")
        GroupFacilitator.objects.create(group=self.group, clinician=self.sam, role="peer")
        after = [self.count(setup_url), self.count(group_url), self.count(closures_url)]
        self.assertEqual(before, after)


class ClosureTestCase(SetupTestCase):
    def session_on(self, day: date, hour_utc: int = 23) -> Session:
        start = datetime(day.year, day.month, day.day, hour_utc, tzinfo=UTC)
        return Session.objects.create(
            program=self.program,
            group=self.group,
            kind=Session.Kind.GROUP,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            local_date=day,
            local_starts_at=time(18),
            local_ends_at=time(21),
            timezone="America/New_York",
        )

    def test_it_lists_the_sessions_before_closing_and_cancels_on_confirmation(self):
        # 9 March 2026: the day after the US spring-forward change.
        monday = self.session_on(date(2026, 3, 9), hour_utc=22)
        wednesday = self.session_on(date(2026, 3, 11), hour_utc=22)
        later = self.session_on(date(2026, 3, 16), hour_utc=22)
        url = reverse("scheduling:closures", args=[self.program.code])
        data = {"first_day": "2026-03-09", "last_day": "2026-03-13", "name": "Staff training"}
        response = self.client.post(url, data)
        self.assertContains(response, "2 sessions on these days")
        self.assertContains(response, reverse("scheduling:session", args=[monday.code]))
        self.assertFalse(Holiday.objects.exists())
        self.assertEqual(Session.objects.filter(status="cancelled").count(), 0)
        # Dates changed after the preview: shown again, nothing closed.
        response = self.client.post(
            url, {**data, "last_day": "2026-03-16", "confirm": "2026-03-09:2026-03-13"}
        )
        self.assertContains(response, "3 sessions on these days")
        self.assertFalse(Holiday.objects.exists())
        response = self.client.post(url, {**data, "confirm": "2026-03-09:2026-03-13"})
        self.assertRedirects(response, url)
        self.assertEqual(Holiday.objects.filter(program=self.program).count(), 5)
        for session in (monday, wednesday):
            session.refresh_from_db()
            self.assertEqual(session.cancel_reason, Session.CancelReason.HOLIDAY)
        later.refresh_from_db()
        self.assertFalse(later.is_cancelled)
        self.assertEqual(len(events("scheduling.holiday_added")), 5)

    def test_a_closure_without_sessions_closes_at_once(self):
        url = reverse("scheduling:closures", args=[self.program.code])
        response = self.client.post(url, {"first_day": "2026-11-26", "name": "Thanksgiving"})
        self.assertRedirects(response, url)
        [holiday] = Holiday.objects.all()
        self.assertEqual(holiday.date, date(2026, 11, 26))

    def test_it_refuses_end_before_start_and_the_past(self):
        url = reverse("scheduling:closures", args=[self.program.code])
        response = self.client.post(
            url, {"first_day": "2026-03-20", "last_day": "2026-03-10", "name": "Oops"}
        )
        self.assertContains(response, "end before start", status_code=400)
        response = self.client.post(url, {"first_day": "2026-03-01", "name": "Past"})
        self.assertContains(response, "cannot start in the past", status_code=400)
        response = self.client.post(
            url, {"first_day": "2026-04-01", "last_day": "2026-07-01", "name": "Summer"}
        )
        self.assertContains(response, "at most 62 days", status_code=400)
        self.assertFalse(Holiday.objects.exists())

    def test_generated_sessions_skip_closed_days_across_the_dst_change(self):
        from openiop.scheduling import actions

        actions.add_closure(
            self.program,
            first_day=date(2026, 3, 9),
            last_day=date(2026, 3, 9),
            name="Closed",
            acting_user=self.dana,
        )
        actions.generate_group_sessions(
            self.group, first_day=date(2026, 3, 2), last_day=date(2026, 3, 15)
        )
        sessions = Session.objects.filter(group=self.group).order_by("starts_at")
        self.assertEqual([s.local_date.day for s in sessions], [2, 4, 5, 11, 12])  # 9 March closed
        self.assertEqual({s.local_starts_at for s in sessions}, {time(18)})
        # 18:00 EST is 23:00 UTC before the change, 18:00 EDT is 22:00 UTC after it.
        self.assertEqual([s.starts_at.hour for s in sessions], [23, 23, 23, 22, 22])
