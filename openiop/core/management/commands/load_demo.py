from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import demo as assessment_demo
from openiop.billing import demo as billing_demo
from openiop.careplans import demo as plan_demo
from openiop.careplans import demo_signing as signing_demo
from openiop.careplans import demo_summary as summary_demo
from openiop.community.demo import load_community_demo
from openiop.consent import demo as consent_demo
from openiop.consent import demo_invitations as invitation_demo
from openiop.consent.access_requests.demo import load_access_request_demo
from openiop.core import demo, demo_safety
from openiop.discharge import demo as discharge_demo
from openiop.documents import demo as documents_demo
from openiop.feedback.demo import load_feedback_demo
from openiop.intake import demo as intake_demo
from openiop.messaging import demo as messaging_demo
from openiop.messaging import team_demo
from openiop.notes import demo as notes_demo
from openiop.notes import demo_group as group_notes_demo
from openiop.notes import demo_part2 as part2_demo
from openiop.notes.psychotherapy import demo as psychotherapy_demo
from openiop.outcomes import demo_dashboard as outcomes_demo
from openiop.outcomes import demo_progress as progress_demo
from openiop.outcomes import demo_schedules as measures_demo
from openiop.participants import demo as participants_demo
from openiop.scheduling import demo as schedule_demo
from openiop.scheduling.actions._shared import program_today
from openiop.telehealth import demo as guest_demo


class Command(BaseCommand):
    help = "Load the synthetic demo organisation and print its logins (demo only)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--participants", type=int, default=30)
        parser.add_argument("--weeks", type=int, default=8)
        parser.add_argument("--quiet", action="store_true", help="Do not print the logins.")
        parser.add_argument(
            "--responses",
            type=int,
            default=0,
            help="Add this many synthetic questionnaire responses (benchmarks; PostgreSQL).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo loader refuses to run in production mode.")
        if User.objects.filter(email__endswith=f"@{demo.DEMO_DOMAIN}").exists():
            self.stdout.write("The demo is already loaded.")
        else:
            program = demo.load(participants=options["participants"], weeks=options["weeks"])
            consent_demo.load_consent_demo(program)
            schedule_demo.load(program)
            assessment_demo.load(program)
            measures_demo.load_schedules_demo(program, now=timezone.now())
            intake_demo.load(program)
            # The invitation email (and its link) is printed below, by the console backend.
            invitation_demo.load_invitation_demo(program)
            load_clinical_record(program)
            demo_safety.load(program)
            guest_demo.load_guest_demo(program, now=timezone.now())
            participants_demo.load_break_glass_demo(program, now=timezone.now())
            load_feedback_demo(program, now=timezone.now())
            messaging_demo.load_threads_demo(program, now=timezone.now())
            load_community_demo(program, now=timezone.now())
            progress_demo.load_progress_demo(program)
            # Last: every stay the others left without an admission gets one, with scores.
            outcomes_demo.load(program, now=timezone.now())
            # Coverage, authorizations and charges read the stays and attendance above.
            billing_demo.load(program, now=timezone.now())
            # The case review reads the alerts, stays and plans above.
            team_demo.load_team_demo(program, now=timezone.now())
            if options["responses"]:
                outcomes_demo.load_responses(program, total=options["responses"])
            self.stdout.write(
                f"Loaded {demo.DEMO_PROGRAM} with {options['participants']} participants."
            )
        if options["quiet"]:
            return
        self.stdout.write(f"\nDemo logins (password for all: {demo.DEMO_PASSWORD})")
        self.stdout.write("Staff sign in with the password, then a code from the TOTP secret")
        self.stdout.write("(any authenticator app, or: oathtool --totp -b SECRET).\n")
        for login in demo.logins():
            secret = f"  TOTP secret {login.totp_secret}" if login.totp_secret else ""
            self.stdout.write(f"  {login.role:<20} {login.email:<40}{secret}")


def load_clinical_record(program: Any) -> None:
    """Summaries, plans (signed, awaiting signatures, due for review), notes, group notes,
    psychotherapy notes, a discharge and a referral letter, in the order each builds on the
    one before."""
    today, now = program_today(program), timezone.now()
    summary_demo.load_summary_demo(program)
    plan_demo.load_plan_demo(program, today=today)
    signing_demo.load_signing_demo(program, today=today)
    notes_demo.load_notes_demo(program, now=now)
    group_notes_demo.load_group_notes_demo(program, now=now)
    psychotherapy_demo.load(program)
    part2_demo.load_part2_demo(program, now=now)
    discharge_demo.load_discharge_demo(program, now=now)
    documents_demo.load_documents_demo(program)
    load_access_request_demo(program, today=today)
