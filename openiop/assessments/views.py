import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.accounts.models import User
from openiop.assessments import access, actions, fhir
from openiop.assessments.context import contexts_for
from openiop.assessments.forms import (
    AssignForm,
    CorrectionForm,
    answers_from_post,
    questions_for,
)
from openiop.assessments.models import Assignment, Response
from openiop.assessments.scoring import InvalidAnswer, score


def _source(user: User) -> str:
    if user.role == User.Role.PARTICIPANT:
        return Response.Source.PARTICIPANT
    return Response.Source.CLINICIAN


def _intent(button: str) -> actions.Intent:
    # An unknown button keeps the answers rather than submitting them.
    try:
        return actions.Intent(button)
    except ValueError:
        return actions.Intent.SAVE


def _render_form(
    request: AuthedRequest,
    assignment: Assignment,
    answers: dict,
    *,
    missing: tuple[str, ...] = (),
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    definition = assignment.instrument.definition
    questions = questions_for(definition, answers, missing)
    required = [q for q in questions if q.item.required and q.enabled]
    return render(
        request,
        "assessments/respond.html",
        {
            "assignment": assignment,
            "definition": definition,
            "questions": questions,
            "answered": sum(1 for q in required if q.value not in (None, "")),
            "required_count": len(required),
            "missing_questions": [q for q in questions if q.missing],
            "error": error,
            "administering": request.user.is_staff_member,
            "about": contexts_for([assignment.pk]).get(assignment.pk),
        },
        status=status,
    )


@require_GET
@login_required
def mine(request: AuthedRequest) -> HttpResponse:
    if request.user.role != User.Role.PARTICIPANT:
        raise Http404
    assignments = list(access.open_assignments_for_participant_user(request.user))
    contexts = contexts_for(a.pk for a in assignments)
    return render(
        request,
        "assessments/mine.html",
        {"assignments": [(a, contexts.get(a.pk)) for a in assignments]},
    )


@require_http_methods(["GET", "POST"])
@login_required
def respond(request: AuthedRequest, code: str) -> HttpResponse:
    """Answer a questionnaire: the participant's own, or staff administering it in session."""
    assignment, _ = access.get_assignment_to_answer(
        request.user, code, read=request.method == "GET"
    )
    if assignment.status != Assignment.Status.OPEN:
        messages.info(request, gettext("This questionnaire has already been submitted."))
        return redirect("assessments:mine" if not request.user.is_staff_member else "home")
    draft = actions.draft_for(assignment)
    if request.method == "GET":
        return _render_form(request, assignment, draft.answers if draft else {})

    answers = answers_from_post(assignment.instrument.definition, request.POST)
    intent = _intent(request.POST.get("action", ""))
    try:
        answered = actions.answer(
            assignment,
            answers,
            intent=intent,
            acting_user=request.user,
            source=_source(request.user),
        )
    except InvalidAnswer:
        return _render_form(
            request,
            assignment,
            draft.answers if draft else {},
            error=gettext(
                "One of the answers was not one of the choices. Please check and try again."
            ),
            status=400,
        )
    except actions.AlreadySubmitted:
        messages.info(request, gettext("This questionnaire has already been submitted."))
        return redirect("home")
    if intent == actions.Intent.SAVE:
        messages.success(request, gettext("Your answers are saved. You can finish later."))
        return redirect(request.path)
    if not answered.submitted:
        return _render_form(request, assignment, answers, missing=answered.missing, status=400)
    if request.user.is_staff_member:
        return redirect(answered.response)
    return redirect("assessments:submitted", answered.response.code)


@require_POST
@login_required
def autosave(request: AuthedRequest, code: str) -> HttpResponse:
    """Save as you go (per-page JS posts each change here)."""
    assignment, _ = access.get_assignment_to_answer(request.user, code)
    answers = answers_from_post(assignment.instrument.definition, request.POST)
    try:
        answered = actions.answer(
            assignment,
            answers,
            intent=actions.Intent.SAVE,
            acting_user=request.user,
            source=_source(request.user),
        )
    except InvalidAnswer:
        return JsonResponse({"saved": False, "error": "invalid answer"}, status=400)
    except actions.AlreadySubmitted:
        return JsonResponse({"saved": False, "error": "already submitted"}, status=409)
    return JsonResponse({"saved": True, "answered": len(answered.response.answers)})


@require_GET
@login_required
def submitted(request: AuthedRequest, code: str) -> HttpResponse:
    """After submitting: thanks, and crisis resources at once when an answer was critical."""
    response = access.get_own_submitted_response(request.user, code)
    return render(request, "assessments/submitted.html", {"response": response})


@require_GET
@login_required
def participant_assessments(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = access.get_staff_participant(request.user, code)
    can_write = chart_access == access.Access.WRITE
    responses = (
        participant.responses.filter(status=Response.Status.SUBMITTED)
        .select_related("instrument", "replaces")
        .order_by("-submitted_at", "-id")
    )
    assignments = participant.assignments.filter(status=Assignment.Status.OPEN).select_related(
        "instrument"
    )
    form = AssignForm(instruments=access.assignable_instruments()) if can_write else None
    return render(
        request,
        "assessments/participant.html",
        {
            "participant": participant,
            "responses": responses,
            "assignments": assignments,
            "form": form,
            "can_write": can_write,
        },
    )


@require_POST
@login_required
def assign(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = access.get_staff_participant(request.user, code, write=True)
    form = AssignForm(request.POST, instruments=access.assignable_instruments())
    if not form.is_valid():
        messages.error(request, "Choose an instrument to assign.")
        return redirect("assessments:participant", participant.code)
    actions.assign_instrument(
        participant, form.cleaned_data["instrument"], acting_user=request.user
    )
    messages.success(request, "Questionnaire assigned.")
    return redirect("assessments:participant", participant.code)


@require_GET
@login_required
def response_detail(request: AuthedRequest, code: str) -> HttpResponse:
    response, response_access = access.get_response_for_user(request.user, code)
    definition = response.instrument.definition
    can_write = response_access == access.Access.WRITE
    return render(
        request,
        "assessments/response.html",
        {
            "response": response,
            "definition": definition,
            "questions": questions_for(definition, response.answers),
            "findings": [(f.label, response.findings.get(f.id)) for f in definition.findings],
            "corrected_by": Response.objects.filter(replaces=response).first(),
            "can_correct": can_write and response.is_submitted,
        },
    )


@require_GET
@login_required
def response_fhir(request: AuthedRequest, code: str) -> HttpResponse:
    response, _ = access.get_response_for_user(request.user, code, export="fhir-r4")
    if not response.is_submitted:
        raise Http404
    definition = response.instrument.definition
    subject = f"Patient/{response.participant.code}"
    assert response.submitted_at is not None
    questionnaire_response = fhir.questionnaire_response(
        definition,
        response.answers,
        id=str(response.code),
        subject=subject,
        authored=response.submitted_at,
        status=fhir.response_status(
            submitted=True, complete=response.complete, correction=bool(response.replaces_id)
        ),
        replaces=str(response.replaces.code) if response.replaces else None,
    )
    observations = fhir.score_observations(
        definition,
        score(definition, response.answers),
        response_id=str(response.code),
        subject=subject,
        effective=response.submitted_at,
    )
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in [questionnaire_response, *observations]],
    }
    return HttpResponse(
        json.dumps(bundle, indent=2), content_type="application/fhir+json; charset=utf-8"
    )


@require_http_methods(["GET", "POST"])
@login_required
def correct(request: AuthedRequest, code: str) -> HttpResponse:
    original, _ = access.get_response_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    if not original.is_submitted:
        raise PermissionDenied
    definition = original.instrument.definition
    form = CorrectionForm(request.POST or None)
    answers = answers_from_post(definition, request.POST) if request.method == "POST" else {}
    error = ""
    if request.method == "POST" and form.is_valid():
        try:
            correction = actions.correct_response(
                original,
                answers,
                reason=form.cleaned_data["reason"],
                acting_user=request.user,
            )
        except InvalidAnswer:
            error = "One of the answers was not one of the choices."
        except actions.AssessmentError as exc:
            error = str(exc)
        else:
            messages.success(request, "Correction saved as a new response.")
            return redirect(correction)
    return render(
        request,
        "assessments/correct.html",
        {
            "original": original,
            "definition": definition,
            "questions": questions_for(definition, answers or original.answers),
            "form": form,
            "error": error,
        },
        status=400 if request.method == "POST" else 200,
    )
