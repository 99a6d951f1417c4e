import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.intake import access, actions, queries
from openiop.intake import pipeline as pipeline_queries
from openiop.intake.forms import (
    AssessmentForm,
    DecisionForm,
    OutcomeForm,
    ReferralForm,
    RulesForm,
    ScreeningForm,
    StageTargetsForm,
)
from openiop.intake.level_of_care import (
    DEFAULT_RULES,
    MissingFacts,
    RuleSetError,
    fact_label,
    fact_value,
)
from openiop.intake.models import Level, ProgramRuleSet, Referral
from openiop.participants import access as participant_access
from openiop.participants.actions import PossibleDuplicates
from openiop.participants.forms import DuplicateForm, NewParticipantForm
from openiop.participants.matching import RULE_LABELS, Match, Person
from openiop.programs.models import Track


@require_GET
@login_required
def referrals(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    rows = access.referrals_for_user(request.user).order_by("-created_at", "-id")
    return render(
        request,
        "intake/referrals.html",
        {
            "referrals": rows,
            "can_create": access.can_create_referrals(request.user),
            "directed_programs": access.directed_programs(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def new(request: AuthedRequest) -> HttpResponse:
    if not access.can_create_referrals(request.user):
        raise Http404
    person = NewParticipantForm(
        request.POST or None, programs=access.programs_for_referrals(request.user), prefix="person"
    )
    form = ReferralForm(
        request.POST or None,
        prefix="referral",
        tracks=Track.objects.filter(program__in=access.programs_for_referrals(request.user)),
    )
    context: dict[str, Any] = {"person": person, "form": form}
    if request.method == "POST" and person.is_valid() and form.is_valid():
        fields = dict(person.cleaned_data)
        program = fields.pop("program")
        matches = participant_access.possible_duplicates(request.user, Person.of(fields), program)
        same_program = [m for m in matches if m.visible and m.participant.program_id == program.pk]
        busy = queries.busy_in_program((m.participant for m in same_program), program.pk)
        linkable = [m for m in same_program if m.participant.pk not in busy]
        duplicate = (
            DuplicateForm(request.POST, matches=matches, linkable=linkable)
            if "duplicate-hidden" in request.POST
            else None
        )
        answer = duplicate.answer() if duplicate is not None and duplicate.is_valid() else None
        try:
            referral = actions.create_referral(
                program=program,
                person=fields,
                referral=form.cleaned_data,
                acting_user=request.user,
                answer=answer,
            )
        except PossibleDuplicates as exc:
            if duplicate is None or answer is not None:
                duplicate = DuplicateForm(matches=exc.matches, linkable=linkable)
            context.update(_duplicate_prompt(request, exc.matches, linkable, duplicate, program))
            return render(request, "intake/new.html", context, status=409)
        except actions.IntakeError as exc:
            person.add_error(None, str(exc))
        else:
            messages.success(request, "Referral recorded.")
            return redirect(referral)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/new.html", context, status=status)


def _why_not_linkable(match: Match, program: Any, linkable_pks: set[int]) -> str:
    if match.participant.pk in linkable_pks:
        return ""
    if match.participant.program_id != program.pk:
        return "This chart belongs to another program, so the referral cannot join it."
    return (
        "This person is already in intake or admitted here: continue with that chart's "
        "referral instead of recording a new one."
    )


def _duplicate_prompt(
    request: AuthedRequest,
    matches: list[Match],
    linkable: list[Match],
    form: DuplicateForm,
    program: Any,
    *,
    admission: bool = False,
) -> dict[str, Any]:
    """What the duplicate prompt shows: charts the user may open, described (and their reads
    recorded); charts they may not, only counted."""
    shown = [m for m in matches if m.visible]
    participant_access.record_duplicates_shown(request.user, shown)
    statuses = queries.chart_statuses(m.participant for m in shown)
    linkable_pks = {m.participant.pk for m in linkable}
    return {
        "duplicate_form": form,
        "duplicate_program": program,
        "duplicates": [
            {
                "participant": m.participant,
                "status": statuses[m.participant.pk],
                "rules": [RULE_LABELS[r] for r in m.rules],
                "linkable": m.participant.pk in linkable_pks,
                "why_not": "" if admission else _why_not_linkable(m, program, linkable_pks),
            }
            for m in shown
        ],
        "hidden_duplicates": len(matches) - len(shown),
    }


@require_GET
@login_required
def referral(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_referral_for_user(request.user, code)
    return render(
        request,
        "intake/referral.html",
        {
            "referral": row,
            "screening_form": ScreeningForm(),
            "outcome_form": _outcome_form(row),
            "assessment": getattr(row, "assessment", None),
            "decision": getattr(row, "decision", None),
            "episode": getattr(row, "episode", None),
        },
    )


@require_POST
@login_required
def screening(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_referral_for_user(request.user, code, write=True)
    form = ScreeningForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "intake/referral.html",
            {"referral": row, "screening_form": form, "outcome_form": _outcome_form(row)},
            status=400,
        )
    try:
        actions.record_screening(
            row,
            proceed=form.cleaned_data["outcome"] == "proceed",
            note=form.cleaned_data["note"],
            referred_to=form.cleaned_data["referred_to"],
            acting_user=request.user,
        )
    except actions.IntakeError as exc:
        messages.error(request, str(exc))
    return redirect(row)


@require_http_methods(["GET", "POST"])
@login_required
def assessment(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_referral_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    if row.stage not in (Referral.Stage.ASSESSMENT, Referral.Stage.DECISION):
        messages.info(request, "The comprehensive assessment is closed at this step.")
        return redirect(row)
    instance = getattr(row, "assessment", None)
    form = AssessmentForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "diagnoses_text"}
        fields["diagnoses"] = form.cleaned_data["diagnoses_text"]
        actions.save_assessment(row, fields=fields, acting_user=request.user)
        messages.success(request, "Assessment saved.")
        return redirect("intake:level_of_care", row.code)
    status = 400 if request.method == "POST" else 200
    return render(request, "intake/assessment.html", {"referral": row, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
@login_required
def level_of_care(request: AuthedRequest, code: str) -> HttpResponse:
    """The recommendation, every rule that fired, and the clinician's decision."""
    row, _ = access.get_referral_for_user(request.user, code, decide=request.method == "POST")
    if row.stage != Referral.Stage.DECISION:
        return redirect(row)
    try:
        recommendation, facts = actions.recommendation_for(row)
    except MissingFacts as exc:
        messages.error(request, f"Complete the assessment first ({exc}).")
        return redirect(row)
    form = DecisionForm(request.POST or None, recommended=recommendation.level)
    if request.method == "POST" and form.is_valid():
        try:
            actions.decide_level_of_care(
                row,
                chosen_level=form.cleaned_data["chosen_level"],
                variance_reason=form.cleaned_data["variance_reason"],
                acting_user=request.user,
            )
        except actions.IntakeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Level of care recorded.")
            return redirect(row)
    return render(
        request,
        "intake/level_of_care.html",
        {
            "referral": row,
            "recommendation": recommendation,
            "recommended_label": Level(recommendation.level).label,
            "fired": [
                (rule, Level(rule.level).label if rule.level else "")
                for rule in recommendation.fired
            ],
            "flagged": [rule.plain for rule in recommendation.fired if rule.flag],
            "facts": sorted((fact_label(k), fact_value(v)) for k, v in facts.items()),
            "form": form,
            "can_decide": request.user.role in access.DECIDING_ROLES,
            "program_level": Level(actions.program_level(row.program)).label,
            "program_matches": actions.program_level(row.program) == recommendation.level,
            "assessment": row.assessment,
        },
        status=400 if request.method == "POST" else 200,
    )


def _outcome_form(referral: Any, data: Any = None) -> OutcomeForm:
    return OutcomeForm(data, candidates=actions.primary_clinician_candidates(referral.program))


@require_POST
@login_required
def outcome(request: AuthedRequest, code: str) -> HttpResponse:
    row, _ = access.get_referral_for_user(request.user, code, write=True)
    form = _outcome_form(row, request.POST)
    if not form.is_valid():
        return render(
            request,
            "intake/referral.html",
            {
                "referral": row,
                "screening_form": ScreeningForm(),
                "outcome_form": form,
                "decision": getattr(row, "decision", None),
            },
            status=400,
        )
    choice = form.cleaned_data["outcome"]
    duplicate = None
    answer = None
    if choice == "admit" and "duplicate-hidden" in request.POST:
        matches = actions.undecided_duplicates(row, acting_user=request.user)
        duplicate = DuplicateForm(request.POST, matches=matches, linkable=[])
        answer = duplicate.answer() if duplicate.is_valid() else None
    try:
        if choice == "admit":
            actions.admit(
                row,
                acting_user=request.user,
                primary_clinician=form.cleaned_data["primary_clinician"],
                answer=answer,
            )
            messages.success(request, "Admitted to the program.")
        elif choice == "waitlist":
            actions.waitlist(row, note=form.cleaned_data["note"], acting_user=request.user)
            messages.success(request, "Placed on the waitlist.")
        else:
            actions.decline(
                row,
                referred_to=form.cleaned_data["referred_to"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
            messages.success(request, "Declined and referred elsewhere.")
    except PossibleDuplicates as exc:
        if duplicate is None or answer is not None:
            duplicate = DuplicateForm(matches=exc.matches, linkable=[])
        context = {
            "referral": row,
            "screening_form": ScreeningForm(),
            "outcome_form": form,
            "decision": getattr(row, "decision", None),
        }
        context.update(
            _duplicate_prompt(request, exc.matches, [], duplicate, row.program, admission=True)
        )
        return render(request, "intake/referral.html", context, status=409)
    except actions.IntakeError as exc:
        messages.error(request, str(exc))
    return redirect(row)


@require_http_methods(["GET", "POST"])
@login_required
def rules(request: AuthedRequest, code: str) -> HttpResponse:
    """A program director edits the program's level-of-care rules (JSON)."""
    program = access.get_program_to_edit_rules(request.user, code)
    current = ProgramRuleSet.objects.filter(program=program).first()
    initial = (
        json.dumps(current.rules, indent=2)
        if current
        else DEFAULT_RULES.read_text(encoding="utf-8")
    )
    form = RulesForm(request.POST or None, initial={"rules": initial})
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_program_rules(
                program, text=form.cleaned_data["rules"], acting_user=request.user
            )
        except RuleSetError as exc:
            form.add_error("rules", str(exc))
        else:
            messages.success(request, "Level-of-care rules saved.")
            return redirect("intake:rules", program.code)
    return render(
        request,
        "intake/rules.html",
        {"program": program, "form": form, "customised": current is not None},
        status=400 if form.errors else 200,
    )


@require_GET
@login_required
def pipeline(request: AuthedRequest) -> HttpResponse:
    """Referrals by stage, age in stage and overdue markers, for intake coordinators and
    directors; everyone else 404 (intake.pipeline)."""
    board = pipeline_queries.pipeline(request.user, now=timezone.now(), params=request.GET.dict())
    return render(
        request,
        "intake/pipeline.html",
        {
            "pipeline": board,
            "sources": Referral.Source.choices,
            "directed_programs": access.directed_programs(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def targets(request: AuthedRequest, code: str) -> HttpResponse:
    """A program director sets the business-day target of each intake stage."""
    program = access.get_program_to_edit_rules(request.user, code)
    current = pipeline_queries.targets_for([program.pk])[program.pk]
    form = StageTargetsForm(request.POST or None, current=current)
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_stage_targets(program, targets=form.targets(), acting_user=request.user)
        except actions.IntakeError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Intake targets saved.")
            return redirect(f"{reverse('intake:pipeline')}?program={program.code}")
    return render(
        request,
        "intake/targets.html",
        {"program": program, "form": form},
        status=400 if form.errors else 200,
    )
