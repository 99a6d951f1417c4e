"""Shared test harness: named people (STYLE.md §5) and a real browser."""

import base64
import hashlib
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

import psycopg
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.conf import settings
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.cache import cache
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.test import TestCase, TransactionTestCase

from openiop.accounts.mfa import MFA_VERIFIED_SESSION_KEY
from openiop.accounts.models import StateLicense, User
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program, ProgramMembership

PASSWORD = "correct horse battery staple"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM = os.environ.get("OPENIOP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def totp_secret_for(user: User) -> str:
    # One fixed secret per persona keeps browser sign-ins deterministic.
    return base64.b32encode(hashlib.sha256(user.email.encode()).digest()[:20]).decode()


def current_totp(user: User, offset_periods: int = 0) -> str:
    counter = int(time.time()) // 30 + offset_periods
    return format_hotp_value(hotp_value(totp_secret_for(user), counter))


def serious_violations(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']}"
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def make_user(email: str, given: str, family: str, role: str, **fields: Any) -> User:
    user = User.objects.create_user(
        email, PASSWORD, given_name=given, family_name=family, role=role, **fields
    )
    if user.is_staff_member:
        TOTP.activate(user, totp_secret_for(user))
    return user


class Personas:
    """The people every test can talk about.

    Dr. Alvarez (psychologist) leads Pat's care team and may change Pat's chart.
    Sam (peer specialist) is on Pat's team too, but may only read the chart.
    Dr. Chen (psychiatrist) works in the same program and is on call, but is not on Pat's team.
    Dana directs the program; Ivy coordinates its intake; Ada administers accounts.
    Pat and Quinn are participants in the program; Quinn's team is Dr. Chen alone.
    """

    program: ClassVar[Program]
    dana: ClassVar[User]
    alvarez: ClassVar[User]
    sam: ClassVar[User]
    chen: ClassVar[User]
    ivy: ClassVar[User]
    admin: ClassVar[User]
    pat: ClassVar[Participant]
    quinn: ClassVar[Participant]

    @classmethod
    def create_personas(cls) -> None:
        cls.program = Program.objects.create(name="Adult Mental Health IOP")
        cls.dana = make_user(
            "dana@example.org",
            "Dana",
            "Director",
            User.Role.PROGRAM_DIRECTOR,
            discipline=User.Discipline.PSYCHOLOGIST,
            credentials="PhD",
        )
        cls.alvarez = make_user(
            "alvarez@example.org",
            "Rosa",
            "Alvarez",
            User.Role.CLINICIAN,
            discipline=User.Discipline.PSYCHOLOGIST,
            credentials="PsyD",
        )
        cls.sam = make_user(
            "sam@example.org",
            "Sam",
            "Rivera",
            User.Role.CLINICIAN,
            discipline=User.Discipline.PEER_SPECIALIST,
            credentials="CPS",
        )
        cls.chen = make_user(
            "chen@example.org",
            "Wei",
            "Chen",
            User.Role.CLINICIAN,
            discipline=User.Discipline.PSYCHIATRIST,
            credentials="MD",
        )
        cls.ivy = make_user("ivy@example.org", "Ivy", "Intake", User.Role.INTAKE_COORDINATOR)
        cls.admin = make_user(
            "ada@example.org",
            "Ada",
            "Admin",
            User.Role.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        )
        for clinician, states in ((cls.alvarez, ["NY", "NJ"]), (cls.chen, ["NY"])):
            for state in states:
                StateLicense.objects.create(user=clinician, state=state)
        ProgramMembership.objects.create(
            program=cls.program, user=cls.dana, role=ProgramMembership.Role.DIRECTOR
        )
        for member in (cls.alvarez, cls.sam, cls.chen, cls.ivy):
            ProgramMembership.objects.create(program=cls.program, user=member)
        ProgramMembership.objects.create(
            program=cls.program, user=cls.chen, role=ProgramMembership.Role.ON_CALL
        )
        cls.pat = cls.make_participant("pat@example.org", "Patricia", "Lindqvist", "Pat")
        cls.quinn = cls.make_participant("quinn@example.org", "Quinn", "Marlowe", "")
        CareTeamMember.objects.create(
            participant=cls.pat, clinician=cls.alvarez, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )
        CareTeamMember.objects.create(
            participant=cls.pat,
            clinician=cls.sam,
            role=CareTeamMember.Role.PEER_SUPPORT,
            can_write=False,
        )
        CareTeamMember.objects.create(
            participant=cls.quinn,
            clinician=cls.chen,
            role=CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER,
        )

    @classmethod
    def make_participant(
        cls, email: str, given: str, family: str, preferred: str, program: Program | None = None
    ) -> Participant:
        user = make_user(email, given, family, User.Role.PARTICIPANT)
        return Participant.objects.create(
            user=user,
            program=program or cls.program,
            given_name=given,
            family_name=family,
            preferred_name=preferred,
            pronouns="she/her",
            date_of_birth=date(1990, 4, 2),
            home_state="NY",
            timezone="America/New_York",
            # Pat gets 555-0100; everyone made after her a number of their own, so two
            # personas never look like one person to duplicate detection.
            phone=f"+1555555{100 + Participant.objects.count():04d}",
            email=email,
        )

    @property
    def pat_user(self) -> User:
        assert self.pat.user is not None
        return self.pat.user

    @property
    def quinn_user(self) -> User:
        assert self.quinn.user is not None
        return self.quinn.user

    @property
    def everyone(self) -> dict[str, User]:
        return {
            "dana": self.dana,
            "alvarez": self.alvarez,
            "sam": self.sam,
            "chen": self.chen,
            "ivy": self.ivy,
            "admin": self.admin,
            "pat": self.pat_user,
            "quinn": self.quinn_user,
        }


class BaseTestCase(Personas, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.create_personas()

    def setUp(self) -> None:
        super().setUp()
        # Rate limits and used TOTP codes live in the cache; each test starts clean.
        cache.clear()

    def login(self, user: User, *, mfa: bool = True) -> None:
        """Sign in as `user`; staff count as having passed their second factor."""
        self.client.force_login(user)
        if mfa and user.is_staff_member:
            session = self.client.session
            session[MFA_VERIFIED_SESSION_KEY] = True
            session.save()


class AuditTrailFlushMixin:
    """For TransactionTestCase subclasses: flushing the database truncates every table, and
    the audit trail refuses that on purpose; the test database's owner lifts the guard for
    the flush only."""

    def _fixture_teardown(self) -> None:
        # A request the browser sent just before its page closed (an autosave, a beacon) can
        # still be running in the live server's thread, reading tables the TRUNCATE locks one by
        # one: PostgreSQL then breaks the deadlock by aborting the flush. That request ends in
        # moments, so flush again rather than leave this test's rows to break the next test.
        for attempt in range(1, FLUSH_ATTEMPTS + 1):
            try:
                return self._flush_with_audit_guard_lifted()
            except (CommandError, OperationalError) as exc:
                if attempt == FLUSH_ATTEMPTS or not _is_deadlock(exc):
                    raise
                time.sleep(0.5 * attempt)

    def _flush_with_audit_guard_lifted(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            super()._fixture_teardown()  # type: ignore[misc]
        finally:
            with connection.cursor() as cursor:
                cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")


FLUSH_ATTEMPTS = 3


def _is_deadlock(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, psycopg.errors.DeadlockDetected):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class TransactionalTestCase(AuditTrailFlushMixin, TransactionTestCase):
    """Real commits, for tests of locking and concurrency."""


class BrowserTestCase(AuditTrailFlushMixin, Personas, StaticLiveServerTestCase):
    """A real headless Chromium (Debian's) against the live test server."""

    host = "127.0.0.1"
    browser: ClassVar[Any]
    _playwright: ClassVar[Any]
    viewport: ClassVar[dict[str, int]] = {"width": 1280, "height": 800}

    @classmethod
    def setUpClass(cls) -> None:
        # Playwright's sync API runs an event loop in this thread; the ORM calls the test
        # makes around it are still synchronous and safe.
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
            raise RuntimeError(f"Chromium not found at {CHROMIUM}; run `make test` to install it")
        cls._playwright = sync_playwright().start()
        cls.browser = cls._playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )

    @classmethod
    def tearDownClass(cls) -> None:
        cls.browser.close()
        cls._playwright.stop()
        super().tearDownClass()

    def setUp(self) -> None:
        super().setUp()
        self.create_personas()
        self.context = self.browser.new_context(viewport=self.viewport)
        self.page = self.context.new_page()

    def tearDown(self) -> None:
        self.context.close()
        super().tearDown()

    def url(self, path: str) -> str:
        return f"{self.live_server_url}{path}"

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def sign_in(self, user: User, password: str = PASSWORD) -> None:
        """Through the real login page, then the real TOTP page for staff."""
        page = self.page
        page.goto(self.url("/accounts/login/"))
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign In").click()
        if user.is_staff_member:
            code_field = page.get_by_label("Code")
            code_field.wait_for()
            # A code typed in the last moments of its 30 seconds can reach the server in the
            # next period and be refused (allauth accepts the current period only).
            remaining = 30 - time.time() % 30
            if remaining < 5:
                time.sleep(remaining + 0.5)
            code_field.fill(current_totp(user))
            page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()

    def serious_violations(self) -> list[str]:
        """axe-core's serious and critical findings on the current page (WCAG 2.1 AA)."""
        return serious_violations(self.page)
