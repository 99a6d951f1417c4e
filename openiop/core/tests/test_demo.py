import itertools
import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from allauth.mfa.utils import decrypt
from django.core.management import call_command

from openiop.accounts.models import User
from openiop.core import demo
from openiop.participants.access import visible_participants
from openiop.participants.models import Participant
from openiop.testing import BaseTestCase, BrowserTestCase, serious_violations


class DemoLoaderTestCase(BaseTestCase):
    def test_it_loads_every_discipline_and_prints_logins_with_totp_secrets(self):
        out = StringIO()
        call_command("load_demo", "--participants", "30", stdout=out)
        loaded = Participant.objects.filter(user__email__endswith=demo.DEMO_DOMAIN).count()
        self.assertEqual(loaded, 30)
        disciplines = set(
            User.objects.filter(email__endswith=demo.DEMO_DOMAIN).values_list(
                "discipline", flat=True
            )
        )
        self.assertLessEqual(set(User.Discipline.values), disciplines)
        text = out.getvalue()
        self.assertIn("rosa.alvarez@demo.openiop.invalid", text)
        self.assertIn("TOTP secret", text)
        self.assertIn(demo.DEMO_PASSWORD, text)

    def test_names_are_varied(self):
        demo.load(participants=60)
        names = list(
            Participant.objects.filter(user__email__endswith=demo.DEMO_DOMAIN)
            .order_by("pk")
            .values_list("given_name", "family_name")
        )
        families = [family for _, family in names]
        # Neighbours never share a family name, and none is worn by more than two of sixty.
        self.assertTrue(all(a != b for a, b in itertools.pairwise(families)))
        self.assertLessEqual(max(families.count(f) for f in families), 2)
        self.assertEqual(len(set(names)), len(names))
        self.assertEqual(len(set(demo.FAMILY)), len(demo.FAMILY))

    def test_it_loads_the_clinical_record(self):
        from django.utils import timezone

        from openiop.careplans.models import TreatmentPlan
        from openiop.core import worklist
        from openiop.discharge.models import DischargeSummary
        from openiop.messaging.models import Thread
        from openiop.notes.models import GroupNote, Note, PsychotherapyNote

        call_command("load_demo", "--participants", "30", "--quiet", stdout=StringIO())
        plans = set(TreatmentPlan.objects.values_list("status", flat=True))
        self.assertLessEqual({"draft", "awaiting_signatures", "active", "superseded"}, plans)
        self.assertGreaterEqual(Thread.objects.count(), 3)
        self.assertTrue(Note.objects.filter(status="signed", kind="individual").exists())
        self.assertTrue(Note.objects.filter(status="draft").exists())
        self.assertTrue(GroupNote.objects.filter(status="signed").exists())
        self.assertTrue(PsychotherapyNote.objects.exists())
        # The discharge demo signs one; the outcomes demo discharges past stays with theirs.
        summaries = DischargeSummary.objects.filter(status="signed")
        self.assertTrue(summaries.exists())
        for summary in summaries:
            self.assertIsNotNone(summary.participant.discharged_at)
        rosa = User.objects.get(email="rosa.alvarez@demo.openiop.invalid")
        work = worklist.worklist(rosa, now=timezone.now(), zone="America/New_York")
        self.assertGreater(work.to_write.count + work.to_sign.count, 0)
        dana = User.objects.get(email="dana.director@demo.openiop.invalid")
        work = worklist.worklist(dana, now=timezone.now(), zone="America/New_York")
        self.assertGreater(work.to_cosign.count, 0)

    def test_it_loads_a_covered_rota_plans_and_an_alert_part_way_up_the_ladder(self):
        from zoneinfo import ZoneInfo

        from django.utils import timezone

        from openiop.programs.models import Program
        from openiop.safety import coverage
        from openiop.safety.models import AlertEvent, SafetyAlert, SafetyPlan

        call_command("load_demo", "--participants", "30", "--quiet", stdout=StringIO())
        program = Program.objects.get(participants__user__email=demo.participant_email(1))
        # The week in the program's zone, as the rota is planned (UTC may already be Monday).
        today = timezone.now().astimezone(ZoneInfo(program.timezone)).date()
        self.assertEqual(coverage.gaps(program, today), [])
        self.assertTrue(SafetyPlan.objects.filter(status="active").exists())
        alert = SafetyAlert.objects.get(
            participant__user__email=demo.participant_email(5), status="open"
        )
        self.assertGreaterEqual(alert.ladder_step, 1)
        self.assertTrue(alert.events.filter(kind=AlertEvent.Kind.ESCALATED).exists())

    def test_it_runs_several_tracks_and_groups_each_seated_and_licensed_where_members_live(self):
        from collections import Counter

        from openiop.programs.models import Group, GroupFacilitator, Program, TrackBlock
        from openiop.scheduling.actions._shared import program_today
        from openiop.scheduling.queries import licensure_conflicts

        call_command("load_demo", "--quiet", stdout=StringIO())
        program = Program.objects.get(participants__user__email=demo.participant_email(1))
        today = program_today(program)
        self.assertGreaterEqual(program.tracks.count(), 3)
        groups = Group.objects.filter(track__program=program)
        self.assertGreaterEqual(groups.count(), 4)
        for group in groups:
            self.assertGreater(group.enrollments.filter(status="seated").count(), 0, group)
            self.assertEqual(group.seated_count, group.capacity, group)
            roles = sorted(group.facilitator_roles.values_list("role", flat=True))
            self.assertEqual(roles, ["lead", "peer"], group)
            self.assertGreaterEqual(group.topics.count(), 4, group)
            self.assertEqual(licensure_conflicts(group, today), [], group)
        # Tracks never meet at the same hours, and nobody facilitates two groups of one track.
        blocks = list(TrackBlock.objects.filter(track__program=program))
        for a, b in itertools.combinations(blocks, 2):
            self.assertFalse(a.overlaps(b), (a, b))
        facilitating = Counter(
            GroupFacilitator.objects.filter(group__track__program=program).values_list(
                "group__track", "clinician"
            )
        )
        self.assertEqual(max(facilitating.values()), 1)

    def test_it_takes_a_size_option(self):
        demo.load(participants=250, weeks=52)
        loaded = Participant.objects.filter(user__email__endswith=demo.DEMO_DOMAIN).count()
        self.assertEqual(loaded, 250)


@pytest.mark.browser
class DemoSignInTestCase(BrowserTestCase):
    def test_a_demo_clinician_signs_in_and_sees_only_their_caseload(self):
        demo.load(participants=30)
        rosa = User.objects.get(email="rosa.alvarez@demo.openiop.invalid")
        secret = decrypt(Authenticator.objects.get(user=rosa, type="totp").data["secret"])

        page = self.page
        page.goto(self.url("/accounts/login/"))
        page.get_by_label("Email").fill(rosa.email)
        page.get_by_label("Password").fill(demo.DEMO_PASSWORD)
        page.get_by_role("button", name="Sign In").click()
        page.get_by_label("Code").wait_for()
        # allauth accepts the current 30-second period only: a code typed in its last moments
        # can reach the server in the next one.
        if (remaining := 30 - time.time() % 30) < 5:
            time.sleep(remaining + 0.5)
        code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
        page.get_by_label("Code").fill(code)
        page.get_by_role("button", name="Sign In").click()
        page.get_by_role("heading", name="My work today").wait_for()
        self.assertEqual(serious_violations(page), [])
        self.screenshot("demo-worklist")
        page.get_by_role("navigation").get_by_role("link", name="Caseload").click()
        page.get_by_role("heading", name="My caseload").wait_for()

        expected = visible_participants(rosa).count()
        self.assertEqual(expected, 10)
        self.assertEqual(page.locator("tbody tr").count(), expected)
        self.assertIn(f"{expected} participants", page.content())
        self.screenshot("demo-caseload")
