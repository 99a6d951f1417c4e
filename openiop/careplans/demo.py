"""The demo's treatment plans: synthetic data, made through the real actions.

`load_plan_demo(program, today=...)` admits three demo participants through intake (a referral,
an assessment, a level-of-care decision) and starts each one's plan from that assessment:
- the first has a draft in progress;
- the second has a plan in effect, signed by the participant and the primary clinician (the
  signatures are written directly: signing is its own workflow);
- the third has a plan in effect and a review draft (version 2) copied from it.

Call it after the other demo loaders (`core.demo.load`, `scheduling.demo.load`,
`assessments.demo.load`, and the clinical summary's demo, whose chart diagnoses the plans then
link to). It skips participants that already have a referral.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.careplans import actions
from openiop.careplans.models import Goal, PlanSignature, TreatmentPlan
from openiop.intake import actions as intake
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.lib.integrity import content_hash
from openiop.lib.timefmt import as_zone
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program

# Participants 4-6 of the demo (by id) have baseline PHQ-9 and GAD-7 scores.
FIRST = 3
COUNT = 3
STORIES = [
    (
        "I can't get out of bed on work days and I've stopped seeing friends.",
        "Reads a lot, close to a younger brother, kept a job for six years.",
        ["F33.1"],
    ),
    (
        "My mind races all the time and I have panic attacks on the subway.",
        "Good sense of humour, plays guitar, a supportive partner.",
        ["F41.1", "F41.0"],
    ),
    (
        "Since the accident I jump at every noise and I don't sleep.",
        "Volunteers at an animal shelter, walks daily, wants to drive again.",
        ["F43.10"],
    ),
]


@transaction.atomic
def load_plan_demo(program: Program, *, today: date) -> list[TreatmentPlan]:
    people = list(
        Participant.objects.filter(program=program, referral__isnull=True).order_by("id")[
            FIRST : FIRST + COUNT
        ]
    )
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    if director is None:
        return []
    plans = []
    for index, (participant, story) in enumerate(zip(people, STORIES, strict=False)):
        clinician = _primary_clinician(participant) or director
        _admit(participant, program, story, clinician=clinician, director=director, today=today)
        plan = actions.start_plan(participant, acting_user=clinician)
        _fill(plan, clinician, today=today, index=index)
        if index >= 1:
            _put_in_effect(plan, participant, clinician, today=today)
        if index == 2:
            plan = actions.copy_plan_for_review(
                plan, reason=TreatmentPlan.Reason.SCHEDULED_REVIEW, acting_user=clinician
            )
        plans.append(plan)
    return plans


def _primary_clinician(participant: Participant) -> User | None:
    member = (
        CareTeamMember.objects.filter(
            participant=participant, role=CareTeamMember.Role.PRIMARY_CLINICIAN, can_write=True
        )
        .select_related("clinician")
        .first()
    )
    return member.clinician if member else None


def _admit(
    participant: Participant,
    program: Program,
    story: tuple[str, str, list[str]],
    *,
    clinician: User,
    director: User,
    today: date,
) -> EpisodeOfCare:
    own_words, strengths, diagnoses = story
    referral = Referral.objects.create(
        participant=participant,
        program=program,
        source=Referral.Source.PRIMARY_CARE,
        referrer="Synthetic primary care practice",
        reason="Synthetic referral for the demo",
        consent_to_contact=True,
        created_by=director,
    )
    intake.record_screening(referral, proceed=True, note="", referred_to="", acting_user=director)
    intake.save_assessment(
        referral,
        fields={
            "presenting_problem": "Synthetic presenting problem for the demo.",
            "strengths": strengths,
            "goals": own_words,
            "functional_impairment": "moderate",
            "clinician_risk": "low",
            "weekly_hours_needed": Decimal("9"),
            "needs_24_hour_care": False,
            "diagnoses": diagnoses,
        },
        acting_user=clinician,
    )
    referral.refresh_from_db()
    intake.decide_level_of_care(
        referral, chosen_level="iop", variance_reason="Demo", acting_user=director
    )
    episode = intake.admit(referral, acting_user=director)
    # Admitted two weeks ago, on a weekday morning in the program's zone.
    admitted = datetime.combine(
        today - timedelta(days=14), time(10), tzinfo=as_zone(program.timezone)
    )
    EpisodeOfCare.objects.filter(pk=episode.pk).update(admitted_at=admitted)
    return episode


def _fill(plan: TreatmentPlan, clinician: User, *, today: date, index: int) -> None:
    """A goal with two SMART objectives per problem, a weekly individual session and the
    program's skills group serving them."""
    objectives = []
    for problem in list(plan.problems.all()):
        if not problem.in_own_words:
            problem = actions.save_problem(
                plan,
                problem,
                fields={"in_own_words": "I want to feel like myself again."},
                diagnoses=list(problem.diagnoses.all()),
                edit_version=plan.edit_version,
                acting_user=clinician,
            )
        goal = actions.save_goal(
            plan,
            None,
            problem=problem,
            fields={"text": "Return to the routines that matter: work, friends and sleep."},
            edit_version=plan.edit_version,
            acting_user=clinician,
        )
        objectives.append(
            _objective(
                plan,
                goal,
                clinician,
                "Uses one distress-tolerance skill on at least 4 days a week, logged on the "
                "diary card.",
                today + timedelta(weeks=4),
            )
        )
        objectives.append(
            _objective(
                plan,
                goal,
                clinician,
                "Scores in the mild range or below on the PHQ-9.",
                today + timedelta(weeks=6),
                measure=("phq-9", "lte", 9),
            )
        )
    actions.update_plan(
        plan,
        fields={
            "preferences": "Evening sessions; video with camera on once settled.",
            "barriers": "Shift work some weeks.",
            "discharge_criteria": "PHQ-9 under 10 on two check-ins in a row, and a written "
            "relapse-prevention plan.",
        },
        edit_version=plan.edit_version,
        acting_user=clinician,
    )
    for modality, frequency, minutes, person, discipline in (
        ("individual", "weekly", 50, clinician, clinician.discipline),
        ("dbt_skills_group", "three_times_weekly", 180, None, "counselor"),
    ):
        actions.save_intervention(
            plan,
            None,
            fields={
                "modality": modality,
                "description": "Synthetic intervention for the demo.",
                "frequency": frequency,
                "duration_minutes": minutes,
                "length_weeks": 8,
                "responsible_discipline": discipline,
                "responsible_person": person,
            },
            objectives=objectives,
            edit_version=plan.edit_version,
            acting_user=clinician,
        )


def _objective(
    plan: TreatmentPlan,
    goal: Goal,
    clinician: User,
    text: str,
    target: date,
    measure: tuple[str, str, int] | None = None,
) -> Any:
    name, comparator, value = measure or ("", "", None)
    return actions.save_objective(
        plan,
        None,
        goal=goal,
        fields={
            "text": text,
            "target_date": target,
            "measure": name,
            "measure_comparator": comparator,
            "measure_target": value,
            "status": "in_progress",
        },
        edit_version=plan.edit_version,
        acting_user=clinician,
    )


def _put_in_effect(
    plan: TreatmentPlan, participant: Participant, clinician: User, *, today: date
) -> None:
    signed_at = timezone.now() - timedelta(days=10)
    digest = content_hash({"plan": str(plan.code), "number": plan.number, "demo": True})
    signers = [(PlanSignature.Role.PRIMARY_CLINICIAN, clinician, clinician.display_name)]
    if participant.user is not None:
        signers.insert(0, (PlanSignature.Role.PARTICIPANT, participant.user, participant.full_name))
    for role, user, name in signers:
        PlanSignature.objects.create(
            plan=plan,
            role=role,
            signed_by=user,
            typed_name=name,
            attestation="Synthetic signature for the demo.",
            content_hash=digest,
            signed_at=signed_at,
        )
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        status=TreatmentPlan.Status.ACTIVE,
        effective_at=signed_at,
        review_due_on=today + timedelta(days=20),
    )
    plan.refresh_from_db()
