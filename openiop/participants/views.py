from typing import Any

from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.participants import access, actions, queries
from openiop.participants.forms import (
    STALE_EDIT_MESSAGE,
    BreakGlassForm,
    CareTeamMemberForm,
    DuplicateForm,
    EditParticipantForm,
    EmergencySearchForm,
    NewParticipantForm,
)
from openiop.participants.matching import RULE_LABELS, Person

CASELOAD_PAGE_SIZE = 50
CASELOAD_COLUMNS = (
    "code",
    "given_name",
    "preferred_name",
    "family_name",
    "pronouns",
    "home_state",
    "program__name",
)
REPORT_PAGE_SIZE = 50
TOO_MANY_ATTEMPTS = "Too many attempts to sign in again. Wait a minute, then try once more."


@require_GET
@login_required
def caseload(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    participants = (
        access.visible_participants(request.user)
        .select_related("program")
        # What the table shows: the rest (phone numbers parsed, dates) cost ~15% of the page.
        .only(*CASELOAD_COLUMNS)
        .order_by("family_name", "given_name", "id")
    )
    page = Paginator(participants, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "participants/caseload.html",
        {
            "page": page,
            "can_create": access.can_create_participants(request.user),
            "may_break_glass": access.may_break_glass(request.user),
            "can_review_break_glass": access.can_review_break_glass(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def new(request: AuthedRequest) -> HttpResponse:
    if not access.can_create_participants(request.user):
        raise Http404
    programs = access.programs_for_new_participants(request.user)
    form = NewParticipantForm(request.POST or None, programs=programs)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        program = fields.pop("program")
        matches = access.possible_duplicates(request.user, Person.of(fields), program)
        linkable = [m for m in matches if m.visible]
        duplicate = (
            DuplicateForm(request.POST, matches=matches, linkable=linkable)
            if "duplicate-hidden" in request.POST
            else None
        )
        answer = duplicate.answer() if duplicate is not None and duplicate.is_valid() else None
        try:
            participant, created = actions.add_participant(
                program=program, fields=fields, answer=answer, acting_user=request.user
            )
        except actions.PossibleDuplicates as exc:
            if duplicate is None or answer is not None:
                duplicate = DuplicateForm(matches=exc.matches, linkable=linkable)
            shown = [m for m in exc.matches if m.visible]
            access.record_duplicates_shown(request.user, shown)
            context.update(
                {
                    "duplicate_form": duplicate,
                    "duplicate_program": program,
                    "duplicates": [
                        {
                            "participant": m.participant,
                            "status": "Discharged" if m.participant.discharged_at else "Open",
                            "rules": [RULE_LABELS[r] for r in m.rules],
                            "linkable": True,
                        }
                        for m in shown
                    ],
                    "hidden_duplicates": len(exc.matches) - len(shown),
                }
            )
            return render(request, "participants/new.html", context, status=409)
        if created:
            messages.success(request, "Participant added.")
        else:
            messages.success(request, "No new chart was made: this is the person's chart.")
        return redirect(participant)
    status = 400 if form.is_bound else 200
    return render(request, "participants/new.html", context, status=status)


@require_GET
@login_required
def chart(request: AuthedRequest, code: str) -> HttpResponse:
    participant, chart_access = access.get_participant_for_user(request.user, code)
    care_team = participant.care_team.select_related("clinician").order_by("added_at")
    can_manage = access.can_manage_care_team(request.user, participant)
    return render(
        request,
        "participants/chart.html",
        {
            "participant": participant,
            "break_glass": access.grant_in_use(request.user, participant),
            "care_team": care_team,
            "can_write": chart_access == access.Access.WRITE,
            "can_manage_team": can_manage,
            "team_form": CareTeamMemberForm(participant=participant) if can_manage else None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def edit(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = access.get_participant_for_user(
        request.user, code, write=True, read=request.method == "GET"
    )
    if request.method == "POST":
        form = EditParticipantForm(request.POST, instance=participant)
        if form.is_valid():
            fields = {k: v for k, v in form.cleaned_data.items() if k != "version"}
            try:
                actions.update_participant(
                    participant,
                    fields=fields,
                    expected_version=form.cleaned_data["version"],
                    acting_user=request.user,
                )
            except actions.StaleEdit:
                form.add_error(None, STALE_EDIT_MESSAGE)
            else:
                messages.success(request, "Chart updated.")
                return redirect(participant)
        return render(
            request,
            "participants/edit.html",
            {"form": form, "participant": participant},
            status=400,
        )
    form = EditParticipantForm(instance=participant, initial={"version": participant.version})
    return render(request, "participants/edit.html", {"form": form, "participant": participant})


@require_POST
@login_required
def add_care_team_member(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = access.get_participant_for_user(request.user, code, write=True)
    if not access.can_manage_care_team(request.user, participant):
        raise PermissionDenied
    form = CareTeamMemberForm(request.POST, participant=participant)
    if not form.is_valid():
        messages.error(request, "Choose a clinician of this program and a role.")
        return redirect(participant)
    actions.add_care_team_member(
        participant,
        clinician=form.cleaned_data["clinician"],
        role=form.cleaned_data["role"],
        can_write=form.cleaned_data["can_write"],
        acting_user=request.user,
    )
    messages.success(request, "Care team updated.")
    return redirect(participant)


@require_POST
@login_required
def remove_care_team_member(request: AuthedRequest, code: str, member_code: str) -> HttpResponse:
    member = access.get_care_team_member_for_user(request.user, code, member_code)
    participant = member.participant
    actions.remove_care_team_member(member, acting_user=request.user)
    messages.success(request, "Care team updated.")
    return redirect(participant)


@require_GET
@login_required
def record_access(request: AuthedRequest) -> HttpResponse:
    """ "Who has seen my record": the participant's own view of chart reads by staff."""
    participant = access.own_chart(request.user)
    return render(
        request,
        "participants/record_access.html",
        {"participant": participant, "views": queries.chart_views_by_staff(participant)},
    )


@require_GET
@login_required
def duplicate_decisions(request: AuthedRequest) -> HttpResponse:
    """The review list of "different person" decisions (docs/intake.md)."""
    rows = access.duplicate_decisions_for_user(request.user)
    page = Paginator(rows, CASELOAD_PAGE_SIZE).get_page(request.GET.get("page"))
    charts = {d.chart_id for d in page} | {d.compared_id for d in page}
    visible = set(
        access.visible_participants(request.user).filter(pk__in=charts).values_list("pk", flat=True)
    )
    return render(
        request,
        "participants/duplicate_decisions.html",
        {
            "page": page,
            "visible": visible,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def emergency_access(request: AuthedRequest) -> HttpResponse:
    """Find a chart of one's programs for break-the-glass. A POST, so that names and dates of
    birth never sit in an address (server logs, browser history)."""
    access.require_break_glass(request.user)
    form = EmergencySearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        results = access.find_for_emergency(
            request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            code=data["chart_code"],
        )
    return render(
        request,
        "participants/emergency_access.html",
        {
            "form": form,
            "results": results,
            "live_grants": access.live_grants_of(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


@require_http_methods(["GET", "POST"])
@login_required
def break_glass(request: AuthedRequest, code: str) -> HttpResponse:
    participant = access.get_emergency_candidate(request.user, code)
    if participant.already_open or access.live_grant(request.user, participant):  # type: ignore[attr-defined]
        return redirect(participant)
    form = BreakGlassForm(request.POST or None, user=request.user)
    context = {
        "form": form,
        "participant": participant,
        "minutes": settings.OPENIOP_BREAK_GLASS_MINUTES,
    }
    if request.method == "GET":
        return render(request, "participants/break_glass.html", context)
    # Password guesses through this form count against the same limit as allauth's own
    # re-authentication page.
    if not ratelimit.consume(request, action="reauthenticate", user=request.user):
        actions.refuse_break_glass(participant, fields=["rate_limit"], acting_user=request.user)
        form = BreakGlassForm(initial={"reason": request.POST.get("reason", "")}, user=request.user)
        context.update(form=form, rate_limited=TOO_MANY_ATTEMPTS)
        return render(request, "participants/break_glass.html", context, status=429)
    if not form.is_valid():
        actions.refuse_break_glass(participant, fields=list(form.errors), acting_user=request.user)
        return render(request, "participants/break_glass.html", context, status=400)
    grant = actions.break_glass(
        participant, reason=form.cleaned_data["reason"], acting_user=request.user
    )
    messages.warning(
        request,
        "Emergency access is on. The privacy officer has been told, and every page you open "
        "is recorded.",
    )
    return redirect(grant.participant)


@require_POST
@login_required
def end_break_glass(request: AuthedRequest, code: str) -> HttpResponse:
    grant = access.get_grant_for_user(request.user, code)
    if actions.end_break_glass(grant, acting_user=request.user):
        messages.success(request, "Emergency access ended.")
    else:
        messages.info(request, "That emergency access had already ended.")
    return redirect("participants:emergency_access")


@require_GET
@login_required
def emergency_access_report(request: AuthedRequest) -> HttpResponse:
    access.review_break_glass(request.user)
    page = Paginator(queries.break_glass_report(), REPORT_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "participants/emergency_access_report.html", {"page": page})
