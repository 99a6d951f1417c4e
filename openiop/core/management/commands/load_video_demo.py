from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from openiop.consent.queries import missing_before_first_session
from openiop.core import demo
from openiop.lib.recurrence import get_zone
from openiop.programs.models import Group, GroupFacilitator, Program
from openiop.scheduling import actions
from openiop.scheduling.errors import SchedulingError
from openiop.scheduling.models import Session


class Command(BaseCommand):
    help = "Add a video group session starting now to a demo group led by Dr. Alvarez."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo loader refuses to run in production mode.")
        program = Program.objects.filter(name=demo.DEMO_PROGRAM).first()
        lead = GroupFacilitator.objects.filter(
            role=GroupFacilitator.Role.LEAD,
            clinician__email=demo.staff_email("Rosa", "Alvarez"),
            group__track__program=program,
            group__seated_count__gt=0,
        ).first()
        if program is None or lead is None:
            raise CommandError("Load the demo first (manage.py load_demo).")
        group: Group = lead.group
        now = timezone.now()
        session = Session.objects.filter(
            group=group, starts_at__lte=now, ends_at__gt=now, status=Session.Status.SCHEDULED
        ).first()
        if session is None:
            local = now.astimezone(get_zone(program.timezone)).replace(second=0, microsecond=0)
            end = min(local + timedelta(hours=2), local.replace(hour=23, minute=59))
            try:
                session = actions.add_extra_session(
                    group,
                    day=local.date(),
                    starts_at=local.time(),
                    ends_at=end.time(),
                    acting_user=lead.clinician,
                )
            except SchedulingError as exc:
                raise CommandError(f"No video demo session: {exc}") from exc
        self.stdout.write(f"Video session now: {reverse('telehealth:join', args=[session.code])}")
        self.stdout.write(f"  facilitator {lead.clinician.email}")
        for booking in session.bookings.select_related("participant__user")[:3]:
            if booking.participant.user is not None:
                gate = ""
                if missing_before_first_session(booking.participant):
                    gate = " (consents not signed: sees the first-session gate)"
                self.stdout.write(f"  participant {booking.participant.user.email}{gate}")
