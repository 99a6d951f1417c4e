"""The care team's pages: a participant's team page (thread, tasks, case-review decisions),
"My tasks", and the program's weekly case review. Thin: access → validate → action → respond."""

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.http import AuthedRequest
from openiop.messaging import case_review, team_access, team_actions, team_queries
from openiop.messaging.team_forms import DecisionForm, PostForm, TaskForm, TaskStatusForm
from openiop.participants.models import Participant
from openiop.participants.zones import viewer_zone


def _task_form(request: AuthedRequest, participant: Participant, data: Any = None) -> TaskForm:
    return TaskForm(
        data,
        participant=participant,
        owners=team_access.possible_owners(participant),
        zone=viewer_zone(request.user),
        prefix="task",
    )


def _team_page(
    request: AuthedRequest,
    participant: Participant,
    *,
    can_write: bool,
    post_form: PostForm | None = None,
    task_form: TaskForm | None = None,
    status: int = 200,
) -> HttpResponse:
    open_tasks, done_tasks = team_queries.chart_tasks(participant)
    page = team_queries.thread(participant, request.user, before=request.GET.get("before"))
    return render(
        request,
        "messaging/team/team.html",
        {
            "participant": participant,
            "can_write": can_write,
            "page": page,
            "page_view": uuid.uuid4().hex,
            "open_tasks": open_tasks,
            "done_tasks": done_tasks,
            "now": timezone.now(),
            "decisions": case_review.chart_decisions(participant),
            "mentionable": team_access.mentionable(participant).order_by("given_name"),
            "post_form": post_form or PostForm(prefix="post"),
            "task_form": task_form or _task_form(request, participant),
        },
        status=status,
    )


@require_GET
@login_required
def team(request: AuthedRequest, code: str) -> HttpResponse:
    participant, access = team_access.get_team_for_user(request.user, code)
    team_actions.mark_mentions_seen(participant, acting_user=request.user)
    return _team_page(request, participant, can_write=access == team_access.Access.WRITE)


@require_GET
@login_required
def new_posts(request: AuthedRequest, code: str) -> HttpResponse:
    """Polled by the team page (htmx, every 20 s): the posts after `after`, and the poller
    that asks for the ones after them; 204 (nothing to swap) when there are none, so an idle
    thread costs a few hundred bytes a poll."""
    participant = team_access.get_team_for_poll(request.user, code)
    after = request.GET.get("after", "")
    if after == "start":  # the thread was empty when the page was drawn
        posts: list[team_queries.ShownPost] | None = team_queries.thread(
            participant, request.user
        ).posts
    else:
        posts = team_queries.posts_after(participant, request.user, after) if after else None
    if not posts:
        return HttpResponse(status=204)
    view = request.GET.get("view", "")[:64]
    team_access.record_poll_read(request.user, participant, view)
    return render(
        request,
        "messaging/team/_new_posts.html",
        {"participant": participant, "posts": posts, "page_view": view},
    )


@require_POST
@login_required
def add_post(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = team_access.get_team_for_user(request.user, code, write=True)
    form = PostForm(request.POST, prefix="post")
    if not form.is_valid():
        return _team_page(request, participant, can_write=True, post_form=form, status=400)
    post = team_actions.add_post(
        participant, text=form.cleaned_data["text"], acting_user=request.user
    )
    messages.success(request, "Posted to the team.")
    return redirect(reverse("messaging:team", args=[participant.code]) + f"#post-{post.code}")


@require_POST
@login_required
def add_task(request: AuthedRequest, code: str) -> HttpResponse:
    participant, _ = team_access.get_team_for_user(request.user, code, write=True)
    form = _task_form(request, participant, request.POST)
    if form.is_valid():
        try:
            team_actions.add_task(
                participant,
                title=form.cleaned_data["title"],
                owner=form.cleaned_data["owner"],
                due_at=form.cleaned_data["due_at"],
                note=form.cleaned_data["note"],
                acting_user=request.user,
            )
        except team_actions.TaskOwnerNotAllowed:
            form.add_error("owner", "Choose someone on the care team or in the program.")
        except team_actions.DueInThePast:
            form.add_error("due_at", "The due time has passed: choose a later one.")
        else:
            messages.success(request, "Task added.")
            return redirect(reverse("messaging:team", args=[participant.code]) + "#tasks")
    return _team_page(request, participant, can_write=True, task_form=form, status=400)


@require_POST
@login_required
def task_status(request: AuthedRequest, code: str) -> HttpResponse:
    task = team_access.get_task_for_user(request.user, code)
    form = TaskStatusForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose done or open.", status=400, content_type="text/plain")
    team_actions.set_task_status(
        task, done=form.cleaned_data["status"] == "done", acting_user=request.user
    )
    messages.success(
        request, "Task done." if form.cleaned_data["status"] == "done" else "Task reopened."
    )
    if form.cleaned_data["back"] == "mine":
        return redirect("messaging:my_tasks")
    return redirect(reverse("messaging:team", args=[task.participant.code]) + "#tasks")


@require_GET
@login_required
def my_tasks(request: AuthedRequest) -> HttpResponse:
    if not request.user.is_staff_member:
        raise Http404
    now = timezone.now()
    return render(
        request,
        "messaging/team/my_tasks.html",
        {
            "tasks": team_queries.my_tasks(request.user, now),
            "mentions": team_queries.unseen_mentions(
                request.user, team_access.team_participants(request.user)
            ),
            "now": now,
        },
    )


@require_GET
@login_required
def case_review_index(request: AuthedRequest) -> HttpResponse:
    programs = list(team_access.review_programs(request.user))
    if not programs:
        raise Http404
    if len(programs) == 1:
        return redirect("messaging:case_review", programs[0].code)
    return render(request, "messaging/team/case_review_index.html", {"programs": programs})


def _review_page(
    request: AuthedRequest, program: Any, *, form_for: str = "", form: Any = None, status: int = 200
) -> HttpResponse:
    review = case_review.weekly_review(program, timezone.now())
    return render(
        request,
        "messaging/team/case_review.html",
        {
            "review": review,
            "form_for": form_for,
            "bad_form": form,
            "team_codes": set(
                team_access.team_participants(request.user)
                .filter(pk__in=[f.participant.pk for f in review.flagged])
                .values_list("code", flat=True)
            ),
        },
        status=status,
    )


@require_GET
@login_required
def case_review_page(request: AuthedRequest, code: str) -> HttpResponse:
    program = team_access.get_program_for_review(request.user, code, read=True)
    return _review_page(request, program)


@require_POST
@login_required
def decide(request: AuthedRequest, code: str, participant_code: str) -> HttpResponse:
    program = team_access.get_program_for_review(request.user, code)
    try:
        participant = Participant.objects.get(code=participant_code, program=program)
    except (Participant.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    form = DecisionForm(request.POST)
    if not form.is_valid():
        return _review_page(request, program, form_for=str(participant.code), form=form, status=400)
    try:
        team_actions.record_decision(
            program, participant, text=form.cleaned_data["text"], acting_user=request.user
        )
    except team_actions.NotFlagged as exc:
        raise Http404 from exc
    messages.success(request, "Decision recorded.")
    return redirect(
        reverse("messaging:case_review", args=[program.code]) + f"#p-{participant.code}"
    )
