"""The demo's clinical summaries: diagnoses, a problem, medications and an allergy per chart.

Synthetic data made through the real actions, so every row has its history and audit events.
Charts admitted through intake get their intake diagnoses; the others get a common IOP
picture chosen by their position in the caseload; people still in intake get nothing. Call
it after the other demo loaders (`load_summary_demo(program)`), so that intake's admitted
charts exist already.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.careplans import actions
from openiop.intake.models import Referral
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program

OPEN_REFERRAL = [stage for stage in Referral.Stage.values if stage != Referral.Stage.ADMITTED]

# (ICD-10-CM codes, the first primary; a problem in plain words)
PICTURES: list[tuple[list[str], str]] = [
    (["F33.1", "F41.1"], "Low mood and worry keep them from work most days"),
    (["F43.10", "F33.1"], "Nightmares and avoidance since an assault last year"),
    (["F41.1"], "Constant worry; sleeps about four hours a night"),
    (["F32.1", "F10.20"], "Drinking to sleep since a job loss"),
    (["F31.81"], "Mood swings are straining the family"),
    (["F60.3", "F33.2"], "Urges to self-harm when relationships feel shaky"),
    (["F43.23"], "Overwhelmed since a divorce; isolating at home"),
    (["F41.0", "F40.10"], "Panic attacks on public transport; misses classes"),
]

# (name, dose, days since it started, days since it stopped or None), by primary code.
MEDICATIONS: dict[str, list[tuple[str, str, int, int | None]]] = {
    "F33.1": [("Sertraline", "100 mg by mouth once daily", 120, None)],
    "F43.10": [
        ("Sertraline", "50 mg by mouth once daily", 90, None),
        ("Prazosin", "2 mg by mouth at bedtime", 45, None),
    ],
    "F41.1": [
        ("Escitalopram", "10 mg by mouth once daily", 60, None),
        ("Hydroxyzine", "25 mg by mouth as needed for anxiety, up to three times daily", 200, 30),
    ],
    "F32.1": [
        ("Bupropion XL", "150 mg by mouth every morning", 75, None),
        ("Naltrexone", "50 mg by mouth once daily", 20, None),
    ],
    "F31.81": [("Lamotrigine", "150 mg by mouth once daily", 180, None)],
    "F60.3": [("Fluoxetine", "20 mg by mouth once daily", 150, None)],
    "F43.23": [("Trazodone", "50 mg by mouth at bedtime as needed for sleep", 30, None)],
    "F41.0": [
        ("Paroxetine", "20 mg by mouth once daily", 100, None),
        ("Lorazepam", "0.5 mg by mouth as needed for panic", 140, 60),
    ],
}

# (substance, reaction, severity); every fourth chart has no known allergy.
ALLERGIES: list[tuple[str, str, str] | None] = [
    ("Penicillin", "Hives", "moderate"),
    ("Sulfonamide antibiotics", "Rash", "mild"),
    ("Peanuts", "Throat swelling", "severe"),
    None,
]


@transaction.atomic
def load_summary_demo(program: Program, *, today: date | None = None) -> int:
    """Fill the clinical summary of each chart in `program` not filled yet (it has no problem
    list); returns how many charts it filled."""
    today = today or timezone.localdate()
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    participants = (
        Participant.objects.filter(program=program)
        .exclude(problem_list__isnull=False)
        # Someone still in intake (referred, not admitted) has no summary yet.
        .exclude(referral__stage__in=OPEN_REFERRAL)
        .prefetch_related("care_team__clinician")
        .order_by("id")
    )
    filled = 0
    for index, participant in enumerate(participants):
        clinician = _member(participant, CareTeamMember.Role.PRIMARY_CLINICIAN) or director
        if clinician is None:
            continue
        prescriber = _member(participant, CareTeamMember.Role.PSYCHIATRIC_PRESCRIBER)
        codes, problem = PICTURES[index % len(PICTURES)]
        imported = actions.import_missing_intake_diagnoses(participant, acting_user=clinician)
        if imported or participant.diagnoses.exists():
            codes = [d.icd10_code for d in participant.diagnoses.order_by("rank", "id")]
        else:
            for position, code in enumerate(codes):
                actions.add_diagnosis(
                    participant,
                    fields={
                        "icd10_code": code,
                        "rank": "primary" if position == 0 else "secondary",
                        "onset_on": today - timedelta(days=200 + 90 * position),
                    },
                    acting_user=clinician,
                )
        actions.add_problem(
            participant,
            fields={"description": problem, "onset_on": today - timedelta(days=120)},
            acting_user=clinician,
        )
        for name, dose, started, stopped in MEDICATIONS.get(codes[0] if codes else "", []):
            actions.add_medication(
                participant,
                fields={
                    "name": name,
                    "dose": dose,
                    "prescriber": (
                        prescriber.display_name
                        if prescriber
                        else "Outside prescriber (primary care)"
                    ),
                    "started_on": today - timedelta(days=started),
                    "stopped_on": today - timedelta(days=stopped) if stopped else None,
                },
                acting_user=prescriber or clinician,
            )
        allergy = ALLERGIES[index % len(ALLERGIES)]
        if allergy:
            substance, reaction, severity = allergy
            actions.add_allergy(
                participant,
                fields={"substance": substance, "reaction": reaction, "severity": severity},
                acting_user=clinician,
            )
        filled += 1
    return filled


def _member(participant: Participant, role: str) -> User | None:
    for member in participant.care_team.all():
        if member.role == role and member.can_write:
            return member.clinician
    return None
