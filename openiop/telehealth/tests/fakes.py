"""An in-memory Janus pool for view tests (the real one is exercised in test_janus_live.py).

Each instance is the adapter for one node (``FakeJanus("b")``; None is the first node). A test
takes a node down (``down``), makes it answer but refuse rooms (``refusing``), or takes them all
down (``available = False``). ``node_of`` says which node holds each room.
"""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from openiop.telehealth import janus


class FakeJanus:
    rooms: ClassVar[dict[str, janus.Room]] = {}
    node_of: ClassVar[dict[str, str]] = {}
    kicked: ClassVar[list[tuple[str, str]]] = []
    # Janus room id -> publisher ids in it (tests put browsers there by hand).
    present: ClassVar[dict[str, list[str]]] = {}
    available: ClassVar[bool] = True
    down: ClassVar[set[str]] = set()
    refusing: ClassVar[set[str]] = set()

    def __init__(self, node: str | None = None) -> None:
        from openiop.telehealth.nodes import configured_nodes

        self.node = node or configured_nodes()[0].name

    @classmethod
    def reset(cls) -> None:
        cls.rooms = {}
        cls.node_of = {}
        cls.kicked = []
        cls.present = {}
        cls.available = True
        cls.down = set()
        cls.refusing = set()

    @classmethod
    def kill(cls, node: str) -> None:
        """The node dies: its rooms are gone with it."""
        cls.down.add(node)
        for room_id in [r for r, n in cls.node_of.items() if n == node]:
            cls.rooms.pop(room_id, None)
            cls.node_of.pop(room_id, None)

    def _up(self) -> bool:
        return self.available and self.node not in self.down

    def __enter__(self) -> FakeJanus:
        if not self._up():
            raise janus.JanusUnavailable(None, "fake Janus is down")
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def health(self) -> janus.Health:
        if not self._up():
            return janus.Health(ok=False, detail="fake Janus is down")
        return janus.Health(ok=True, detail="ok", version="fake")

    def _refuse(self) -> None:
        if self.node in self.refusing:
            raise janus.JanusError(403, "Unauthorized (wrong admin_key)")

    def create_room(self, *, publishers: int, bitrate: int = janus.DEFAULT_BITRATE) -> janus.Room:
        self._refuse()
        room = janus.Room(
            room_id=str(uuid.uuid4()),
            secret=secrets.token_urlsafe(8),
            pin=secrets.token_urlsafe(8),
            publishers=publishers,
            bitrate=bitrate,
        )
        self.rooms[room.room_id] = room
        self.node_of[room.room_id] = self.node
        return room

    def ensure_room(self, room: janus.Room) -> bool:
        if self.room_exists(room.room_id):
            return False
        self._refuse()
        self.rooms[room.room_id] = room
        self.node_of[room.room_id] = self.node
        return True

    def probe(self) -> None:
        self._refuse()

    def _here(self, room_id: str) -> bool:
        return room_id in self.rooms and self.node_of.get(room_id, self.node) == self.node

    def destroy_room(self, room_id: str, secret: str) -> None:
        if self._here(room_id):
            self.rooms.pop(room_id, None)
            self.node_of.pop(room_id, None)

    def room_exists(self, room_id: str) -> bool:
        return self._here(room_id)

    def kick(self, room_id: str, secret: str, participant_id: str) -> None:
        self.kicked.append((room_id, participant_id))
        if participant_id in self.present.get(room_id, []):
            self.present[room_id].remove(participant_id)

    def participants(self, room_id: str) -> list[dict[str, object]]:
        return [{"id": feed_id, "publisher": True} for feed_id in self.present.get(room_id, [])]

    def mute(self, room_id: str, secret: str, participant_id: str, *, mid: str, mute: bool) -> None:
        pass
