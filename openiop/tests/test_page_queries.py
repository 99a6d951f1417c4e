"""Issue 14: the pages bench/pages.py measures run as many queries for a small program as for
a large one.

The demo (`load_demo`) is loaded at 10 and at 40 participants, each in a transaction rolled
back afterwards; at each size, each page is opened by the person it is for (a clinician, the
director, a participant) and its queries counted on the second request (the first warms the
session). A page whose count grows with the data would cost more at 2,000 participants than
the bench shows for it; `bench/pages.py` checks the same pages on the 2,000-participant demo.
"""

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
from openiop.accounts.models import User
from openiop.core import demo
from openiop.participants.access import visible_participants
from openiop.programs.models import Group, Program
from openiop.scheduling.models import Enrollment, Session

# A Wednesday, 10:00 in New York: a program day with groups running.
NOW = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)


class Rollback(Exception):
    pass


def pages() -> dict[str, tuple[User, str]]:
    """Each measured page: who opens it and its address, in the demo just loaded."""
    program = Program.objects.get(name=demo.DEMO_PROGRAM)
    director = User.objects.get(email=demo.staff_email("Dana", "Director"))
    rosa = User.objects.get(email=demo.staff_email("Rosa", "Alvarez"))
    seated = Enrollment.objects.filter(status=Enrollment.Status.SEATED)
    person = (
        visible_participants(rosa)
        .filter(enrollments__in=seated, user__isnull=False)
        .select_related("user")
        .order_by("id")
        .first()
    )
    assert person is not None and person.user is not None
    group = Group.objects.filter(facilitators=rosa).order_by("id").first()
    session = (
        Session.objects.filter(group=group, starts_at__gte=timezone.now() - timedelta(days=7))
        .order_by("starts_at")
        .first()
    )
    assert group is not None and session is not None
    return {
        "caseload": (rosa, "/participants/"),
        "chart": (rosa, f"/participants/{person.code}/"),
        "week grid": (director, f"/schedule/programs/{program.code}/week/"),
        "ledger": (rosa, f"/schedule/participants/{person.code}/ledger/"),
        "alert list": (rosa, "/safety/"),
        "participant Today": (person.user, "/"),
        "roster": (rosa, f"/schedule/groups/{group.code}/"),
        "session": (rosa, f"/schedule/sessions/{session.code}/"),
        "My week": (person.user, "/schedule/my-week/"),
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    if user.is_staff_member:
        session = client.session
        session[MFA_VERIFIED_SESSION_KEY] = True
        session.save()
    return client


def queries(client: Client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


@time_machine.travel(NOW, tick=True)
class PageQueriesTestCase(TestCase):
    def counts_at(self, participants: int) -> dict[str, int]:
        counts: dict[str, int] = {}

        def load_and_count() -> None:
            call_command(
                "load_demo", "--participants", str(participants), "--quiet", stdout=StringIO()
            )
            for name, (user, url) in pages().items():
                counts[name] = queries(signed_in(user), url)

        rolled_back(load_and_count)
        return counts

    def test_each_page_runs_the_same_queries_for_10_and_40_participants(self):
        small = self.counts_at(10)
        large = self.counts_at(40)
        for name in small:
            with self.subTest(page=name):
                self.assertEqual(large[name], small[name], f"{name}: {small} vs {large}")


def rolled_back(call: Callable[[], None]) -> None:
    try:
        with transaction.atomic():
            call()
            raise Rollback
    except Rollback:
        pass
