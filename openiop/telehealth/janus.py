"""A small adapter for the Janus WebSocket API (VideoRoom plugin only).

Django uses it to create a private room when a session opens, destroy it when the session ends
and check that video is available. Browsers never go through Django for media: they get a
ticket (core token, room token, pin) and talk to Janus directly with ``janus.js``.

Every call opens a short Janus session, does its work and closes it, so no connection state
lives in a web process. Errors from Janus raise :class:`JanusError` with Janus's own code.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from websockets.exceptions import WebSocketException
from websockets.sync.client import ClientConnection, connect
from websockets.typing import Subprotocol

from . import tokens

PLUGIN = tokens.VIDEOROOM_PLUGIN
SUBPROTOCOL = "janus-protocol"
# Room bitrate caps each publisher's total. The top simulcast layer of a 640x480 camera needs
# ~900 kbps; a lower cap makes Chromium drop the upper layers (VIDEO.md).
DEFAULT_BITRATE = 1_200_000


class JanusError(Exception):
    def __init__(self, code: int | None, reason: str) -> None:
        super().__init__(f"Janus error {code}: {reason}")
        self.code = code
        self.reason = reason


class JanusUnavailable(JanusError):
    """Janus could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Room:
    room_id: str
    secret: str
    pin: str
    publishers: int
    bitrate: int


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str
    version: str = ""


class JanusClient:
    """One Janus session with one VideoRoom handle, used as a context manager.

    ``sock_factory`` returns an already connected socket; tests use it to reach a Janus that
    runs inside a private network namespace.
    """

    def __init__(
        self,
        url: str,
        *,
        admin_key: str,
        token_secret: str,
        timeout: float = 5.0,
        sock_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.url = url
        self.admin_key = admin_key
        self.token_secret = token_secret
        self.timeout = timeout
        self.sock_factory = sock_factory
        self._ws: ClientConnection | None = None
        self._session_id: int | None = None
        self._handle_id: int | None = None

    # Connection ----------------------------------------------------------------------------

    def _connect(self) -> ClientConnection:
        if not self.url:
            raise JanusUnavailable(None, "this Janus node is no longer configured")
        try:
            return connect(
                self.url,
                sock=self.sock_factory() if self.sock_factory else None,
                subprotocols=[Subprotocol(SUBPROTOCOL)],
                open_timeout=self.timeout,
                close_timeout=1,
                # Never route the control channel through an HTTP proxy from the environment.
                proxy=None,
                compression=None,
                legacy=True,  # returns the connection, not a context manager
            )
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise JanusUnavailable(None, f"cannot connect to {self.url}: {exc}") from exc

    def __enter__(self) -> JanusClient:
        self._ws = self._connect()
        try:
            token = tokens.core_token(self.token_secret, ttl=60)
            reply = self._call({"janus": "create", "token": token})
            self._session_id = reply["data"]["id"]
            reply = self._call({"janus": "attach", "plugin": PLUGIN, "token": token})
            self._handle_id = reply["data"]["id"]
        except BaseException:
            self._ws.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._ws is not None
        try:
            if self._session_id is not None:
                self._call({"janus": "destroy"})
        except JanusError:
            pass
        finally:
            self._ws.close()
            self._ws = None

    def _call(self, message: dict[str, Any]) -> dict[str, Any]:
        assert self._ws is not None
        transaction = secrets.token_hex(8)
        message = {**message, "transaction": transaction}
        if self._session_id is not None and message["janus"] != "create":
            message["session_id"] = self._session_id
            message.setdefault("token", tokens.core_token(self.token_secret, ttl=60))
        try:
            self._ws.send(json.dumps(message))
            while True:
                reply = json.loads(self._ws.recv(timeout=self.timeout))
                if reply.get("transaction") != transaction or reply.get("janus") == "ack":
                    continue
                break
        except (OSError, WebSocketException, TimeoutError) as exc:
            raise JanusUnavailable(None, f"no answer from {self.url}: {exc}") from exc
        if reply.get("janus") == "error":
            error = reply.get("error", {})
            raise JanusError(error.get("code"), error.get("reason", "unknown"))
        return reply

    def _plugin(self, body: dict[str, Any]) -> dict[str, Any]:
        reply = self._call({"janus": "message", "handle_id": self._handle_id, "body": body})
        data = reply.get("plugindata", {}).get("data", {})
        if data.get("videoroom") == "event" and "error_code" in data:
            raise JanusError(data["error_code"], data.get("error", "unknown"))
        return dict(data)

    # VideoRoom -----------------------------------------------------------------------------

    def create_room(
        self,
        *,
        publishers: int,
        bitrate: int = DEFAULT_BITRATE,
        description: str = "OpenIOP session",
    ) -> Room:
        """Create a private room that only ticket holders can join.

        The room id is a random UUID: ``exists`` and ``listparticipants`` are not protected by
        the pin or the room token, so an unguessable id is what keeps a room's existence and
        its display names private (VIDEO.md).
        """
        room = Room(
            room_id=str(uuid.uuid4()),
            secret=secrets.token_urlsafe(24),
            pin=secrets.token_urlsafe(12),
            publishers=publishers,
            bitrate=bitrate,
        )
        self._create(room, description)
        return room

    def ensure_room(self, room: Room, description: str = "OpenIOP session") -> bool:
        """Re-create ``room`` with the same id, secret and pin if Janus lost it (a restart).

        Tickets already issued stay valid, so clients can rejoin. Returns True if re-created.
        """
        if self.room_exists(room.room_id):
            return False
        try:
            self._create(room, description)
        except JanusError as exc:
            # 427: created meanwhile by another web process.
            if exc.code != 427:
                raise
            return False
        return True

    def _create(self, room: Room, description: str) -> None:
        self._plugin(
            {
                "request": "create",
                "admin_key": self.admin_key,
                "room": room.room_id,
                "permanent": False,
                # A description is visible to ticket holders only; keep it free of PHI anyway.
                "description": description,
                "is_private": True,
                "secret": room.secret,
                "pin": room.pin,
                "signed_tokens": True,
                "publishers": room.publishers,
                "bitrate": room.bitrate,
                "bitrate_cap": True,
                "fir_freq": 10,
                "audiocodec": "opus",
                "videocodec": "vp8",
                "opus_fec": True,
                "audiolevel_event": True,
                "audio_active_packets": 50,
                "audio_level_average": 40,
                "notify_joining": True,
                "require_pvtid": True,
                "record": False,
                "lock_record": True,
            }
        )

    def destroy_room(self, room_id: str, secret: str) -> None:
        try:
            self._plugin({"request": "destroy", "room": room_id, "secret": secret})
        except JanusError as exc:
            # 426: no such room. Destroying twice (session ended, node restarted) is fine.
            if exc.code != 426:
                raise

    def room_exists(self, room_id: str) -> bool:
        return bool(self._plugin({"request": "exists", "room": room_id}).get("exists"))

    def kick(self, room_id: str, secret: str, participant_id: str) -> None:
        self._plugin({"request": "kick", "room": room_id, "secret": secret, "id": participant_id})

    def mute(self, room_id: str, secret: str, participant_id: str, *, mid: str, mute: bool) -> None:
        """Stop (or resume) forwarding one of a publisher's streams to everyone."""
        self._plugin(
            {
                "request": "moderate",
                "room": room_id,
                "secret": secret,
                "id": participant_id,
                "mid": mid,
                "mute": mute,
            }
        )

    def participants(self, room_id: str) -> list[dict[str, Any]]:
        data = self._plugin({"request": "listparticipants", "room": room_id})
        return list(data.get("participants", []))

    def probe(self) -> None:
        """Create and destroy a one-seat room: raises JanusError if this node refuses rooms."""
        room = self.create_room(publishers=1, description="OpenIOP health check")
        self.destroy_room(room.room_id, room.secret)

    def health(self) -> Health:
        return health(self.url, timeout=min(self.timeout, 2.0), sock_factory=self.sock_factory)


def health(
    url: str, *, timeout: float = 2.0, sock_factory: Callable[[], Any] | None = None
) -> Health:
    """Ask Janus for ``info`` (needs no token) and check the VideoRoom plugin is loaded."""
    client = JanusClient(url, admin_key="", token_secret="", timeout=timeout)
    client.sock_factory = sock_factory
    try:
        ws = client._connect()
    except JanusUnavailable as exc:
        return Health(ok=False, detail=exc.reason)
    try:
        client._ws = ws
        info = client._call({"janus": "info"})
    except JanusError as exc:
        return Health(ok=False, detail=exc.reason)
    finally:
        ws.close()
    if PLUGIN not in info.get("plugins", {}):
        return Health(ok=False, detail="VideoRoom plugin not loaded")
    return Health(ok=True, detail="ok", version=str(info.get("version_string", "")))


def connect_node(node: str | None = None) -> JanusClient:
    """The configured adapter (``TELEHEALTH_JANUS_CLIENT``) for one node of the pool, by name
    (None: the first configured node). The real adapter, or the tests' fake."""
    from django.conf import settings
    from django.utils.module_loading import import_string

    factory: Callable[..., JanusClient] = import_string(settings.TELEHEALTH_JANUS_CLIENT)
    return factory(node)


def from_settings(node: str | None = None, timeout: float = 5.0) -> JanusClient:
    """The adapter for one configured Janus node (settings read at call time).

    A name that is no longer configured gives an adapter that cannot connect: its rooms are
    treated as on a dead node and re-placed.
    """
    from django.conf import settings

    from .nodes import configured_nodes, get_node

    config = configured_nodes()[0] if node is None else get_node(node)
    return JanusClient(
        config.url if config else "",
        admin_key=settings.JANUS_ADMIN_KEY,
        token_secret=settings.JANUS_TOKEN_SECRET,
        timeout=timeout,
    )
