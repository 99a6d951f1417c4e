"""Every write in a peer space, each with its audit event (no post text in any of them).

Alumni memberships are made by `admit_alumni`: for each group a discharged participant was
seated in (an enrollment with a seat, now ended), an alumni `Member` row. It runs when the
participant opens the peer spaces and from `manage.py admit_alumni` (nightly), so nothing in
the discharge app needs to know about this one (it sits below).
"""

from datetime import timedelta

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from openiop.accounts.encryption import keyring
from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.community.access import Role, Seat
from openiop.community.models import Member, Post, Report, Retention, Space
from openiop.participants.models import Participant
from openiop.programs.models import Group, Program
from openiop.safety.actions import raise_crisis_language_alert
from openiop.safety.crisis_language import has_crisis_language
from openiop.scheduling.models import Enrollment

MAX_LENGTH = 10_000


class CannotPost(Exception):
    """Why a post or reply was refused, in words for the person who wrote it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


REMOVED = _(
    "A moderator removed you from this space, so you cannot post here. "
    "Your care team can tell you more."
)
SPACE_LOCKED = _("This space is locked: no new posts for now.")
THREAD_LOCKED = _("This conversation is locked: no new replies.")
RULES_FIRST = _("Please read and accept the group rules before posting.")


def encrypt(text: str) -> str:
    return keyring().encrypt(text)


def decrypt(post: Post) -> str:
    return keyring().decrypt(post.ciphertext)


def _group_details(space: Space) -> dict[str, str]:
    return {"group": str(space.group.code), "kind": space.kind}


@transaction.atomic
def ensure_spaces(group: Group, *, acting_user: User | None) -> list[Space]:
    """The group's two spaces, made on first need."""
    spaces = []
    for kind in (Space.Kind.GROUP, Space.Kind.ALUMNI):
        space, created = Space.objects.get_or_create(group=group, kind=kind)
        if created:
            record(
                "community.space_created",
                acting_user=acting_user,
                target=space,
                details=_group_details(space),
            )
        spaces.append(space)
    return spaces


@transaction.atomic
def admit_alumni(participant: Participant, *, acting_user: User | None) -> list[Member]:
    """Alumni memberships for a discharged participant: one per group they had a seat in."""
    if participant.discharged_at is None or participant.user_id is None:
        return []
    group_ids = (
        Enrollment.objects.filter(
            participant=participant, status=Enrollment.Status.ENDED, seated_at__isnull=False
        )
        .values_list("group_id", flat=True)
        .distinct()
    )
    admitted = []
    for group in Group.objects.filter(pk__in=list(group_ids)):
        _, alumni = ensure_spaces(group, acting_user=acting_user)
        member, created = Member.objects.get_or_create(
            space=alumni,
            user_id=participant.user_id,
            defaults={"alumnus_since": participant.discharged_at},
        )
        if not created and member.alumnus_since is not None:
            continue
        if not created:
            member.alumnus_since = participant.discharged_at
            member.save(update_fields=["alumnus_since"])
        record(
            "community.alumnus_admitted",
            acting_user=acting_user,
            participant=participant,
            target=alumni,
            details=_group_details(alumni),
        )
        admitted.append(member)
    return admitted


def _member(space: Space, user: User) -> Member:
    member, _ = Member.objects.select_for_update().get_or_create(space=space, user=user)
    return member


@transaction.atomic
def accept_rules(seat: Seat, *, acting_user: User) -> Member:
    member = _member(seat.space, acting_user)
    if member.rules_accepted_at is None:
        member.rules_accepted_at = timezone.now()
        member.save(update_fields=["rules_accepted_at"])
        record(
            "community.rules_accepted",
            acting_user=acting_user,
            target=seat.space,
            details=_group_details(seat.space),
        )
    seat.member = member
    return member


def why_not_post(seat: Seat, parent: Post | None = None) -> str | None:
    """The reason a member may not post here now, or None."""
    if seat.member is not None and seat.member.removed_at is not None:
        return str(REMOVED)
    if seat.role == Role.MEMBER and not seat.rules_accepted:
        return str(RULES_FIRST)
    if seat.space.locked_at is not None:
        return str(SPACE_LOCKED)
    if parent is not None and parent.locked_at is not None:
        return str(THREAD_LOCKED)
    return None


def write_post(seat: Seat, *, text: str, acting_user: User, parent: Post | None = None) -> Post:
    """A new thread (no `parent`) or a reply. A participant's post with crisis language is
    held for a moderator, and a safety alert links to its review page. A refusal
    (`CannotPost`) is recorded, outside the refused write's rolled-back transaction."""
    try:
        return _write_post(seat, text=text, acting_user=acting_user, parent=parent)
    except CannotPost:
        record(
            "community.post_refused",
            acting_user=acting_user,
            target=seat.space,
            outcome="denied",
            details=_group_details(seat.space),
        )
        raise


@transaction.atomic
def _write_post(seat: Seat, *, text: str, acting_user: User, parent: Post | None) -> Post:
    space = Space.objects.select_for_update().get(pk=seat.space.pk)
    seat.space = space
    if seat.member is not None:
        seat.member.refresh_from_db()
    if parent is not None:
        parent = Post.objects.select_for_update().get(pk=parent.pk)
    if (reason := why_not_post(seat, parent)) is not None:
        raise CannotPost(reason)
    now = timezone.now()
    author = Participant.objects.filter(user=acting_user).first()
    held = bool(author is not None and has_crisis_language(text, space.group.track.program))
    post = Post.objects.create(
        space=space,
        parent=parent,
        author=acting_user,
        ciphertext=encrypt(text),
        status=Post.Status.HELD if held else Post.Status.VISIBLE,
        created_at=now,
        last_activity_at=now,
    )
    if parent is not None and not held:
        parent.last_activity_at = now
        parent.save(update_fields=["last_activity_at"])
    record(
        "community.post_written",
        acting_user=acting_user,
        participant=author,
        target=post,
        details={**_group_details(space), "held": held, "type": "reply" if parent else "thread"},
    )
    if held and author is not None:
        raise_crisis_language_alert(
            author,
            where="a post in the peer space",
            link=reverse("community:review", args=[post.code]),
            acting_user=acting_user,
        )
    return post


# action -> (the post's new status, or None to keep it; the audit event)
MODERATION = {
    "hide": (Post.Status.HIDDEN, "community.post_hidden"),
    "restore": (Post.Status.VISIBLE, "community.post_restored"),
    "dismiss": (None, "community.reports_dismissed"),
}


@transaction.atomic
def moderate_post(post: Post, *, action: str, acting_user: User) -> Post:
    """Hide a post, restore a hidden or held one, or dismiss its reports (it stays)."""
    post = Post.objects.select_for_update().select_related("space__group").get(pk=post.pk)
    status, event = MODERATION[action]
    if status is not None:
        post.status = status
    post.moderated_at = timezone.now()
    post.moderated_by = acting_user
    post.save(update_fields=["status", "moderated_at", "moderated_by"])
    resolved = post.reports.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    record(
        event,
        acting_user=acting_user,
        target=post,
        details={**_group_details(post.space), "status": post.status, "number": resolved},
    )
    return post


@transaction.atomic
def lock_thread(post: Post, *, locked: bool, acting_user: User) -> Post:
    post = Post.objects.select_for_update().select_related("space__group").get(pk=post.pk)
    post.locked_at = timezone.now() if locked else None
    post.save(update_fields=["locked_at"])
    record(
        "community.thread_locked" if locked else "community.thread_unlocked",
        acting_user=acting_user,
        target=post,
        details=_group_details(post.space),
    )
    return post


@transaction.atomic
def lock_space(space: Space, *, locked: bool, acting_user: User) -> Space:
    space = Space.objects.select_for_update().select_related("group").get(pk=space.pk)
    space.locked_at = timezone.now() if locked else None
    space.locked_by = acting_user if locked else None
    space.save(update_fields=["locked_at", "locked_by"])
    record(
        "community.space_locked" if locked else "community.space_unlocked",
        acting_user=acting_user,
        target=space,
        details=_group_details(space),
    )
    return space


@transaction.atomic
def remove_member(
    space: Space, participant: Participant, *, removed: bool, acting_user: User
) -> Member:
    """Remove a member from a space (they still read it but can no longer post), or take
    them back."""
    assert participant.user is not None
    member = _member(space, participant.user)
    member.removed_at = timezone.now() if removed else None
    member.removed_by = acting_user if removed else None
    member.save(update_fields=["removed_at", "removed_by"])
    record(
        "community.member_removed" if removed else "community.member_reinstated",
        acting_user=acting_user,
        participant=participant,
        target=space,
        details=_group_details(space),
    )
    return member


@transaction.atomic
def report_post(post: Post, *, reason: str, acting_user: User) -> Report:
    """A member's report; reporting the same post again changes nothing."""
    report, created = Report.objects.get_or_create(
        post=post,
        reporter=acting_user,
        defaults={"reason": reason, "created_at": timezone.now()},
    )
    if created:
        record(
            "community.post_reported",
            acting_user=acting_user,
            target=post,
            details={**_group_details(post.space), "reason": reason},
        )
    return report


@transaction.atomic
def purge_expired(program: Program, *, acting_user: User | None = None) -> int:
    """Delete the program's threads (with their replies and reports) quiet for longer than
    its retention; returns how many posts went."""
    retention = Retention.objects.filter(program=program).first()
    days = retention.days if retention else Retention.DEFAULT_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    threads: QuerySet[Post] = Post.objects.filter(
        space__group__track__program=program, parent__isnull=True, last_activity_at__lt=cutoff
    )
    count = Post.objects.filter(parent__in=threads).count() + threads.count()
    if count:
        threads.delete()
        record(
            "community.posts_purged",
            acting_user=acting_user,
            target=program,
            details={
                "program": str(program.code),
                "removed": count,
                "to": cutoff.date().isoformat(),
            },
        )
    return count
