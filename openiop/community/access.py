"""The one gate to peer spaces (docs/community.md, "Who sees a space").

- Members: a group's space is its seated participants' (not once discharged); a group's
  alumni space is the participants holding an alumni `Member` row. Members read, post and
  report. A member a moderator removed still opens the space (it says why they cannot
  post) but every post and reply is refused with that message.
- Moderators: the group's facilitators and peer specialists (GroupFacilitator), in both of
  the group's spaces. They post, see held and hidden posts, and moderate.
- Directors of the group's program read a space and its moderation view (oversight of a
  program's peer spaces), each opening recorded as `community.space_viewed`; they do not
  post or moderate (403 on those forms).
- A held post's review page (the link in a crisis-language alert) also opens for the staff
  who may read the author's chart, so whoever reviews the alert can read the words where they
  were written; moderating it stays with the moderators.
Everyone else gets 404: other participants, other clinicians, intake coordinators,
administrators. Space pages are not a participant's record, so they write no chart read.
"""

import enum
import uuid
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.community.models import Member, Post, Space
from openiop.participants.access import participant_access
from openiop.participants.models import Participant
from openiop.programs import access as programs
from openiop.scheduling.models import Enrollment


class Role(enum.IntEnum):
    NONE = 0
    # A director of the program: reads, does not post or moderate.
    OVERSEER = 1
    MEMBER = 2
    MODERATOR = 3


@dataclass
class Seat:
    """The user's place in one space."""

    space: Space
    role: Role
    member: Member | None

    @property
    def is_moderator(self) -> bool:
        return self.role == Role.MODERATOR

    @property
    def oversees(self) -> bool:
        """Opens the moderation view (a director reads it only)."""
        return self.role in (Role.MODERATOR, Role.OVERSEER)

    @property
    def may_post(self) -> bool:
        return self.role in (Role.MEMBER, Role.MODERATOR)

    @property
    def rules_accepted(self) -> bool:
        return self.member is not None and self.member.rules_accepted_at is not None


def own_participant(user: User) -> Participant | None:
    if not user.is_authenticated or user.role != User.Role.PARTICIPANT:
        return None
    return Participant.objects.filter(user=user).first()


def _seated(user: User) -> QuerySet[Enrollment]:
    return Enrollment.objects.filter(
        participant__user=user,
        participant__discharged_at__isnull=True,
        status=Enrollment.Status.SEATED,
    )


def visible_spaces(user: User) -> QuerySet[Space]:
    """Every space the user may open, as one query."""
    qs = Space.objects.select_related("group__track__program")
    if not user.is_authenticated or not user.is_active:
        return qs.none()
    if user.role == User.Role.PARTICIPANT:
        in_group = Q(kind=Space.Kind.GROUP, group_id__in=_seated(user).values("group_id"))
        alumni = Q(
            kind=Space.Kind.ALUMNI,
            pk__in=Member.objects.filter(user=user, alumnus_since__isnull=False).values("space_id"),
        )
        return qs.filter(in_group | alumni)
    if user.role in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR):
        return qs.filter(
            Q(group_id__in=programs.facilitated_group_ids(user))
            | Q(group__track__program_id__in=programs.directed_program_ids(user))
        )
    return qs.none()


def role_in(user: User, space: Space) -> Role:
    if not user.is_authenticated or not user.is_active:
        return Role.NONE
    if user.role == User.Role.PARTICIPANT:
        if space.kind == Space.Kind.GROUP:
            return Role.MEMBER if _seated(user).filter(group=space.group).exists() else Role.NONE
        alumnus = Member.objects.filter(space=space, user=user, alumnus_since__isnull=False)
        return Role.MEMBER if alumnus.exists() else Role.NONE
    if user.role not in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR):
        return Role.NONE
    if programs.facilitated_group_ids(user).filter(group_id=space.group_id).exists():
        return Role.MODERATOR
    if programs.is_director(user, space.group.track.program_id):
        return Role.OVERSEER
    return Role.NONE


def seat_in(user: User, space: Space) -> Seat:
    """The user's seat, or 404."""
    role = role_in(user, space)
    if role == Role.NONE:
        raise Http404
    member = Member.objects.filter(space=space, user=user).first()
    return Seat(space, role, member)


def _space(code: uuid.UUID | str) -> Space:
    try:
        return Space.objects.select_related("group__track__program").get(code=code)
    except (Space.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def _record_oversight(user: User, seat: Seat) -> None:
    if seat.role == Role.OVERSEER:
        record(
            "community.space_viewed",
            acting_user=user,
            target=seat.space,
            details={"group": str(seat.space.group.code), "kind": seat.space.kind},
        )


def get_space(user: User, code: uuid.UUID | str, *, reading: bool = False) -> Seat:
    """A space for its pages. `reading` (a page shown) records a director's opening."""
    seat = seat_in(user, _space(code))
    if reading:
        _record_oversight(user, seat)
    return seat


def get_space_to_post(user: User, code: uuid.UUID | str) -> Seat:
    seat = get_space(user, code)
    if not seat.may_post:
        raise PermissionDenied
    return seat


def get_space_to_moderate(user: User, code: uuid.UUID | str, *, reading: bool = False) -> Seat:
    """Moderators; a director reads the moderation view (403 on its forms); members 403."""
    seat = get_space(user, code, reading=reading)
    if seat.is_moderator or (reading and seat.role == Role.OVERSEER):
        return seat
    raise PermissionDenied


def sees_post(seat: Seat, post: Post, user: User) -> bool:
    """Members see visible posts and their own held ones; moderators and directors all."""
    if seat.role in (Role.MODERATOR, Role.OVERSEER):
        return True
    return post.status == Post.Status.VISIBLE or (
        post.author_id == user.pk and post.status == Post.Status.HELD
    )


def _post(code: uuid.UUID | str) -> Post:
    try:
        return Post.objects.select_related(
            "space__group__track__program", "parent", "author__participant"
        ).get(code=code)
    except (Post.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_post(user: User, code: uuid.UUID | str, *, reading: bool = False) -> tuple[Post, Seat]:
    """A post (a thread for its page, or any post for a form) the user may see, or 404."""
    post = _post(code)
    seat = get_space(user, post.space.code, reading=reading)
    if not sees_post(seat, post, user):
        raise Http404
    if post.parent is not None and not sees_post(seat, post.parent, user):
        raise Http404
    return post, seat


def get_post_to_moderate(user: User, code: uuid.UUID | str) -> tuple[Post, Seat]:
    post, seat = get_post(user, code)
    if not seat.is_moderator:
        raise PermissionDenied
    return post, seat


def get_post_to_review(user: User, code: uuid.UUID | str) -> tuple[Post, Seat | None]:
    """A post's review page: moderators and directors of the space, and staff who may read
    the author's chart (the crisis alert links here). Recorded as a review."""
    post = _post(code)
    seat: Seat | None
    try:
        seat = seat_in(user, post.space)
    except Http404:
        seat = None
    if seat is not None and seat.role == Role.MEMBER:
        raise PermissionDenied
    if seat is None:
        author = getattr(post.author, "participant", None) if post.author_id else None
        clinical = user.role in (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)
        if author is None or not clinical or not participant_access(user, author):
            raise Http404
    record(
        "community.post_reviewed",
        acting_user=user,
        target=post,
        details={"group": str(post.space.group.code), "status": post.status},
    )
    return post, seat
