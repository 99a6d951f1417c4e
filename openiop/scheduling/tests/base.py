from datetime import date, time
from typing import ClassVar

from django.db import connection
from django.test import TransactionTestCase

from openiop.programs.models import CurriculumTopic, Group, GroupFacilitator, Track, TrackBlock
from openiop.testing import BaseTestCase, Personas


class Schedule(Personas):
    """Evening DBT meets Mon/Wed/Thu 18:00-21:00 New York time from Monday 5 January 2026.

    Group A has three seats: Dr. Alvarez leads it with Sam as peer specialist.
    Group B runs the same track on Tuesdays for make-ups, led by Dr. Chen.
    """

    track: ClassVar[Track]
    group: ClassVar[Group]
    group_b: ClassVar[Group]

    @classmethod
    def create_schedule(cls) -> None:
        cls.track = Track.objects.create(
            program=cls.program,
            name="Evening DBT",
            starts_on=date(2026, 1, 5),
        )
        TrackBlock.objects.create(
            track=cls.track, rule="FREQ=WEEKLY;BYDAY=MO,WE,TH", starts_at=time(18), ends_at=time(21)
        )
        cls.group = Group.objects.create(
            track=cls.track, name="Evening DBT A", capacity=3, curriculum_starts_on=date(2026, 1, 5)
        )
        GroupFacilitator.objects.create(
            group=cls.group,
            clinician=cls.alvarez,
            role=GroupFacilitator.Role.LEAD,
        )
        GroupFacilitator.objects.create(
            group=cls.group,
            clinician=cls.sam,
            role=GroupFacilitator.Role.PEER,
        )
        for position, title in enumerate(
            ["Mindfulness", "Distress tolerance", "Emotion regulation"]
        ):
            CurriculumTopic.objects.create(group=cls.group, position=position, title=title)
        cls.group_b = Group.objects.create(
            track=cls.track, name="Evening DBT B", capacity=3, curriculum_starts_on=date(2026, 1, 5)
        )
        GroupFacilitator.objects.create(
            group=cls.group_b,
            clinician=cls.chen,
            role=GroupFacilitator.Role.LEAD,
        )


class SchedulingTestCase(Schedule, BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.create_schedule()


class ConcurrentTestCase(Schedule, TransactionTestCase):
    """Real transactions on separate connections, for races that a TestCase would hide."""

    def setUp(self) -> None:
        super().setUp()
        self.create_personas()
        self.create_schedule()

    def _fixture_teardown(self) -> None:
        # The audit trail refuses truncation on purpose; lift the guard for the flush only.
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            super()._fixture_teardown()  # type: ignore[misc]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
