"""The demo's billing: the program's billing details, two payers with plans, coverage and an
authorization for most participants, last month's and this month's charges, and the worklist.

Synthetic data, written in bulk like the schedule it reads (the demo is not a clinical record);
charges and the worklist come from the real actions.
"""

import random
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction

from openiop.accounts.models import User
from openiop.billing import actions
from openiop.billing.models import Authorization, BillingProfile, Coverage, Payer, Plan
from openiop.participants.models import Participant
from openiop.programs.models import Program

# Most people, not all: the rest show "no coverage on file" holds.
COVERED = 0.85
CODES = [
    {"service": "mh", "revenue_code": "0905", "hcpcs": "S9480"},
    {"service": "sud", "revenue_code": "0906", "hcpcs": "H0015"},
]
CITIES = [("Albany", "NY", "12207"), ("Troy", "NY", "12180"), ("Hoboken", "NJ", "07030")]


def _month_start(day: date) -> date:
    return day.replace(day=1)


@transaction.atomic
def load(program: Program, *, now: Any, seed: int = 2026) -> dict[str, int]:
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    BillingProfile.objects.update_or_create(
        program=program,
        defaults={
            "organization_name": "Harbor Behavioral Health",
            "npi": "1234567893",
            "tax_id": "12-3456789",
            "address": "1 Harbor Way",
            "city": "Albany",
            "state": "NY",
            "postal_code": "12207-0001",
            "contact_name": "Billing Office",
            "contact_phone": "5185550100",
            "submitter_id": "HARBOR01",
            "attending_given_name": "Rosa",
            "attending_family_name": "Alvarez",
            "attending_npi": "1245319599",
        },
    )
    harbor = Payer.objects.create(
        program=program,
        name="Harbor Health Plan",
        payer_id="HHP01",
        claim_format=Payer.ClaimFormat.INSTITUTIONAL,
        per_diem_rate=Decimal("185.00"),
        codes=CODES,
    )
    medicaid = Payer.objects.create(
        program=program,
        name="Empire State Medicaid",
        payer_id="NYMCD",
        filing_indicator=Payer.Filing.MEDICAID,
        claim_format=Payer.ClaimFormat.PROFESSIONAL,
        per_diem_rate=Decimal("140.00"),
        codes=CODES[:1],
    )
    plans = [
        Plan.objects.create(payer=harbor, name="Choice PPO"),
        Plan.objects.create(payer=harbor, name="Select HMO"),
        Plan.objects.create(payer=medicaid, name="Managed Care"),
    ]
    today = actions.program_today(program)
    first = _month_start(_month_start(today) - timedelta(days=1))
    people = list(Participant.objects.filter(program=program).order_by("pk"))
    coverages = []
    for index, person in enumerate(people):
        if rng.random() > COVERED:
            continue
        city, state, postal = rng.choice(CITIES)
        coverages.append(
            Coverage(
                participant=person,
                plan=plans[index % len(plans)],
                member_id=f"M{rng.randrange(10**8, 10**9)}",
                group_number="" if index % 3 == 2 else f"G{rng.randrange(1000, 9999)}",
                sex=rng.choice(["F", "M", "U"]),
                address=f"{rng.randrange(1, 400)} Maple St",
                city=city,
                state=state,
                postal_code=postal,
                starts_on=first - timedelta(days=180),
            )
        )
    Coverage.objects.bulk_create(coverages)
    auths = []
    for index, coverage in enumerate(coverages):
        # Some authorizations end within the week or have few units, so the worklist shows.
        ends = today + timedelta(days=5 if index % 7 == 0 else 40)
        units = 40 if index % 5 else rng.randrange(18, 26)
        auths.append(
            Authorization(
                coverage=coverage,
                participant_id=coverage.participant_id,
                level_of_care="iop",
                units_approved=units,
                starts_on=first,
                ends_on=ends,
                reference_number=f"PA{rng.randrange(10**6, 10**7)}",
                created_by=director,
            )
        )
    Authorization.objects.bulk_create(auths)
    made = actions.generate_charges(program=program, first=first, last=today, acting_user=director)
    swept = actions.sweep_alerts(acting_user=director)
    return {
        "coverages": len(coverages),
        "authorizations": len(auths),
        "charges": made.created,
        "alerts": swept["raised"],
    }
