"""Writes of the care team's coordination: posts and mentions, tasks, case-review decisions.

Each is atomic and audited in the same transaction. Audit rows carry codes and counts only,
never the text (which is encrypted before any row is built). A mention's email says only
"You have a new message in OpenIOP" and goes after the commit, once per mention (its
`emailed_at` is the claim).
"""

import logging
import re
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.messaging import case_review, team_access, team_crypto
from openiop.messaging.models import CaseReview, CaseReviewDecision, Mention, TeamPost, TeamTask
from openiop.participants.models import Participant
from openiop.programs.models import Program

logger = logging.getLogger(__name__)

NOTICE = "You have a new message in OpenIOP"


class TaskOwnerNotAllowed(ValueError):
    """The owner is neither on the participant's care team nor staff of their program."""


class DueInThePast(ValueError):
    pass


class NotFlagged(LookupError):
    """The participant is not on this week's case review of the program."""


# Posts and mentions ---------------------------------------------------------------------------


def _mention_patterns(user: User) -> list[str]:
    full = f"{user.given_name} {user.family_name}".strip()
    return [full, f"{user.given_name}{user.family_name}", user.given_name]


def mentioned_users(text: str, participant: Participant, *, author: User) -> list[User]:
    """The people `text` mentions with "@Given Family" (or "@Given" when no one else who sees
    the thread has that given name). Only people who see the thread can be mentioned."""
    candidates = [u for u in team_access.mentionable(participant) if u.pk != author.pk]
    given_counts: dict[str, int] = {}
    for user in candidates:
        key = user.given_name.casefold()
        given_counts[key] = given_counts.get(key, 0) + 1
    found = []
    for user in candidates:
        for name in _mention_patterns(user):
            if not name:
                continue
            if name == user.given_name and given_counts[name.casefold()] > 1:
                continue
            if re.search(rf"(?<![\w@])@{re.escape(name)}(?!\w)", text, re.IGNORECASE):
                found.append(user)
                break
    return found


@transaction.atomic
def add_post(participant: Participant, *, text: str, acting_user: User) -> TeamPost:
    post = TeamPost.objects.create(
        participant=participant,
        author=acting_user,
        ciphertext=team_crypto.encrypt(text),
        created_at=timezone.now(),
    )
    mentions = Mention.objects.bulk_create(
        Mention(post=post, user=user)
        for user in mentioned_users(text, participant, author=acting_user)
    )
    record(
        "messaging.team_post_added",
        acting_user=acting_user,
        participant=participant,
        target=post,
        details={"post": str(post.code), "notified": len(mentions)},
    )
    if mentions:
        ids = [m.pk for m in mentions]
        transaction.on_commit(lambda: email_mentions(ids))
    return post


def email_mentions(mention_ids: list[int]) -> int:
    """Email each mentioned person once; a failure is logged (no text, no address) and the
    in-app notice still stands. Returns how many were sent."""
    sent = 0
    for pk in mention_ids:
        with transaction.atomic():
            mention = (
                Mention.objects.select_for_update(skip_locked=True)
                .select_related("user")
                .filter(pk=pk, emailed_at__isnull=True)
                .first()
            )
            if mention is None or not mention.user.email:
                continue
            try:
                EmailMessage(
                    NOTICE,
                    f"{NOTICE}.\n",
                    settings.DEFAULT_FROM_EMAIL,
                    [mention.user.email],
                    headers={"X-OpenIOP-Idempotency-Key": str(mention.code)},
                ).send()
            except (smtplib.SMTPException, OSError):
                logger.warning("mention email failed", extra={"mention": str(mention.code)})
                continue
            mention.emailed_at = timezone.now()
            mention.save(update_fields=["emailed_at"])
            sent += 1
    return sent


@transaction.atomic
def mark_mentions_seen(participant: Participant, *, acting_user: User) -> int:
    """The user opened the thread: their mentions in it are no longer new."""
    seen = Mention.objects.filter(
        user=acting_user, post__participant=participant, seen_at__isnull=True
    ).update(seen_at=timezone.now())
    if seen:
        record(
            "messaging.mentions_seen",
            acting_user=acting_user,
            participant=participant,
            details={"number": seen},
        )
    return seen


# Tasks ----------------------------------------------------------------------------------------


@transaction.atomic
def add_task(
    participant: Participant,
    *,
    title: str,
    owner: User,
    due_at: datetime,
    note: str = "",
    acting_user: User,
) -> TeamTask:
    """A due time before now is refused: a task born overdue is a typo (a past date), and an
    overdue list that starts full stops being read."""
    if not team_access.may_own_task(owner, participant):
        raise TaskOwnerNotAllowed
    now = timezone.now()
    if due_at < now:
        raise DueInThePast
    task = TeamTask.objects.create(
        participant=participant,
        title=title,
        note_ciphertext=team_crypto.encrypt(note) or None,
        owner=owner,
        due_at=due_at,
        created_by=acting_user,
        created_at=now,
    )
    record(
        "messaging.task_added",
        acting_user=acting_user,
        participant=participant,
        target=task,
        details={"task": str(task.code), "user": str(owner.code), "to": due_at.isoformat()},
    )
    return task


@transaction.atomic
def set_task_status(task: TeamTask, *, done: bool, acting_user: User) -> TeamTask:
    locked = TeamTask.objects.select_for_update().get(pk=task.pk)
    status = TeamTask.Status.DONE if done else TeamTask.Status.OPEN
    if locked.status == status:
        return locked
    locked.status = status
    locked.done_at = timezone.now() if done else None
    locked.done_by = acting_user if done else None
    locked.save(update_fields=["status", "done_at", "done_by"])
    record(
        "messaging.task_done" if done else "messaging.task_reopened",
        acting_user=acting_user,
        participant=locked.participant,
        target=locked,
        details={"task": str(locked.code), "status": status},
    )
    return locked


# Case review ----------------------------------------------------------------------------------


@transaction.atomic
def record_decision(
    program: Program, participant: Participant, *, text: str, acting_user: User
) -> CaseReviewDecision:
    """Record this week's decision about a flagged participant of `program` (NotFlagged
    otherwise: another program's, discharged, or nothing flags them this week)."""
    now = timezone.now()
    flags = case_review.flags_for(program, participant, now)
    if not flags:
        raise NotFlagged
    monday = case_review.week_start(case_review.program_today(program, now))
    review, _ = CaseReview.objects.get_or_create(
        program=program, week_of=monday, defaults={"created_at": now}
    )
    decision = CaseReviewDecision.objects.create(
        review=review,
        participant=participant,
        flags=flags,
        ciphertext=team_crypto.encrypt(text),
        decided_by=acting_user,
        decided_at=now,
    )
    record(
        "messaging.case_review_decided",
        acting_user=acting_user,
        participant=participant,
        target=decision,
        details={
            "case_review": str(review.code),
            "program": str(program.code),
            "reason": flags,
            "date": monday.isoformat(),
        },
    )
    return decision
