from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from django.test import TransactionTestCase
from django.utils import timezone

from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)
from openiop.scheduling.models import Enrollment, Session
from openiop.testing import AuditTrailFlushMixin, BaseTestCase, Personas


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


class ConcurrentTestCase(AuditTrailFlushMixin, Schedule, TransactionTestCase):
    """Real transactions on separate connections, for races that a TestCase would hide."""

    def setUp(self) -> None:
        super().setUp()
        self.create_personas()
        self.create_schedule()


def matrix_fixture(case: Any) -> dict[str, Any]:
    """Objects the authorisation matrix points at, built once per test.

    Group A (Dr. Alvarez leads, Sam co-facilitates) seats Pat; group B (Dr. Chen) seats Quinn;
    each has a session tomorrow. A second program has no staff at all.
    """
    if hasattr(case, "_schedule_fixture"):
        return case._schedule_fixture  # type: ignore[no-any-return]
    tomorrow = timezone.localdate() + timedelta(days=1)
    track = Track.objects.create(program=case.program, name="Matrix track", starts_on=tomorrow)
    fixture: dict[str, Any] = {"program": case.program}
    fixture["other_program"] = Program.objects.create(name="Adolescent IOP")
    for key, lead, member in (("own", case.alvarez, case.pat), ("other", case.chen, case.quinn)):
        group = Group.objects.create(
            track=track, name=f"Group {key}", curriculum_starts_on=tomorrow
        )
        GroupFacilitator.objects.create(group=group, clinician=lead, role="lead")
        if key == "own":
            GroupFacilitator.objects.create(group=group, clinician=case.sam, role="peer")
        start = datetime.combine(tomorrow, time(18), tzinfo=UTC)
        session = Session.objects.create(
            program=case.program,
            group=group,
            kind=Session.Kind.GROUP,
            starts_at=start,
            ends_at=start + timedelta(hours=3),
            local_date=tomorrow,
            local_starts_at=time(13),
            local_ends_at=time(16),
            timezone="America/New_York",
        )
        enrollment = Enrollment.objects.create(
            participant=member,
            group=group,
            status=Enrollment.Status.SEATED,
            starts_on=tomorrow,
            expected_end_on=tomorrow + timedelta(weeks=8),
            requested_at=timezone.now(),
            seated_at=timezone.now(),
            created_by=case.dana,
        )
        Group.objects.filter(pk=group.pk).update(seated_count=1)
        fixture[key] = {"group": group, "session": session, "enrollment": enrollment}
    case._schedule_fixture = fixture
    return fixture
