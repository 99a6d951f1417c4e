import json
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments.models import Response
from openiop.assessments.scoring import ScoreResult, score
from openiop.audit.actions import record
from openiop.consent.actions import invitations
from openiop.intake import hooks
from openiop.intake.level_of_care import (
    Recommendation,
    RuleSet,
    RuleSetError,
    default_rule_set,
    facts_from_results,
    parse_rule_set,
    recommend,
)
from openiop.intake.models import (
    DEFAULT_STAGE_TARGETS,
    ComprehensiveAssessment,
    EpisodeOfCare,
    Level,
    LevelOfCareDecision,
    ProgramRuleSet,
    Referral,
    StageTarget,
)
from openiop.participants.access import check_access, possible_duplicates
from openiop.participants.actions import (
    PossibleDuplicates,
    add_care_team_member,
    create_participant,
    record_duplicate_decisions,
    resolve_duplicates,
)
from openiop.participants.matching import Answer, Match, Person
from openiop.participants.models import CareTeamMember, DuplicateDecision, Participant
from openiop.programs.eligibility import CLINICAL_ROLES, Seat, may_hold
from openiop.programs.models import Program, ProgramMembership
from openiop.safety.actions import plan as safety_plans
from openiop.safety.models import SafetyPlanReview


class IntakeError(Exception):
    """A step the intake workflow refuses; the message is safe to show."""


def _expect_stage(referral: Referral, *stages: str) -> Referral:
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.stage not in stages:
        raise IntakeError(
            f"This referral is at the {locked.get_stage_display().lower()} step already."
        )
    return locked


@transaction.atomic
def create_referral(
    *,
    program: Program,
    person: dict[str, Any],
    referral: dict[str, Any],
    acting_user: User,
    answer: Answer | None = None,
) -> Referral:
    """A referral and its chart (no login yet), in one step, never a silent second chart.

    When the person's details match charts the user works with (openiop.participants.matching),
    nothing is saved until `answer` settles it (PossibleDuplicates otherwise): "the same
    person" puts the referral on that chart, "a different person" (with a reason) makes a new
    chart; either way a DuplicateDecision is recorded per chart compared.
    """
    if not referral.get("consent_to_contact"):
        raise IntakeError("Record the person's consent to be contacted before referring.")
    track = referral.get("track")
    if track is not None and track.program_id != program.pk:
        raise IntakeError("Choose a track of the program the person is referred to.")
    # Two people referring the same person at once: the second waits, then sees the first's
    # chart among the matches.
    Program.objects.select_for_update().filter(pk=program.pk).first()
    matches = possible_duplicates(acting_user, Person.of(person), program)
    existing = resolve_duplicates(matches, answer)
    if existing is not None:
        participant = _chart_to_refer_again(existing, program, acting_user=acting_user)
    else:
        participant = create_participant(program=program, fields=person, acting_user=acting_user)
    row = Referral.objects.create(
        participant=participant, program=program, created_by=acting_user, **referral
    )
    record_duplicate_decisions(
        matches,
        answer=answer,
        context=DuplicateDecision.Context.REFERRAL,
        chart=participant,
        acting_user=acting_user,
    )
    record(
        "intake.referral_created",
        acting_user=acting_user,
        participant=participant,
        target=row,
        details={
            "program": str(program.code),
            "source": row.source,
            "kind": "existing_chart" if existing is not None else "new_chart",
        },
    )
    return row


def _chart_to_refer_again(
    participant: Participant, program: Program, *, acting_user: User
) -> Participant:
    """An existing chart a new referral may join: in the same program, writable by the user
    (a discharged chart too: a new referral may readmit), with no open referral or active
    episode there already."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.program_id != program.pk:
        raise IntakeError(
            "That chart belongs to another program: a referral can only join a chart of its "
            "own program."
        )
    check_access(acting_user, participant, write=True, read=False, allow_discharged=True)
    open_referral = Referral.objects.filter(participant=participant, program=program).exclude(
        stage__in=[Referral.Stage.ADMITTED, Referral.Stage.DECLINED]
    )
    if open_referral.exists():
        raise IntakeError("This person already has an open referral to this program.")
    if EpisodeOfCare.objects.filter(
        participant=participant, program=program, status=EpisodeOfCare.Status.ACTIVE
    ).exists():
        raise IntakeError("This person is already admitted to this program.")
    return participant


@transaction.atomic
def record_screening(
    referral: Referral, *, proceed: bool, note: str, referred_to: str, acting_user: User
) -> Referral:
    """Screening ends in a comprehensive assessment, or a decline with a referral elsewhere."""
    referral = _expect_stage(referral, Referral.Stage.SCREENING)
    referral.screening_note = note
    referral.screened_by = acting_user
    referral.screened_at = timezone.now()
    referral.stage_entered_at = referral.screened_at
    if proceed:
        referral.stage = Referral.Stage.ASSESSMENT
    else:
        if not referred_to.strip():
            raise IntakeError("Say where the person was referred instead.")
        referral.stage = Referral.Stage.DECLINED
        referral.referred_elsewhere_to = referred_to.strip()
        referral.outcome_by = acting_user
        referral.outcome_at = referral.screened_at
    referral.save()
    record(
        "intake.screened",
        acting_user=acting_user,
        participant=referral.participant,
        target=referral,
        details={"proceed": proceed},
    )
    return referral


@transaction.atomic
def save_assessment(
    referral: Referral, *, fields: dict[str, Any], acting_user: User
) -> ComprehensiveAssessment:
    """Save the comprehensive assessment; it can be revised until the decision is made."""
    referral = _expect_stage(referral, Referral.Stage.ASSESSMENT, Referral.Stage.DECISION)
    assessment, created = ComprehensiveAssessment.objects.update_or_create(
        referral=referral, defaults={**fields, "completed_by": acting_user}
    )
    if referral.stage != Referral.Stage.DECISION:
        # A revision at the decision step leaves the referral where it is, and its age too.
        referral.stage = Referral.Stage.DECISION
        referral.stage_entered_at = timezone.now()
        referral.save(update_fields=["stage", "stage_entered_at"])
    record(
        "intake.assessment_saved",
        acting_user=acting_user,
        participant=referral.participant,
        target=assessment,
        details={"created": created, "fields": sorted(fields)},
    )
    return assessment


def rule_set_for(program: Program) -> RuleSet:
    custom = ProgramRuleSet.objects.filter(program=program).first()
    if custom is None:
        return default_rule_set()
    return parse_rule_set(custom.rules, source=f"rules of {program.name}")


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def latest_results(participant: Participant) -> dict[str, ScoreResult]:
    """The newest submitted, uncorrected response per instrument, rescored."""
    results: dict[str, ScoreResult] = {}
    responses = (
        Response.objects.filter(
            participant=participant,
            status=Response.Status.SUBMITTED,
            replaced_by__isnull=True,
        )
        .select_related("instrument")
        .order_by("instrument__key", "-submitted_at", "-id")
    )
    for response in responses:
        key = response.instrument.key
        if key not in results:
            results[key] = score(response.instrument.definition, response.answers)
    return results


def facts_for(referral: Referral) -> dict[str, Any]:
    assessment = referral.assessment
    participant = referral.participant
    facts = facts_from_results(latest_results(participant))
    facts.update(
        {
            "age": _age(participant.date_of_birth, timezone.localdate()),
            "weekly_hours_needed": float(assessment.weekly_hours_needed),
            "clinician_risk": assessment.clinician_risk,
            "functional_impairment": assessment.functional_impairment,
            "needs_24_hour_care": assessment.needs_24_hour_care,
            "program.min_age": referral.program.min_age,
            "program.max_age": referral.program.max_age,
        }
    )
    return facts


def recommendation_for(referral: Referral) -> tuple[Recommendation, dict[str, Any]]:
    facts = facts_for(referral)
    return recommend(rule_set_for(referral.program), facts), facts


@transaction.atomic
def decide_level_of_care(
    referral: Referral, *, chosen_level: str, variance_reason: str, acting_user: User
) -> LevelOfCareDecision:
    """Record the clinician's level, recomputing the recommendation at the moment of deciding.

    A level that differs from the recommendation needs a reason (and the database insists).
    """
    referral = _expect_stage(referral, Referral.Stage.DECISION)
    recommendation, facts = recommendation_for(referral)
    reason = variance_reason.strip()
    if chosen_level != recommendation.level and not reason:
        raise IntakeError("Give the reason for choosing a level other than the recommendation.")
    decision = LevelOfCareDecision.objects.create(
        referral=referral,
        recommended_level=recommendation.level,
        recommendation={**recommendation.as_dict(), "facts": facts},
        chosen_level=chosen_level,
        variance_reason=reason,
        decided_by=acting_user,
        decided_at=timezone.now(),
    )
    referral.stage = Referral.Stage.ADMISSION
    referral.stage_entered_at = decision.decided_at
    referral.save(update_fields=["stage", "stage_entered_at"])
    record(
        "intake.level_of_care_decided",
        acting_user=acting_user,
        participant=referral.participant,
        target=decision,
        details={
            "recommended": recommendation.level,
            "chosen": chosen_level,
            "override": decision.is_override,
            "rules_fired": len(recommendation.fired),
            "rule_set": recommendation.rule_set,
        },
    )
    return decision


# Program.LevelOfCare codes → the levels of the rule set.
PROGRAM_LEVELS = {"op": "outpatient", "iop": "iop", "php": "php"}


def program_level(program: Program) -> str:
    return PROGRAM_LEVELS[program.level_of_care]


def undecided_duplicates(referral: Referral, *, acting_user: User) -> list[Match]:
    """Other charts the referral's chart may duplicate that nobody has yet said are a
    different person (a chart made before duplicate detection, or one that started to match
    since the referral was made)."""
    participant = referral.participant
    matches = possible_duplicates(
        acting_user, Person.of(participant), referral.program, exclude=participant
    )
    if not matches:
        return []
    different = DuplicateDecision.objects.filter(
        decision=DuplicateDecision.Decision.DIFFERENT_PERSON
    )
    decided = set(different.filter(chart=participant).values_list("compared_id", flat=True))
    decided |= set(different.filter(compared=participant).values_list("chart_id", flat=True))
    return [m for m in matches if m.participant.pk not in decided]


@transaction.atomic
def admit(
    referral: Referral,
    *,
    acting_user: User,
    primary_clinician: User | None = None,
    answer: Answer | None = None,
) -> EpisodeOfCare:
    """Admit at the level the clinician chose, which must be the program's own level: a
    person who needs another level is declined with a referral to a program that offers it.

    A chart that may duplicate another (`undecided_duplicates`) is admitted only with an
    answer that it is a different person (PossibleDuplicates otherwise); the same person is
    not admitted twice: that referral is declined and made again on the existing chart.

    Care starts with a care team: see `_seat_primary_clinician`. A chart with an address and
    no login gets a portal invitation (openiop.consent.actions.invitations)."""
    referral = _expect_stage(referral, Referral.Stage.ADMISSION, Referral.Stage.WAITLISTED)
    chosen = referral.decision.chosen_level
    if chosen != program_level(referral.program):
        raise IntakeError(
            f"The level of care chosen ({referral.decision.get_chosen_level_display()}) is not "
            f"this program's level: decline with a referral to a program that offers it."
        )
    duplicates = undecided_duplicates(referral, acting_user=acting_user)
    if duplicates and (
        answer is None or answer.decision != DuplicateDecision.Decision.DIFFERENT_PERSON
    ):
        raise PossibleDuplicates(duplicates)
    resolve_duplicates(duplicates, answer)
    now = timezone.now()
    episode = EpisodeOfCare.objects.create(
        participant=referral.participant,
        program=referral.program,
        referral=referral,
        level_of_care=referral.decision.chosen_level,
        admitted_at=now,
        admitted_by=acting_user,
    )
    referral.stage = Referral.Stage.ADMITTED
    referral.outcome_by = acting_user
    referral.outcome_at = now
    referral.stage_entered_at = now
    referral.save(update_fields=["stage", "outcome_by", "outcome_at", "stage_entered_at"])
    participant = referral.participant
    if participant.discharged_at is not None:
        # Readmission reopens a chart that an earlier discharge closed.
        participant.discharged_at = None
        participant.save(update_fields=["discharged_at"])
    record(
        "intake.admitted",
        acting_user=acting_user,
        participant=referral.participant,
        target=episode,
        details={"program": str(referral.program.code), "level": episode.level_of_care},
    )
    # A change of level of care: a safety plan in use is due for review (CLINICAL.md §4.1).
    safety_plans.prompt_review(
        participant, reason=SafetyPlanReview.Reason.LEVEL_OF_CARE, acting_user=acting_user
    )
    record_duplicate_decisions(
        duplicates,
        answer=answer,
        context=DuplicateDecision.Context.ADMISSION,
        chart=participant,
        acting_user=acting_user,
    )
    _seat_primary_clinician(referral, chosen=primary_clinician, acting_user=acting_user)
    # The participant's portal login: a one-time link by email and/or text, sent on commit.
    invitations.invite_on_admission(participant, acting_user=acting_user)
    hooks.admitted(episode, acting_user=acting_user)
    return episode


def primary_clinician_candidates(program: Program) -> QuerySet[User]:
    """Who may be chosen as primary clinician at admission: the program's clinical staff who
    may hold a care-team seat there (openiop.programs.eligibility), never a peer specialist
    (the primary clinician answers the chart's safety alerts)."""
    return (
        User.objects.filter(
            is_active=True,
            role__in=CLINICAL_ROLES,
            pk__in=ProgramMembership.objects.filter(program=program).values("user_id"),
        )
        .exclude(discipline="")
        .exclude(discipline=User.Discipline.PEER_SPECIALIST)
        .order_by("family_name", "given_name", "id")
    )


def _seat_primary_clinician(
    referral: Referral, *, chosen: User | None, acting_user: User
) -> CareTeamMember | None:
    """A newly admitted person has a primary clinician, so their safety alerts reach someone
    who knows them (the director fallback is for charts nobody could act on).

    The clinician chosen on the admission form, else the admitting user when they may sit on
    the care team (a clinician), else the clinician who chose the level of care. A chart that
    already has a primary clinician (a readmission) keeps its team; when nobody eligible is
    known the admission still goes ahead and the program's directors receive its alerts
    until a clinician is added."""
    participant = referral.participant
    if CareTeamMember.objects.filter(
        participant=participant, role=CareTeamMember.Role.PRIMARY_CLINICIAN
    ).exists():
        return None
    decision = getattr(referral, "decision", None)
    candidates = [chosen, acting_user, decision.decided_by if decision else None]
    for candidate in candidates:
        if candidate is not None and _may_be_primary(candidate, referral.program):
            return add_care_team_member(
                participant,
                clinician=candidate,
                role=CareTeamMember.Role.PRIMARY_CLINICIAN,
                can_write=True,
                acting_user=acting_user,
            )
        if candidate is chosen and chosen is not None:
            raise IntakeError(f"{chosen.display_name} cannot be this person's primary clinician.")
    return None


def _may_be_primary(user: User, program: Program) -> bool:
    return (
        may_hold(user, Seat.CARE_TEAM, program)
        and user.discipline != User.Discipline.PEER_SPECIALIST
    )


@transaction.atomic
def waitlist(referral: Referral, *, note: str, acting_user: User) -> Referral:
    referral = _expect_stage(referral, Referral.Stage.ADMISSION)
    referral.stage = Referral.Stage.WAITLISTED
    referral.outcome_note = note
    referral.outcome_by = acting_user
    referral.outcome_at = timezone.now()
    referral.stage_entered_at = referral.outcome_at
    referral.save(
        update_fields=["stage", "outcome_note", "outcome_by", "outcome_at", "stage_entered_at"]
    )
    record(
        "intake.waitlisted",
        acting_user=acting_user,
        participant=referral.participant,
        target=referral,
    )
    return referral


@transaction.atomic
def decline(referral: Referral, *, referred_to: str, note: str, acting_user: User) -> Referral:
    referral = _expect_stage(referral, Referral.Stage.ADMISSION, Referral.Stage.WAITLISTED)
    if not referred_to.strip():
        raise IntakeError("Say where the person was referred instead.")
    referral.stage = Referral.Stage.DECLINED
    referral.referred_elsewhere_to = referred_to.strip()
    referral.outcome_note = note
    referral.outcome_by = acting_user
    referral.outcome_at = timezone.now()
    referral.stage_entered_at = referral.outcome_at
    referral.save(
        update_fields=[
            "stage",
            "referred_elsewhere_to",
            "outcome_note",
            "outcome_by",
            "outcome_at",
            "stage_entered_at",
        ]
    )
    record(
        "intake.declined",
        acting_user=acting_user,
        participant=referral.participant,
        target=referral,
    )
    return referral


@transaction.atomic
def set_program_rules(program: Program, *, text: str, acting_user: User) -> ProgramRuleSet:
    """Validate the whole rule set first (RuleSetError names the field); then store it."""
    source = f"rules of {program.name}"
    rule_set = parse_rule_set(text, source=source)
    # Decisions and episodes store a Level: a rule set recommending anything else could not
    # be shown or recorded.
    unknown = [level for level in rule_set.levels if level not in Level.values]
    if unknown:
        raise RuleSetError(
            f"use only the levels {', '.join(Level.values)}, not {', '.join(unknown)}",
            path="levels",
            source=source,
        )
    row, _ = ProgramRuleSet.objects.update_or_create(
        program=program, defaults={"rules": json.loads(text), "updated_by": acting_user}
    )
    record(
        "intake.rules_updated",
        acting_user=acting_user,
        target=row,
        details={"program": str(program.code), "rule_set": rule_set.label},
    )
    return row


@transaction.atomic
def set_stage_targets(program: Program, *, targets: dict[str, int], acting_user: User) -> None:
    """A program's business-day target for each working stage of its intake pipeline."""
    Program.objects.select_for_update().filter(pk=program.pk).first()
    for stage, days in targets.items():
        if stage not in DEFAULT_STAGE_TARGETS:
            raise IntakeError("Targets are kept for screening, assessment, decision and admission.")
        if not 1 <= days <= 60:
            raise IntakeError("A target is between 1 and 60 business days.")
        StageTarget.objects.update_or_create(
            program=program,
            stage=stage,
            defaults={"business_days": days, "updated_by": acting_user},
        )
    record(
        "intake.targets_updated",
        acting_user=acting_user,
        target=program,
        details={"program": str(program.code), "fields": sorted(targets)},
    )
