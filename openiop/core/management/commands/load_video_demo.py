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

PRINTED = 3


class Command(BaseCommand):
    help = "Add a video group session starting now to a demo group led by Dr. Alvarez."

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("The demo loader refuses to run in production mode.")
        # The demo program is the one Dr. Alvarez (a demo address) leads a group in: another
        # program may carry the same name.
        lead = (
            GroupFacilitator.objects.filter(
                role=GroupFacilitator.Role.LEAD,
                clinician__email=demo.staff_email("Rosa", "Alvarez"),
                group__track__program__name=demo.DEMO_PROGRAM,
                group__seated_count__gt=0,
            )
            .select_related("group__track__program")
            .first()
        )
        if lead is None:
            raise CommandError("Load the demo first (manage.py load_demo).")
        group: Group = lead.group
        program: Program = group.track.program
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
        # Only people who can join are printed for it: consents signed, and the facilitators
        # licensed where they live (the demo seats people that way). The one person the consent
        # demo leaves unsigned is named apart, to show the first-session gate.
        printed = 0
        gated = []
        bookings = session.bookings.select_related("participant__user").order_by("pk")
        for booking in bookings:
            user = booking.participant.user
            if user is None:
                continue
            if missing_before_first_session(booking.participant):
                gated.append(user.email)
            elif printed < PRINTED:
                self.stdout.write(f"  participant {user.email}")
                printed += 1
        for email in gated[:1]:
            self.stdout.write(
                f"Not yet able to join (consents unsigned, the first-session gate): {email}"
            )
