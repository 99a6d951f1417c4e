from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from openiop.accounts.models import User
from openiop.core import demo
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.telehealth.models import StandInSession

TITLE = "Evening skills group (video demo)"


class Command(BaseCommand):
    help = "Add a video group session starting now to the demo program (demo only)."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo loader refuses to run in production mode.")
        program = Program.objects.filter(name=demo.DEMO_PROGRAM).first()
        if program is None:
            raise CommandError("Load the demo first (manage.py load_demo).")
        now = timezone.now()
        session = StandInSession.objects.filter(title=TITLE, ends_at__gt=now).first()
        if session is None:
            session = StandInSession.objects.create(
                program=program,
                title=TITLE,
                starts_at=now,
                ends_at=now + timedelta(hours=3),
                capacity=12,
            )
            session.facilitators.set(
                User.objects.filter(email__in=[demo.staff_email("Rosa", "Alvarez")])
            )
            session.participants.set(Participant.objects.filter(program=program)[:6])
        self.stdout.write(f"Video session: {reverse('telehealth:join', args=[session.code])}")
        for person in session.participants.select_related("user")[:3]:
            if person.user is not None:
                self.stdout.write(f"  participant {person.user.email}")
        self.stdout.write(f"  facilitator {demo.staff_email('Rosa', 'Alvarez')}")
