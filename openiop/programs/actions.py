"""Program setup by its directors (docs/programs.md): every change audited in its transaction.

Each action validates the rows it writes (`full_clean`), so a rule kept on the model (a lead
facilitator is licensed, a block's times exist in the program's zone) holds whichever page
or command calls it; a ValidationError leaves nothing written.
"""

from datetime import date, time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.programs import hooks
from openiop.programs.models import (
    CurriculumTopic,
    Group,
    GroupFacilitator,
    Program,
    Track,
    TrackBlock,
)

PROGRAM_FIELDS = (
    "name",
    "timezone",
    "weekly_minimum_hours",
    "daily_minimum_hours",
    "typical_length_weeks",
    "phone",
    "after_hours_message",
)
TRACK_FIELDS = (
    "name",
    "starts_on",
    "is_active",
    "level_of_care",
    "weekly_minimum_hours",
    "daily_minimum_hours",
    "typical_length_weeks",
)
GROUP_FIELDS = ("name", "curriculum_starts_on", "is_active")
# A group meets in one video room; rooms of up to 15 never span servers (DESIGN.md).
MAX_GROUP_CAPACITY = 15


def _apply(row: Any, fields: tuple[str, ...], values: dict[str, Any]) -> list[str]:
    """Set the given fields; the names of those that changed."""
    changed = []
    for name in fields:
        if name in values and getattr(row, name) != values[name]:
            setattr(row, name, values[name])
            changed.append(name)
    return changed


@transaction.atomic
def update_program(program: Program, *, values: dict[str, Any], acting_user: User) -> list[str]:
    program = Program.objects.select_for_update().get(pk=program.pk)
    changed = _apply(program, PROGRAM_FIELDS, values)
    if not changed:
        return []
    program.full_clean()
    program.save(update_fields=changed)
    record(
        "programs.program_updated",
        acting_user=acting_user,
        target=program,
        details={"fields": sorted(changed)},
    )
    return changed


def _block(track: Track, rule: str, starts_at: time, ends_at: time, fold: int | None) -> TrackBlock:
    block = TrackBlock(track=track, rule=rule, starts_at=starts_at, ends_at=ends_at, fold=fold)
    if ends_at <= starts_at:
        raise ValidationError("The end time must be after the start time.")
    block.full_clean()
    return block


@transaction.atomic
def create_track(
    program: Program,
    *,
    values: dict[str, Any],
    rule: str,
    starts_at: time,
    ends_at: time,
    fold: int | None = None,
    acting_user: User,
) -> Track:
    """A track with its first weekly block; sessions follow when the schedule is next
    generated (`manage.py schedule_sessions`)."""
    track = Track(program=program)
    _apply(track, TRACK_FIELDS, values)
    track.full_clean()
    track.save()
    block = _block(track, rule, starts_at, ends_at, fold)
    block.save()
    record(
        "programs.track_created",
        acting_user=acting_user,
        target=track,
        details={"program": str(program.code)},
    )
    return track


@transaction.atomic
def update_track(track: Track, *, values: dict[str, Any], acting_user: User) -> list[str]:
    track = Track.objects.select_for_update().select_related("program").get(pk=track.pk)
    changed = _apply(track, TRACK_FIELDS, values)
    if not changed:
        return []
    track.full_clean()
    track.save(update_fields=changed)
    record(
        "programs.track_updated",
        acting_user=acting_user,
        target=track,
        details={"fields": sorted(changed)},
    )
    return changed


@transaction.atomic
def add_track_block(
    track: Track,
    *,
    rule: str,
    starts_at: time,
    ends_at: time,
    fold: int | None = None,
    acting_user: User,
) -> TrackBlock:
    track = Track.objects.select_for_update().select_related("program").get(pk=track.pk)
    block = _block(track, rule, starts_at, ends_at, fold)
    clash = next((other for other in track.blocks.all() if other.overlaps(block)), None)
    if clash is not None:
        raise ValidationError(
            f"This track already meets {clash.summary}: one track cannot be in two places "
            "at once. Change the days or the hours."
        )
    block.save()
    record(
        "programs.track_block_added",
        acting_user=acting_user,
        target=track,
        details={"blocks": track.blocks.count()},
    )
    return block


@transaction.atomic
def remove_track_block(block: TrackBlock, *, acting_user: User) -> None:
    track = Track.objects.select_for_update().get(pk=block.track_id)
    if track.blocks.count() <= 1:
        raise ValidationError(
            "A track needs at least one weekly block: add the new days and hours first, "
            "then remove this one."
        )
    block.delete()
    record(
        "programs.track_block_removed",
        acting_user=acting_user,
        target=track,
        details={"blocks": track.blocks.count()},
    )


@transaction.atomic
def create_group(
    track: Track,
    *,
    name: str,
    capacity: int,
    curriculum_starts_on: date,
    acting_user: User,
) -> Group:
    if capacity < 1:
        raise ValidationError("A group needs at least one seat.")
    if capacity > MAX_GROUP_CAPACITY:
        raise ValidationError(f"A group has at most {MAX_GROUP_CAPACITY} seats.")
    group = Group(
        track=track,
        name=name,
        capacity=capacity,
        hard_cap=max(capacity, Group.DEFAULT_CAPACITY),
        curriculum_starts_on=curriculum_starts_on,
    )
    group.full_clean()
    group.save()
    record(
        "programs.group_created",
        acting_user=acting_user,
        target=group,
        details={"track": str(track.code), "seats": capacity},
    )
    return group


@transaction.atomic
def update_group(group: Group, *, values: dict[str, Any], acting_user: User) -> list[str]:
    """Name, curriculum start and whether the group takes new members; seats change on the
    roster (scheduling's capacity action, which places waiting participants)."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    changed = _apply(group, GROUP_FIELDS, values)
    if not changed:
        return []
    group.full_clean()
    group.save(update_fields=changed)
    record(
        "programs.group_updated",
        acting_user=acting_user,
        target=group,
        details={"fields": sorted(changed)},
    )
    return changed


@transaction.atomic
def add_facilitator(
    group: Group, *, clinician: User, role: str, acting_user: User
) -> GroupFacilitator:
    """Seat a facilitator; the model refuses someone who may not hold the chair, and a
    second lead."""
    group = Group.objects.select_for_update().select_related("track__program").get(pk=group.pk)
    if group.facilitator_roles.filter(clinician=clinician).exists():
        raise ValidationError(f"{clinician.display_name} already facilitates this group.")
    if (
        role == GroupFacilitator.Role.LEAD
        and group.facilitator_roles.filter(role=GroupFacilitator.Role.LEAD).exists()
    ):
        raise ValidationError(
            "This group already has a lead facilitator: remove them first, or add this "
            "person as a co-facilitator."
        )
    facilitator = GroupFacilitator(group=group, clinician=clinician, role=role)
    facilitator.full_clean()
    facilitator.save()
    record(
        "programs.facilitator_added",
        acting_user=acting_user,
        target=group,
        details={"clinician": str(clinician.code), "role": role},
    )
    return facilitator


def sessions_affected_by_removal(facilitator: GroupFacilitator) -> list[hooks.BookedSession]:
    """The group's upcoming sessions with bookings: the director is shown them before a
    facilitator leaves, and decides who covers them."""
    return hooks.upcoming_booked_sessions(facilitator.group)


@transaction.atomic
def remove_facilitator(facilitator: GroupFacilitator, *, acting_user: User) -> int:
    """Remove a facilitator. Booked sessions go ahead (the group keeps its members); the
    view asks for confirmation after listing them. Returns how many were listed."""
    group = Group.objects.select_for_update().get(pk=facilitator.group_id)
    booked = len(hooks.upcoming_booked_sessions(group))
    clinician_code = str(facilitator.clinician.code)
    role = facilitator.role
    facilitator.delete()
    record(
        "programs.facilitator_removed",
        acting_user=acting_user,
        target=group,
        details={"clinician": clinician_code, "role": role, "sessions": booked},
    )
    return booked


@transaction.atomic
def add_topic(group: Group, *, title: str, acting_user: User) -> CurriculumTopic:
    """A curriculum module at the end of the rotation."""
    group = Group.objects.select_for_update().get(pk=group.pk)
    last = group.topics.aggregate(last=Max("position"))["last"]
    topic = CurriculumTopic(group=group, title=title, position=(last or 0) + 1)
    topic.full_clean()
    topic.save()
    record(
        "programs.topic_added",
        acting_user=acting_user,
        target=group,
        details={"topics": group.topics.count()},
    )
    return topic


@transaction.atomic
def update_topic(topic: CurriculumTopic, *, title: str, acting_user: User) -> None:
    if topic.title == title:
        return
    topic.title = title
    topic.full_clean()
    topic.save(update_fields=["title"])
    record(
        "programs.topic_updated",
        acting_user=acting_user,
        target=topic.group,
        details={"fields": ["title"]},
    )


@transaction.atomic
def move_topic(topic: CurriculumTopic, *, step: int, acting_user: User) -> bool:
    """Swap a module with its neighbour in the rotation (`step` -1: earlier, +1: later).
    False when it is already first or last."""
    group = Group.objects.select_for_update().get(pk=topic.group_id)
    topics = list(group.topics.order_by("position"))
    index = next(i for i, row in enumerate(topics) if row.pk == topic.pk)
    other_index = index + step
    if step not in (-1, 1) or not 0 <= other_index < len(topics):
        return False
    mine, theirs = topics[index], topics[other_index]
    spare = topics[-1].position + 1
    positions = (mine.position, theirs.position)
    # Through a free position: (group, position) is unique and checked on each update.
    CurriculumTopic.objects.filter(pk=mine.pk).update(position=spare)
    CurriculumTopic.objects.filter(pk=theirs.pk).update(position=positions[0])
    CurriculumTopic.objects.filter(pk=mine.pk).update(position=positions[1])
    record(
        "programs.topic_moved",
        acting_user=acting_user,
        target=group,
        details={"from": index + 1, "to": other_index + 1},
    )
    return True


@transaction.atomic
def remove_topic(topic: CurriculumTopic, *, acting_user: User) -> None:
    group = Group.objects.select_for_update().get(pk=topic.group_id)
    topic.delete()
    record(
        "programs.topic_removed",
        acting_user=acting_user,
        target=group,
        details={"topics": group.topics.count()},
    )


def overlapping_tracks(
    program: Program, blocks: list[TrackBlock], *, exclude: Track | None = None
) -> list[tuple[Track, TrackBlock]]:
    """Other active tracks of the program meeting on the same weekday at intersecting wall
    times: (track, its clashing block) pairs, for a warning."""
    others = (
        Track.objects.filter(program=program, is_active=True)
        .prefetch_related("blocks")
        .order_by("name")
    )
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    found = []
    for track in others:
        for theirs in track.blocks.all():
            if any(theirs.overlaps(mine) for mine in blocks):
                found.append((track, theirs))
                break
    return found
