"""Reads for the peer-space pages: pages of threads and replies in a constant number of
queries whatever the space's size, with each author's display name."""

import uuid
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from openiop.accounts.models import User
from openiop.community.access import Role, Seat
from openiop.community.actions import decrypt
from openiop.community.models import Member, Post, Report, Space
from openiop.participants.models import Participant
from openiop.programs.models import GroupFacilitator
from openiop.scheduling.models import Enrollment

THREADS_PER_PAGE = 20
REPLIES_PER_PAGE = 50
# How often open pages ask for new posts (htmx polling): often enough to feel live, rare
# enough for a slow link (a page of threads is a few kilobytes).
POLL_SECONDS = 20


@dataclass
class Shown:
    post: Post
    text: str
    author: str
    is_staff: bool
    reply_count: int = 0


def staff_labels(space: Space) -> dict[int, str]:
    """Moderators' names as members see them: name and role in the group."""
    return {
        role.clinician_id: f"{role.clinician.given_name} {role.clinician.family_name}, "
        f"{role.get_role_display()}"
        for role in GroupFacilitator.objects.filter(group_id=space.group_id).select_related(
            "clinician"
        )
    }


def author_label(post: Post, labels: dict[int, str]) -> str:
    participant = getattr(post.author, "participant", None)
    if participant is not None:
        return participant.short_name
    return labels.get(post.author_id) or post.author.given_name


def shown(posts: list[Post], labels: dict[int, str]) -> list[Shown]:
    return [
        Shown(
            post=post,
            text=decrypt(post),
            author=author_label(post, labels),
            is_staff=post.author.is_staff_member,
            reply_count=getattr(post, "reply_count", 0),
        )
        for post in posts
    ]


def visible_to(seat: Seat, user: User) -> Q:
    if seat.role in (Role.MODERATOR, Role.OVERSEER):
        return Q()
    return Q(status=Post.Status.VISIBLE) | Q(status=Post.Status.HELD, author=user)


def _with_authors(qs: QuerySet[Post]) -> QuerySet[Post]:
    return qs.select_related("author__participant")


def _visible_replies() -> Coalesce:
    counted = (
        Post.objects.filter(parent=OuterRef("pk"), status=Post.Status.VISIBLE)
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def threads_page(seat: Seat, user: User, number: str | None) -> tuple[Page, list[Shown]]:
    """A page of threads, latest activity first, with their visible replies counted."""
    threads = (
        _with_authors(Post.objects.filter(space=seat.space, parent__isnull=True))
        .filter(visible_to(seat, user))
        # A subquery, not a join and GROUP BY: counted for the page's rows only.
        .annotate(reply_count=_visible_replies())
        .order_by("-last_activity_at", "-id")
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(number)
    return page, shown(list(page.object_list), staff_labels(seat.space))


def replies_page(
    seat: Seat, user: User, thread: Post, number: str | None
) -> tuple[Page, list[Shown]]:
    replies = (
        _with_authors(Post.objects.filter(parent=thread))
        .filter(visible_to(seat, user))
        .order_by("created_at", "id")
    )
    page = Paginator(replies, REPLIES_PER_PAGE).get_page(number)
    return page, shown(list(page.object_list), staff_labels(seat.space))


@dataclass
class Reported:
    shown: Shown
    reasons: list[str]


def moderation_queue(space: Space) -> tuple[list[Shown], list[Reported]]:
    """Held posts, and posts with open reports (their reasons), oldest first; 50 of each."""
    labels = staff_labels(space)
    held = _with_authors(Post.objects.filter(space=space, status=Post.Status.HELD)).order_by(
        "created_at"
    )[:50]
    reports = (
        Report.objects.filter(post__space=space, resolved_at__isnull=True)
        .select_related("post__author__participant")
        .order_by("created_at")[:200]
    )
    by_post: dict[int, Reported] = {}
    for report in reports:
        entry = by_post.get(report.post_id)
        if entry is None:
            if len(by_post) == 50:
                continue
            entry = by_post[report.post_id] = Reported(shown([report.post], labels)[0], [])
        entry.reasons.append(report.get_reason_display())
    return shown(list(held), labels), list(by_post.values())


@dataclass
class Listed:
    participant: Participant
    removed: bool


def members(space: Space) -> list[Listed]:
    """The space's participant members (a removed one marked), for moderators."""
    rows = {m.user_id: m for m in Member.objects.filter(space=space)}
    if space.is_alumni:
        user_ids = [uid for uid, m in rows.items() if m.alumnus_since is not None]
        people = Participant.objects.filter(user_id__in=user_ids)
    else:
        people = Participant.objects.filter(
            pk__in=Enrollment.objects.filter(
                group_id=space.group_id, status=Enrollment.Status.SEATED
            ).values("participant_id"),
            discharged_at__isnull=True,
        )
    listed = []
    for person in people.order_by("given_name", "family_name"):
        row = rows.get(person.user_id) if person.user_id is not None else None
        listed.append(Listed(person, bool(row and row.removed_at)))
    return listed


def get_member(space: Space, participant_code: uuid.UUID) -> Participant:
    """A participant member of the space, for a moderator's form; 404 for anyone else."""
    for listed in members(space):
        if listed.participant.code == participant_code:
            return listed.participant
    raise Http404
