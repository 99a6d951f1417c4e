"""The peer spaces every community test talks about.

The evening DBT group: Dr. Alvarez leads it, Sam is its peer specialist, Pat is seated in it.
The morning group: Dr. Chen leads it, Quinn is seated in it.
Dana directs the program (reads both spaces); Ivy and Ada have no place in either.
"""

from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from openiop.community import actions
from openiop.community.access import seat_in
from openiop.community.models import Post, Space
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Track
from openiop.scheduling.models import Enrollment
from openiop.testing import BaseTestCase


def seat(case: Any, participant: Participant, group: Group) -> Enrollment:
    enrollment, _ = Enrollment.objects.get_or_create(
        participant=participant,
        group=group,
        defaults={
            "status": Enrollment.Status.SEATED,
            "starts_on": date(2026, 11, 2),
            "expected_end_on": date(2026, 12, 28),
            "requested_at": timezone.now(),
            "seated_at": timezone.now(),
            "created_by": case.dana,
        },
    )
    return enrollment


def make_groups(case: Any) -> tuple[Space, Space]:
    """The two groups and their spaces (idempotent): returns (evening's, morning's)."""
    track, _ = Track.objects.get_or_create(
        program=case.program, name="Evening", defaults={"starts_on": date(2026, 1, 5)}
    )
    evening, _ = Group.objects.get_or_create(
        track=track, name="Evening DBT", defaults={"curriculum_starts_on": date(2026, 1, 5)}
    )
    morning, _ = Group.objects.get_or_create(
        track=track, name="Morning skills", defaults={"curriculum_starts_on": date(2026, 1, 5)}
    )
    for group, clinician, role in (
        (evening, case.alvarez, GroupFacilitator.Role.LEAD),
        (evening, case.sam, GroupFacilitator.Role.PEER),
        (morning, case.chen, GroupFacilitator.Role.LEAD),
    ):
        GroupFacilitator.objects.get_or_create(group=group, clinician=clinician, role=role)
    seat(case, case.pat, evening)
    seat(case, case.quinn, morning)
    return (
        actions.ensure_spaces(evening, acting_user=None)[0],
        actions.ensure_spaces(morning, acting_user=None)[0],
    )


def post_in(case: Any, space: Space, user: Any, text: str, parent: Post | None = None) -> Post:
    """A post by `user`, who accepts the rules first if they have to."""
    the_seat = seat_in(user, space)
    actions.accept_rules(the_seat, acting_user=user)
    return actions.write_post(the_seat, text=text, acting_user=user, parent=parent)


def discharge(participant: Participant, when: Any = None) -> None:
    """What a signed discharge summary leaves behind: enrollments ended, the chart closed."""
    when = when or timezone.now()
    Enrollment.objects.filter(participant=participant, status=Enrollment.Status.SEATED).update(
        status=Enrollment.Status.ENDED, ended_at=when
    )
    Participant.objects.filter(pk=participant.pk).update(discharged_at=when)
    participant.refresh_from_db()


class CommunityTestCase(BaseTestCase):
    evening: Space
    morning: Space
    evening_alumni: Space

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.evening, cls.morning = make_groups(cls)
        cls.evening_alumni = Space.objects.get(group=cls.evening.group, kind=Space.Kind.ALUMNI)

    def expire(self, days: int) -> None:
        Post.objects.update(last_activity_at=timezone.now() - timedelta(days=days))
