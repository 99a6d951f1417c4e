"""The demo's intake: one person referred this week waits at the screening step.

Synthetic data, made through the real actions.
"""

from datetime import date

from django.db import transaction

from openiop.accounts.models import User
from openiop.intake import actions
from openiop.programs.models import Program


@transaction.atomic
def load(program: Program) -> None:
    coordinator = User.objects.filter(
        program_memberships__program=program, role=User.Role.INTAKE_COORDINATOR
    ).first()
    if coordinator is None:
        return
    actions.create_referral(
        program=program,
        person={
            "given_name": "Robin",
            "family_name": "Demo-Referral",
            "date_of_birth": date(1994, 6, 1),
            "home_state": "NY",
            "timezone": program.timezone,
        },
        referral={
            "source": "primary_care",
            "referrer": "Synthetic primary care practice",
            "reason": "Synthetic referral for the demo",
            "consent_to_contact": True,
        },
        acting_user=coordinator,
    )
