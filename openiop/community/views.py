"""Peer-space pages: access → validate → action → respond (docs/community.md)."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from openiop.accounts.models import User
from openiop.community import access, actions, queries
from openiop.community.access import Role, Seat
from openiop.community.forms import ModerateForm, PostForm, ReportForm, ToggleForm
from openiop.community.models import Post
from openiop.programs import access as programs
from openiop.scheduling.models import Enrollment


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.role == User.Role.PARTICIPANT:
        participant = access.own_participant(user)
        if participant is not None:
            # Spaces and alumni memberships are made on first need (actions module doc).
            seated = Enrollment.objects.filter(
                participant=participant, status=Enrollment.Status.SEATED
            ).select_related("group")
            for enrollment in seated:
                actions.ensure_spaces(enrollment.group, acting_user=user)
            actions.admit_alumni(participant, acting_user=user)
    elif user.role in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR):
        for group in programs.facilitated_groups(user):
            actions.ensure_spaces(group, acting_user=user)
    else:
        raise Http404
    spaces = access.visible_spaces(user).order_by("group__name", "kind")
    return render(request, "community/index.html", {"spaces": spaces})


def _space_page(
    request: HttpRequest,
    seat: Seat,
    *,
    form: PostForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    page, threads = queries.threads_page(seat, user, request.GET.get("page"))
    context = {
        "seat": seat,
        "space": seat.space,
        "page": page,
        "threads": threads,
        "poll_seconds": queries.POLL_SECONDS,
    }
    if _is_htmx(request):
        return render(request, "community/_threads.html", context)
    context.update(
        form=form or PostForm(),
        refusal=refusal or (actions.why_not_post(seat) if seat.may_post else None),
    )
    return render(request, "community/space.html", context, status=status)


@require_GET
@login_required
def space(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    seat = access.get_space(_user(request), code, reading=True)
    if seat.role == Role.MEMBER and not seat.rules_accepted:
        return render(request, "community/rules.html", {"space": seat.space})
    return _space_page(request, seat)


@require_POST
@login_required
def accept_rules(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    seat = access.get_space_to_post(_user(request), code)
    actions.accept_rules(seat, acting_user=_user(request))
    return redirect("community:space", seat.space.code)


@require_POST
@login_required
def new_thread(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = _user(request)
    seat = access.get_space_to_post(user, code)
    form = PostForm(request.POST)
    if not form.is_valid():
        return _space_page(request, seat, form=form, status=400)
    try:
        post = actions.write_post(seat, text=form.cleaned_data["text"], acting_user=user)
    except actions.CannotPost as refused:
        return _space_page(request, seat, form=form, refusal=refused.message, status=403)
    return _after_post(request, post)


def _after_post(request: HttpRequest, post: Post) -> HttpResponse:
    if post.status == Post.Status.HELD:
        return redirect("community:thread", post.thread_code)
    if post.parent is not None:
        return redirect("community:thread", post.parent.code)
    return redirect("community:space", post.space.code)


def _thread_page(
    request: HttpRequest,
    thread: Post,
    seat: Seat,
    *,
    form: PostForm | None = None,
    refusal: str | None = None,
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    page, replies = queries.replies_page(seat, user, thread, request.GET.get("page"))
    first = queries.shown([thread], queries.staff_labels(seat.space))[0]
    context = {
        "seat": seat,
        "space": seat.space,
        "thread": first,
        "page": page,
        "replies": replies,
        "poll_seconds": queries.POLL_SECONDS,
        "reasons": ReportForm().fields["reason"].choices,  # type: ignore[attr-defined]
    }
    if _is_htmx(request):
        return render(request, "community/_replies.html", context)
    held = [p for p in [first, *replies] if p.post.status == Post.Status.HELD]
    context.update(
        form=form or PostForm(),
        refusal=refusal or (actions.why_not_post(seat, thread) if seat.may_post else None),
        held_for_me=any(p.post.author_id == user.pk for p in held),
    )
    return render(request, "community/thread.html", context, status=status)


@require_GET
@login_required
def thread(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    post, seat = access.get_post(_user(request), code, reading=True)
    if post.parent is not None:
        return redirect("community:thread", post.parent.code)
    if seat.role == Role.MEMBER and not seat.rules_accepted:
        return render(request, "community/rules.html", {"space": seat.space})
    return _thread_page(request, post, seat)


@require_POST
@login_required
def reply(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = _user(request)
    parent, seat = access.get_post(user, code)
    if parent.parent is not None:
        raise Http404
    if not seat.may_post:
        raise PermissionDenied
    form = PostForm(request.POST)
    if not form.is_valid():
        return _thread_page(request, parent, seat, form=form, status=400)
    try:
        post = actions.write_post(
            seat, text=form.cleaned_data["text"], acting_user=user, parent=parent
        )
    except actions.CannotPost as refused:
        return _thread_page(request, parent, seat, form=form, refusal=refused.message, status=403)
    return _after_post(request, post)


@require_POST
@login_required
def report(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = _user(request)
    post, seat = access.get_post(user, code)
    if not seat.may_post:
        raise PermissionDenied
    form = ReportForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose why you are reporting this post."))
    else:
        actions.report_post(post, reason=form.cleaned_data["reason"], acting_user=user)
        messages.success(request, _("Thank you. A moderator will look at it."))
    return redirect("community:thread", post.thread_code)


@require_GET
@login_required
def moderation(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    seat = access.get_space_to_moderate(_user(request), code, reading=True)
    held, reported = queries.moderation_queue(seat.space)
    return render(
        request,
        "community/moderation.html",
        {
            "seat": seat,
            "space": seat.space,
            "held": held,
            "reported": reported,
            "members": queries.members(seat.space),
        },
    )


@require_POST
@login_required
def moderate(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = _user(request)
    post, seat = access.get_post_to_moderate(user, code)
    form = ModerateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose what to do with the post.")
        return redirect("community:moderation", seat.space.code)
    action = form.cleaned_data["action"]
    if action in ("lock", "unlock"):
        if post.parent is not None:
            raise Http404
        actions.lock_thread(post, locked=action == "lock", acting_user=user)
        return redirect("community:thread", post.code)
    actions.moderate_post(post, action=action, acting_user=user)
    if request.POST.get("next") == "thread":
        return redirect("community:thread", post.thread_code)
    return redirect("community:moderation", seat.space.code)


@require_POST
@login_required
def lock_space(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    user = _user(request)
    seat = access.get_space_to_moderate(user, code)
    form = ToggleForm(request.POST)
    if form.is_valid():
        actions.lock_space(seat.space, locked=form.cleaned_data["on"], acting_user=user)
    return redirect("community:moderation", seat.space.code)


@require_POST
@login_required
def remove_member(
    request: HttpRequest, code: uuid.UUID, participant_code: uuid.UUID
) -> HttpResponse:
    user = _user(request)
    seat = access.get_space_to_moderate(user, code)
    participant = queries.get_member(seat.space, participant_code)
    form = ToggleForm(request.POST)
    if form.is_valid():
        actions.remove_member(
            seat.space, participant, removed=form.cleaned_data["on"], acting_user=user
        )
    return redirect("community:moderation", seat.space.code)


@require_GET
@login_required
def review(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    post, seat = access.get_post_to_review(_user(request), code)
    labels = queries.staff_labels(post.space)
    return render(
        request,
        "community/review.html",
        {
            "seat": seat,
            "space": post.space,
            "item": queries.shown([post], labels)[0],
            "may_moderate": seat is not None and seat.is_moderator,
        },
    )
