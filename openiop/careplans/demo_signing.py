"""The demo's signatures and reviews: plans in every state of their life.

Synthetic data, made through the real actions, then dated back where the demo needs a past:
- the first participant's plan waits for their own signature (their care team has signed),
  so the first participant login sees "Your treatment plan is ready to sign";
- the second participant's plan has been in effect for longer than the review cadence: its
  review is overdue, on the clinicians' worklist;
- the third participant's plan went through a review: version 1 superseded by version 2
  (when the plan editor's `copy_plan_for_review` is present), so the diff has something to show;
- the fourth participant's plan is simply in effect.

A participant's existing draft (from the plan editor's demo) is used when there is one;
otherwise a small plan is written here.

Call after `openiop.core.demo.load()` (and the plan editor's demo, if any):
`load_signing_demo(program, today=date.today())`.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction

from openiop.accounts.models import User
from openiop.careplans.actions import reviews as review_actions
from openiop.careplans.actions.signing import sign_plan, submit_for_signatures
from openiop.careplans.content import load_content, plan_hash
from openiop.careplans.models import (
    Goal,
    Intervention,
    Objective,
    PlanProblem,
    PlanSignature,
    TreatmentPlan,
)
from openiop.careplans.signatures import physicians, primary_clinicians, required_roles
from openiop.intake.models import EpisodeOfCare
from openiop.lib.recurrence import get_zone
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program

Role = PlanSignature.Role
Status = TreatmentPlan.Status


def _team(participant: Participant) -> list[CareTeamMember]:
    return list(participant.care_team.select_related("clinician").order_by("id"))


def _demo_plan(participant: Participant, author: User, today: date) -> TreatmentPlan:
    episode = participant.episodes.filter(status=EpisodeOfCare.Status.ACTIVE).first()
    plan = TreatmentPlan.objects.create(
        participant=participant,
        episode=episode,
        level_of_care=episode.level_of_care if episode else "iop",
        strengths="Keeps a journal; a close friend who checks in; wants to return to work.",
        preferences="Evening sessions; prefers video with camera on.",
        barriers="Irregular work shifts.",
        technology_barriers="Unreliable home internet on weekends.",
        discharge_criteria="PHQ-9 below 10 for two weeks, a written relapse-prevention plan and "
        "an outpatient therapist booked.",
        anticipated_discharge_on=today + timedelta(weeks=8),
        created_by=author,
    )
    problem = PlanProblem.objects.create(
        plan=plan,
        in_own_words="I feel low most days and I've stopped going out.",
        clinical_statement="Depressive symptoms with withdrawal from usual activities.",
        assessment_findings="PHQ-9 at intake in the moderately severe range.",
    )
    goal = Goal.objects.create(problem=problem, text="Feel like myself again and see people.")
    mood = Objective.objects.create(
        goal=goal,
        text="Lower depressive symptoms.",
        target_date=today + timedelta(weeks=6),
        measure="phq-9",
        measure_comparator=Objective.Comparator.AT_MOST,
        measure_target=9,
    )
    outing = Objective.objects.create(
        goal=goal,
        text="Do one planned activity with someone each week.",
        target_date=today + timedelta(weeks=4),
        position=1,
    )
    individual = Intervention.objects.create(
        plan=plan,
        modality=Intervention.Modality.INDIVIDUAL,
        description="Behavioural activation and activity scheduling.",
        frequency=Intervention.Frequency.WEEKLY,
        duration_minutes=50,
        length_weeks=8,
        responsible_discipline=author.discipline,
        responsible_person=author,
    )
    individual.objectives.set([mood, outing])
    group = Intervention.objects.create(
        plan=plan,
        modality=Intervention.Modality.DBT_SKILLS_GROUP,
        frequency=Intervention.Frequency.AS_SCHEDULED,
        duration_minutes=180,
        position=1,
    )
    group.objectives.set([mood])
    return plan


def _sign(plan: TreatmentPlan, role: str, user: User) -> None:
    plan = TreatmentPlan.objects.select_related(
        "participant__program", "episode", "assessment", "previous"
    ).get(pk=plan.pk)
    load_content(plan)
    program = plan.participant.program
    sign_plan(
        plan,
        role=role,
        typed_name=f"{user.given_name} {user.family_name}",
        signed_hash=plan_hash(plan),
        acting_user=user,
        certified_weekly_hours=(program.weekly_minimum_hours if program else Decimal("9"))
        if role == Role.PHYSICIAN
        else None,
    )


def _sign_as_team(plan: TreatmentPlan, team: list[CareTeamMember]) -> None:
    _sign(plan, Role.PRIMARY_CLINICIAN, primary_clinicians(team)[0])
    if Role.PHYSICIAN in required_roles(plan):
        _sign(plan, Role.PHYSICIAN, physicians(team)[0])


def _backdate(plan: TreatmentPlan, day: date) -> None:
    """The demo's past: the plan took effect (and was signed) at noon on `day`."""
    program = plan.participant.program
    zone = get_zone(program.timezone if program else "UTC")
    moment = datetime.combine(day, time(12), tzinfo=zone)
    review_days = program.plan_review_days if program else 30
    TreatmentPlan.objects.filter(pk=plan.pk).update(
        effective_at=moment, review_due_on=day + timedelta(days=review_days)
    )
    PlanSignature.objects.filter(plan=plan).update(signed_at=moment)


def _ready(participant: Participant, team: list[CareTeamMember], today: date) -> TreatmentPlan:
    """The participant's draft, submitted for signatures."""
    author = primary_clinicians(team)[0]
    plan = TreatmentPlan.objects.filter(participant=participant, status=Status.DRAFT).first()
    if plan is None:
        plan = _demo_plan(participant, author, today)
    return submit_for_signatures(plan, acting_user=author)


@transaction.atomic
def load_signing_demo(program: Program, *, today: date) -> dict[str, TreatmentPlan]:
    """Sign the demo's plans (see the module docstring); returns them by what they show."""
    needs_physician = program.requires_physician_certification
    eligible = []
    for participant in (
        Participant.objects.filter(program=program, user__isnull=False, discharged_at=None)
        .exclude(treatment_plans__status__in=[Status.ACTIVE, Status.AWAITING_SIGNATURES])
        .select_related("user", "program")
        .order_by("id")
    ):
        team = _team(participant)
        if primary_clinicians(team) and (physicians(team) or not needs_physician):
            eligible.append((participant, team))
        if len(eligible) == 4:
            break
    shown: dict[str, TreatmentPlan] = {}
    steps = ("awaiting_participant", "overdue", "reviewed", "in_effect")
    for step, (participant, team) in zip(steps, eligible, strict=False):
        assert participant.user is not None
        plan = _ready(participant, team, today)
        _sign_as_team(plan, team)
        if step == "awaiting_participant":
            shown[step] = plan
            continue
        _sign(plan, Role.PARTICIPANT, participant.user)
        review_days = program.plan_review_days
        if step == "overdue":
            _backdate(plan, today - timedelta(days=review_days + 5))
        elif step == "reviewed" and review_actions.copy_plan_for_review is not None:
            _backdate(plan, today - timedelta(days=review_days))
            new = review_actions.start_review(
                plan, reason=TreatmentPlan.Reason.SCHEDULED_REVIEW, acting_user=plan.created_by
            )
            TreatmentPlan.objects.filter(pk=new.pk).update(
                strengths=plan.strengths + " Back at work two days a week."
            )
            submit_for_signatures(new, acting_user=plan.created_by)
            _sign_as_team(new, team)
            _sign(new, Role.PARTICIPANT, participant.user)
            plan = new
        else:
            _backdate(plan, today - timedelta(days=7))
        shown[step] = TreatmentPlan.objects.get(pk=plan.pk)
    return shown
