"""The Janus pool: placing rooms on nodes, node health, draining, and re-placing rooms.

A room (with its breakout room) lives on one node: a group of at most 15 people never spans
nodes. A new room goes to the node with the fewest admitted participants, then the fewest open
rooms, among the nodes that are up and not draining; a node that does not answer is marked
down, one that answers but refuses to create the room is marked refusing, and the next node is
tried. Nodes marked down or refusing are tried last rather than never, so a stale mark cannot
stop video while the node is back.

When a node dies its rooms are put back on another node with the same id, secret and pin
(``ensure_room_on_node``): the first client asking for a fresh ticket does it, or the periodic
``check_nodes``. Tickets already issued stay valid for the room; the fresh ticket carries the
new node's address.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from openiop.accounts.models import User
from openiop.audit.actions import record

from .. import hostproc, janus
from ..errors import VideoUnavailable
from ..models import JanusNode, Room
from ..nodes import NodeConfig, configured_nodes, get_node
from ..queries import node_loads
from .common import as_janus_room

logger = logging.getLogger(__name__)


def node_row(name: str) -> JanusNode:
    row, _ = JanusNode.objects.get_or_create(name=name, defaults={"state_since": timezone.now()})
    return row


def mark_node(name: str, state: str, detail: str, *, acting_user: User | None = None) -> None:
    """Record what a check or a call found; a change of state goes on the audit trail."""
    now = timezone.now()
    with transaction.atomic():
        row = JanusNode.objects.select_for_update().filter(name=name).first() or node_row(name)
        row.checked_at = now
        row.detail = detail[:200]
        fields = ["checked_at", "detail"]
        if row.state != state:
            logger.warning("Janus node %s: %s -> %s (%s)", name, row.state, state, detail)
            row.state = state
            row.state_since = now
            fields += ["state", "state_since"]
            record(
                "telehealth.janus_node_changed",
                acting_user=acting_user,
                target=row,
                details={"node": name, "status": state},
            )
        row.save(update_fields=fields)


def set_draining(name: str, draining: bool, *, acting_user: User | None) -> JanusNode:
    """Stop (or resume) placing new rooms on a node; its live rooms finish where they are."""
    if get_node(name) is None:
        raise ValueError(f"no Janus node named {name!r} is configured")
    with transaction.atomic():
        node_row(name)
        row = JanusNode.objects.select_for_update().get(name=name)
        if row.draining == draining:
            return row
        row.draining = draining
        row.draining_since = timezone.now() if draining else None
        row.save(update_fields=["draining", "draining_since"])
        record(
            "telehealth.janus_node_drained" if draining else "telehealth.janus_node_undrained",
            acting_user=acting_user,
            target=row,
            details={"node": name},
        )
    return row


def placement_order(*, exclude: tuple[str, ...] = ()) -> list[NodeConfig]:
    """Nodes to try for a new room, best first; draining nodes never."""
    rows = {r.name: r for r in JanusNode.objects.all()}
    loads = node_loads()
    order = {c.name: i for i, c in enumerate(configured_nodes())}

    def key(config: NodeConfig) -> tuple[int, int, int, int]:
        row = rows.get(config.name)
        marked_bad = row is not None and row.state != JanusNode.State.UP
        load = loads.get(config.name)
        return (
            int(marked_bad),
            load.participants if load else 0,
            load.rooms if load else 0,
            order[config.name],
        )

    usable = [
        c
        for c in configured_nodes()
        if c.name not in exclude and not (c.name in rows and rows[c.name].draining)
    ]
    return sorted(usable, key=key)


def place(
    work: Callable[[janus.JanusClient], janus.Room],
    *,
    exclude: tuple[str, ...] = (),
    acting_user: User | None = None,
) -> tuple[str, janus.Room]:
    """Run ``work`` (create or re-create a room) on the best node that accepts it."""
    for config in placement_order(exclude=exclude):
        try:
            with janus.connect_node(config.name) as client:
                result = work(client)
        except janus.JanusUnavailable as exc:
            mark_node(config.name, JanusNode.State.DOWN, exc.reason, acting_user=acting_user)
            continue
        except janus.JanusError as exc:
            detail = f"refused a room: {exc.code} {exc.reason}"
            mark_node(config.name, JanusNode.State.REFUSING, detail, acting_user=acting_user)
            continue
        if JanusNode.objects.filter(name=config.name).exclude(state=JanusNode.State.UP).exists():
            mark_node(config.name, JanusNode.State.UP, "ok", acting_user=acting_user)
        return config.name, result
    raise VideoUnavailable(gettext("Video is not available right now. Please try again."))


def _recreate(room: Room) -> Callable[[janus.JanusClient], janus.Room]:
    def work(client: janus.JanusClient) -> janus.Room:
        main = as_janus_room(room)
        client.ensure_room(main)
        if room.breakout_janus_room_id:
            client.ensure_room(as_janus_room(room, breakout=True))
        return main

    return work


def ensure_room_on_node(room: Room, *, acting_user: User | None) -> Room:
    """Make sure the room exists on a live node; returns the room (its node may have changed).

    The room's own node first, even when an earlier request or the check marked it down: a
    restarted node gets the room back with the same identity (with one node, that is the only
    way back). A node that does not answer is marked down and the room is re-placed on the best
    other node, under a row lock so that a whole group asking at once moves it once.
    """
    node = room.janus_node
    if get_node(node) is not None:
        try:
            with janus.connect_node(node) as client:
                recreated = client.ensure_room(as_janus_room(room))
                if room.breakout_janus_room_id:
                    client.ensure_room(as_janus_room(room, breakout=True))
        except janus.JanusUnavailable as exc:
            mark_node(node, JanusNode.State.DOWN, exc.reason, acting_user=acting_user)
        except janus.JanusError as exc:
            raise VideoUnavailable(gettext("Video is not available right now. Retrying…")) from exc
        else:
            if JanusNode.objects.filter(name=node).exclude(state=JanusNode.State.UP).exists():
                mark_node(node, JanusNode.State.UP, "ok", acting_user=acting_user)
            if recreated:
                with transaction.atomic():
                    record("telehealth.room_recreated", acting_user=acting_user, target=room)
            return room
    return move_room(room, acting_user=acting_user, expected_node=node)


@transaction.atomic
def move_room(room: Room, *, acting_user: User | None, expected_node: str) -> Room:
    """Re-place a room whose node died (same id, secret and pin) on the best other node."""
    room = Room.objects.select_for_update().get(pk=room.pk)
    if not room.is_open:
        return room
    if room.janus_node != expected_node:
        # Moved meanwhile by another request.
        return room
    new_node, _ = place(_recreate(room), exclude=(expected_node,), acting_user=acting_user)
    room.janus_node = new_node
    room.save(update_fields=["janus_node"])
    record(
        "telehealth.room_replaced",
        acting_user=acting_user,
        target=room,
        details={"node": new_node, "from_node": expected_node, "session": str(room.session_code)},
    )
    logger.warning("Video room re-placed from Janus node %s to %s", expected_node, new_node)
    return room


@dataclass(frozen=True)
class CheckResult:
    name: str
    state: str
    detail: str
    cpu_percent: float | None


def _sample_cpu(config: NodeConfig, now: datetime) -> float | None:
    """CPU of the node's Janus process since the previous check, when it runs on this host."""
    sample = hostproc.janus_cpu_ticks(config.url)
    row = JanusNode.objects.get(name=config.name)
    percent = None
    if (
        sample is not None
        and row.cpu_ticks is not None
        and row.cpu_sampled_at is not None
        and sample >= row.cpu_ticks
        and now > row.cpu_sampled_at
    ):
        seconds = (now - row.cpu_sampled_at).total_seconds()
        percent = round(100.0 * (sample - row.cpu_ticks) / hostproc.CLOCK_TICKS / seconds, 1)
    JanusNode.objects.filter(pk=row.pk).update(
        cpu_ticks=sample, cpu_sampled_at=now if sample is not None else None, cpu_percent=percent
    )
    return percent


def check_nodes(*, replace: bool = True) -> list[CheckResult]:
    """Ask every node whether it is up and creates rooms; re-place the rooms of dead nodes.

    Run every few seconds from a timer (``manage.py janus_nodes check``). Returns what it found.
    """
    results = []
    for config in configured_nodes():
        node_row(config.name)
        health = janus.connect_node(config.name).health()
        if not health.ok:
            state, detail = JanusNode.State.DOWN, health.detail
        else:
            try:
                with janus.connect_node(config.name) as client:
                    client.probe()
            except janus.JanusUnavailable as exc:
                state, detail = JanusNode.State.DOWN, exc.reason
            except janus.JanusError as exc:
                state, detail = JanusNode.State.REFUSING, f"refused a room: {exc.code} {exc.reason}"
            else:
                state, detail = JanusNode.State.UP, f"ok {health.version}".strip()
        mark_node(config.name, state, detail)
        cpu = _sample_cpu(config, timezone.now())
        results.append(CheckResult(config.name, state, detail, cpu))
    if replace:
        replace_rooms_of_dead_nodes()
    return results


def replace_rooms_of_dead_nodes() -> int:
    """Re-place every open room whose node is down or no longer configured."""
    moved = 0
    names = {c.name for c in configured_nodes()}
    down = set(JanusNode.objects.filter(state=JanusNode.State.DOWN).values_list("name", flat=True))
    for room in Room.objects.filter(status=Room.Status.OPEN):
        if room.janus_node in names and room.janus_node not in down:
            continue
        with contextlib.suppress(VideoUnavailable):
            if move_room(room, acting_user=None, expected_node=room.janus_node) is not None:
                moved += 1
    return moved
