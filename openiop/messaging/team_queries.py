"""Reads of the care team's pages, each a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, IntegerField, QuerySet, Value, When

from openiop.accounts.models import User
from openiop.messaging import team_crypto
from openiop.messaging.models import Mention, TeamPost, TeamTask
from openiop.participants.models import Participant

POSTS_PER_PAGE = 50
DONE_SHOWN = 20


@dataclass
class ShownPost:
    code: str
    author: str
    created_at: datetime
    text: str
    mentions_me: bool


@dataclass
class ThreadPage:
    posts: list[ShownPost]  # oldest first
    older: str | None  # the `before` code of the next older page, if any


def thread(participant: Participant, viewer: User, *, before: str | None = None) -> ThreadPage:
    """The newest POSTS_PER_PAGE posts (or those before the post `before`), oldest first:
    two queries however long the thread."""
    posts = TeamPost.objects.filter(participant=participant)
    if before:
        anchor = posts.filter(code=before).values("created_at", "pk").first()
        if anchor is not None:
            posts = posts.filter(created_at__lte=anchor["created_at"]).exclude(
                created_at=anchor["created_at"], pk__gte=anchor["pk"]
            )
    rows = list(posts.select_related("author").order_by("-created_at", "-pk")[: POSTS_PER_PAGE + 1])
    older = str(rows[POSTS_PER_PAGE - 1].code) if len(rows) > POSTS_PER_PAGE else None
    rows = rows[:POSTS_PER_PAGE]
    mine = set(
        Mention.objects.filter(post__in=[r.pk for r in rows], user=viewer).values_list(
            "post_id", flat=True
        )
    )
    shown = [
        ShownPost(
            code=str(r.code),
            author=r.author.display_name,
            created_at=r.created_at,
            text=team_crypto.decrypt(r.ciphertext),
            mentions_me=r.pk in mine,
        )
        for r in reversed(rows)
    ]
    return ThreadPage(shown, older)


def posts_after(participant: Participant, viewer: User, after: str) -> list[ShownPost] | None:
    """Posts newer than the post `after` (at most a page), oldest first; None when `after` is
    not a post of this thread. Two queries."""
    anchor = (
        TeamPost.objects.filter(participant=participant, code=after)
        .values("created_at", "pk")
        .first()
    )
    if anchor is None:
        return None
    rows = list(
        TeamPost.objects.filter(participant=participant, created_at__gte=anchor["created_at"])
        .exclude(pk=anchor["pk"])
        .exclude(created_at=anchor["created_at"], pk__lt=anchor["pk"])
        .select_related("author")
        .order_by("created_at", "pk")[:POSTS_PER_PAGE]
    )
    mine = (
        set(
            Mention.objects.filter(post__in=[r.pk for r in rows], user=viewer).values_list(
                "post_id", flat=True
            )
        )
        if rows
        else set()
    )
    return [
        ShownPost(
            code=str(r.code),
            author=r.author.display_name,
            created_at=r.created_at,
            text=team_crypto.decrypt(r.ciphertext),
            mentions_me=r.pk in mine,
        )
        for r in rows
    ]


def _with_notes(tasks: QuerySet[TeamTask]) -> list[TeamTask]:
    rows = list(tasks)
    for task in rows:
        task.note = team_crypto.decrypt(task.note_ciphertext)  # type: ignore[attr-defined]
    return rows


def chart_tasks(participant: Participant) -> tuple[list[TeamTask], list[TeamTask]]:
    """Open tasks by due time, and the most recently done (two queries)."""
    base = TeamTask.objects.filter(participant=participant).select_related("owner")
    open_tasks = _with_notes(base.filter(status=TeamTask.Status.OPEN).order_by("due_at", "pk"))
    done = _with_notes(
        base.filter(status=TeamTask.Status.DONE).order_by("-done_at", "-pk")[:DONE_SHOWN]
    )
    return open_tasks, done


def my_tasks(user: User, now: datetime) -> list[TeamTask]:
    """The user's open tasks, overdue first, then by due time (one query)."""
    return list(
        TeamTask.objects.filter(owner=user, status=TeamTask.Status.OPEN)
        .select_related("participant")
        .annotate(
            overdue=Case(
                When(due_at__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("overdue", "due_at", "pk")
    )


def unseen_mentions(user: User, participants: QuerySet[Participant]) -> list[Mention]:
    """Mentions of the user not yet seen, in threads they may still open (one query)."""
    return list(
        Mention.objects.filter(user=user, seen_at__isnull=True, post__participant__in=participants)
        .select_related("post__participant", "post__author")
        .order_by("-post__created_at", "-pk")[:50]
    )
