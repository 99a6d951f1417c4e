"""The demo's intake: referrals at several steps of the pipeline, one of them overdue.

- Robin, referred this week, waits at the screening step;
- Marisol was screened six days ago and still waits for the comprehensive assessment: past
  the 3-business-day target, so the pipeline marks it overdue;
- Tobias (Evening DBT) has had the assessment and waits for the level-of-care decision;
- Hana (Morning skills) has a decision and waits to be admitted;
- Idris waits on the intake waitlist.

Synthetic data, made through the real actions; only the moments are moved back afterwards
(as other demos back-date theirs), so the pipeline shows ages.
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.intake import actions
from openiop.intake.models import Referral
from openiop.programs.models import Program, Track

ASSESSMENT = {
    "presenting_problem": "Synthetic presenting problem for the demo",
    "functional_impairment": "moderate",
    "clinician_risk": "low",
    "weekly_hours_needed": Decimal("9"),
    "needs_24_hour_care": False,
    "diagnoses": ["F33.1"],
}
# (given, family, born, source, track name, how far along, days at that step)
PEOPLE = [
    ("Robin", "Demo-Referral", date(1994, 6, 1), "primary_care", None, "screening", 0),
    ("Marisol", "Vega", date(1988, 2, 14), "self", None, "assessment", 6),
    ("Tobias", "Wren", date(1979, 11, 3), "hospital", "Evening DBT", "decision", 1),
    ("Hana", "Okoye", date(2001, 8, 22), "family", "Morning skills", "admission", 2),
    ("Idris", "Fallow", date(1985, 5, 9), "step_down", "Evening DBT", "waitlisted", 4),
]


@transaction.atomic
def load(program: Program) -> None:
    coordinator = User.objects.filter(
        program_memberships__program=program, role=User.Role.INTAKE_COORDINATOR
    ).first()
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    if coordinator is None or director is None:
        return
    tracks = {t.name: t for t in Track.objects.filter(program=program)}
    now = timezone.now()
    for given, family, born, source, track, stage, days in PEOPLE:
        chosen = tracks.get(track) if track else None
        referral = _refer(program, coordinator, given, family, born, source, chosen)
        if stage != "screening":
            actions.record_screening(
                referral, proceed=True, note="", referred_to="", acting_user=coordinator
            )
        if stage in ("decision", "admission", "waitlisted"):
            actions.save_assessment(referral, fields=dict(ASSESSMENT), acting_user=coordinator)
        if stage in ("admission", "waitlisted"):
            referral.refresh_from_db()
            actions.decide_level_of_care(
                referral, chosen_level="iop", variance_reason="", acting_user=director
            )
        if stage == "waitlisted":
            referral.refresh_from_db()
            actions.waitlist(referral, note="", acting_user=coordinator)
        Referral.objects.filter(pk=referral.pk).update(
            created_at=now - timedelta(days=days + 1), stage_entered_at=now - timedelta(days=days)
        )


def _refer(
    program: Program,
    coordinator: User,
    given: str,
    family: str,
    born: date,
    source: str,
    track: Track | None,
) -> Referral:
    referral: dict[str, Any] = {
        "source": source,
        "referrer": "Synthetic referrer",
        "reason": "Synthetic referral for the demo",
        "consent_to_contact": True,
        "track": track,
    }
    return actions.create_referral(
        program=program,
        person={
            "given_name": given,
            "family_name": family,
            "date_of_birth": born,
            "home_state": "NY",
            "timezone": program.timezone,
        },
        referral=referral,
        acting_user=coordinator,
    )
