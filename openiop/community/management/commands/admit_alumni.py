"""Give every discharged participant their alumni spaces (run nightly; the peer-space
index does the same for one participant when they open it)."""

from typing import Any

from django.core.management.base import BaseCommand

from openiop.community import actions
from openiop.participants.models import Participant


class Command(BaseCommand):
    help = "Make alumni memberships for participants discharged from a group."

    def handle(self, *args: Any, **options: Any) -> None:
        admitted = 0
        discharged = Participant.objects.filter(discharged_at__isnull=False, user__isnull=False)
        for participant in discharged.iterator():
            admitted += len(actions.admit_alumni(participant, acting_user=None))
        if options["verbosity"]:
            self.stdout.write(f"{admitted} alumni memberships made.")
