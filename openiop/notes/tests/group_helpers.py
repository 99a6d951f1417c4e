"""A group session to write a note for: Evening DBT A (Dr. Alvarez leads, Sam is its peer
specialist) on Monday 9 March 2026, 18:00-21:00 New York, with Pat, Quinn and Riley booked.

Each has a treatment plan in effect with objectives of their own; the clock stands at 21:30
that evening, after the session.
"""

from datetime import date, datetime, time, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import time_machine
from django.utils import timezone

from openiop.careplans.models import Goal, Objective, PlanProblem, TreatmentPlan
from openiop.participants.models import Participant
from openiop.programs.models import Group
from openiop.scheduling.models import Booking, Session
from openiop.scheduling.tests.base import SchedulingTestCase

NY = ZoneInfo("America/New_York")
DAY = date(2026, 3, 9)
AFTER = datetime(2026, 3, 9, 21, 30, tzinfo=NY)


def make_group_session(
    group: Group, day: date, start: time = time(18), hours: int = 3, zone: str = "America/New_York"
) -> Session:
    starts_at = datetime.combine(day, start, tzinfo=ZoneInfo(zone))
    ends_at = starts_at + timedelta(hours=hours)
    return Session.objects.create(
        program=group.track.program,
        group=group,
        kind=Session.Kind.GROUP,
        starts_at=starts_at,
        ends_at=ends_at,
        local_date=day,
        local_starts_at=start,
        local_ends_at=ends_at.astimezone(ZoneInfo(zone)).time(),
        timezone=zone,
    )


def book(session: Session, *participants: Participant) -> list[Booking]:
    return [
        Booking.objects.create(session=session, participant=p, source=Booking.Source.MAKEUP)
        for p in participants
    ]


def make_plan(participant: Participant, author: Any, *objectives: str) -> list[Objective]:
    """A plan in effect for `participant` with one problem, one goal and these objectives."""
    plan = TreatmentPlan.objects.create(
        participant=participant,
        status=TreatmentPlan.Status.ACTIVE,
        effective_at=timezone.now(),
        created_by=author,
    )
    problem = PlanProblem.objects.create(
        plan=plan, in_own_words="I can't calm down", clinical_statement="Emotion dysregulation"
    )
    goal = Goal.objects.create(problem=problem, text="Manage distress without self-harm")
    return [
        Objective.objects.create(
            goal=goal, position=n, text=text, target_date=DAY + timedelta(weeks=6)
        )
        for n, text in enumerate(objectives)
    ]


class GroupNoteTestCase(SchedulingTestCase):
    riley: ClassVar[Participant]
    session: ClassVar[Session]
    pat_objectives: ClassVar[list[Objective]]
    quinn_objectives: ClassVar[list[Objective]]
    riley_objectives: ClassVar[list[Objective]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.riley = cls.make_participant("riley@example.org", "Riley", "Okoro", "")
        cls.session = make_group_session(cls.group, DAY)
        book(cls.session, cls.pat, cls.quinn, cls.riley)
        cls.pat_objectives = make_plan(
            cls.pat, cls.alvarez, "Use TIPP once a day", "Attend 90% of groups"
        )
        cls.quinn_objectives = make_plan(cls.quinn, cls.chen, "Sleep 7 hours most nights")
        cls.riley_objectives = make_plan(cls.riley, cls.alvarez, "Name one emotion a day")

    def setUp(self) -> None:
        super().setUp()
        traveller = time_machine.travel(AFTER, tick=False)
        traveller.start()
        self.addCleanup(traveller.stop)

    def booking(self, participant: Participant, session: Session | None = None) -> Booking:
        return (session or self.session).bookings.get(participant=participant)

    def form_data(
        self,
        session: Session | None = None,
        *,
        version: int = 0,
        attendees: dict[Participant, dict[str, Any]] | None = None,
        **shared: Any,
    ) -> dict[str, Any]:
        """POST data for the group note form: the shared part, then each attendee's line."""
        session = session or self.session
        data: dict[str, Any] = {
            "edit_version": version,
            "topic": "Distress tolerance",
            "interventions": "Taught TIPP; paired practice; homework review.",
            "shared_text": "The group practised paced breathing and reviewed diary cards.",
            **shared,
        }
        for participant, line in (attendees or {}).items():
            prefix = f"p-{self.booking(participant, session).code}"
            for name, value in line.items():
                if name == "objectives":
                    value = [str(o.code) for o in value]
                data[f"{prefix}-{name}"] = value
        return data

    def ready_attendees(self) -> dict[Participant, dict[str, Any]]:
        """Pat present, Quinn late, Riley absent: each part distinct and citing their plan."""
        return {
            self.pat: {
                "attendance": "present",
                "minutes": 180,
                "individual_text": "ALPHA-7: practised TIPP with cold water; distress 7 to 4.",
                "objectives": self.pat_objectives[:1],
            },
            self.quinn: {
                "attendance": "late",
                "minutes": 150,
                "individual_text": "BRAVO-9: arrived after check-in; described poor sleep.",
                "objectives": self.quinn_objectives,
            },
            self.riley: {"attendance": "absent", "absence_reason": "Called in sick"},
        }
