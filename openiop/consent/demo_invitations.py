"""The demo's portal invitations: one newly added participant invited and not yet set up.

Synthetic data, made through the real actions. The invitation's email goes to the console
backend of the process that loads the demo, so the link is in the output of `load_demo`
(scripts/demo.sh's terminal); invitations sent later from the pages appear in the web
server's output the same way (recipients masked). Only the link's hash is stored, so the
link cannot be printed again: resend it from the chart to get a fresh one.
"""

from datetime import date

from django.db import transaction

from openiop.accounts.models import User
from openiop.consent.actions import invitations
from openiop.participants.models import Participant
from openiop.programs.models import Program

INVITED_EMAIL = "jordan.invited@example.org"


def load_invitation_demo(program: Program) -> Participant | None:
    coordinator = User.objects.filter(
        program_memberships__program=program, role=User.Role.INTAKE_COORDINATOR
    ).first()
    if coordinator is None or Participant.objects.filter(email=INVITED_EMAIL).exists():
        return None
    with transaction.atomic():
        participant = Participant.objects.create(
            program=program,
            given_name="Jordan",
            family_name="Demo-Invited",
            date_of_birth=date(1991, 3, 14),
            home_state="NY",
            timezone=program.timezone,
            email=INVITED_EMAIL,
        )
        invitations.invite_participant(participant, acting_user=coordinator)
    return participant
