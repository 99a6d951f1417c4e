"""An in-memory Janus for view tests (the real one is exercised in test_janus_live.py)."""

from __future__ import annotations

import secrets
import uuid
from typing import ClassVar

from openiop.telehealth import janus


class FakeJanus:
    rooms: ClassVar[dict[str, janus.Room]] = {}
    kicked: ClassVar[list[tuple[str, str]]] = []
    # Janus room id -> publisher ids in it (tests put browsers there by hand).
    present: ClassVar[dict[str, list[str]]] = {}
    available: ClassVar[bool] = True

    @classmethod
    def reset(cls) -> None:
        cls.rooms = {}
        cls.kicked = []
        cls.present = {}
        cls.available = True

    def __enter__(self) -> FakeJanus:
        if not self.available:
            raise janus.JanusUnavailable(None, "fake Janus is down")
        return self

    def __exit__(self, *exc_info: object) -> None:
        pass

    def health(self) -> janus.Health:
        if not self.available:
            return janus.Health(ok=False, detail="fake Janus is down")
        return janus.Health(ok=True, detail="ok", version="fake")

    def create_room(self, *, publishers: int, bitrate: int = janus.DEFAULT_BITRATE) -> janus.Room:
        room = janus.Room(
            room_id=str(uuid.uuid4()),
            secret=secrets.token_urlsafe(8),
            pin=secrets.token_urlsafe(8),
            publishers=publishers,
            bitrate=bitrate,
        )
        self.rooms[room.room_id] = room
        return room

    def ensure_room(self, room: janus.Room) -> bool:
        if room.room_id in self.rooms:
            return False
        self.rooms[room.room_id] = room
        return True

    def destroy_room(self, room_id: str, secret: str) -> None:
        self.rooms.pop(room_id, None)

    def room_exists(self, room_id: str) -> bool:
        return room_id in self.rooms

    def kick(self, room_id: str, secret: str, participant_id: str) -> None:
        self.kicked.append((room_id, participant_id))
        if participant_id in self.present.get(room_id, []):
            self.present[room_id].remove(participant_id)

    def participants(self, room_id: str) -> list[dict[str, object]]:
        return [{"id": feed_id, "publisher": True} for feed_id in self.present.get(room_id, [])]

    def mute(self, room_id: str, secret: str, participant_id: str, *, mid: str, mute: bool) -> None:
        pass
