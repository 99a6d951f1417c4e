"""Signed tokens that Janus checks by itself (``token_auth`` with ``token_auth_secret``).

A token is ``"<unix expiry>,<realm>,<descriptor>,...:<base64 HMAC-SHA1(secret, text before ':')>"``
(Janus ``src/auth.c``). Two kinds are needed for one person to join one room:

1. the **core** token, realm ``janus``, lists the plugins the holder may attach to; Janus checks it
   on every request of the Janus session;
2. the **room** token, realm ``janus.plugin.videoroom``, descriptor ``room=<room id>``; the
   VideoRoom plugin checks it on ``join`` when the room has ``signed_tokens``.

Both are short-lived: Janus refuses a token after its expiry, so a leaked ticket is useless
within minutes. Django signs them locally; no call to Janus per user.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

CORE_REALM = "janus"
VIDEOROOM_PLUGIN = "janus.plugin.videoroom"
# Long enough to pass the pre-join check and the location form, short enough to be useless
# once leaked. Janus checks expiry only when a request arrives, so a joined person stays joined.
DEFAULT_TTL_SECONDS = 300


class TokenError(ValueError):
    pass


def _check_part(part: str) -> str:
    # ',' separates descriptors and ':' the signature; either inside a part changes its meaning.
    if not part or "," in part or ":" in part:
        raise TokenError(f"invalid token part: {part!r}")
    return part


def sign(secret: str, *, expires_at: int, realm: str, descriptors: Iterable[str]) -> str:
    if not secret:
        raise TokenError("token secret is empty")
    parts = [str(int(expires_at)), _check_part(realm), *(_check_part(d) for d in descriptors)]
    text = ",".join(parts)
    digest = hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest()
    return f"{text}:{base64.b64encode(digest).decode()}"


def core_token(
    secret: str,
    *,
    ttl: int = DEFAULT_TTL_SECONDS,
    now: float | None = None,
    plugins: Iterable[str] = (VIDEOROOM_PLUGIN,),
) -> str:
    issued = time.time() if now is None else now
    return sign(secret, expires_at=int(issued) + ttl, realm=CORE_REALM, descriptors=plugins)


def room_token(
    secret: str, room_id: str, *, ttl: int = DEFAULT_TTL_SECONDS, now: float | None = None
) -> str:
    issued = time.time() if now is None else now
    return sign(
        secret,
        expires_at=int(issued) + ttl,
        realm=VIDEOROOM_PLUGIN,
        descriptors=[f"room={room_id}"],
    )


def verify(secret: str, token: str, *, realm: str, now: float | None = None) -> list[str]:
    """Return the descriptors of a valid token, as Janus would accept it; raise otherwise.

    Used only by tests and diagnostics: Janus itself is the enforcing party.
    """
    text, sep, signature = token.rpartition(":")
    if not sep:
        raise TokenError("token has no signature")
    expected = base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha1).digest())
    if not hmac.compare_digest(expected.decode(), signature):
        raise TokenError("bad signature")
    expiry, token_realm, *descriptors = text.split(",")
    if token_realm != realm:
        raise TokenError("wrong realm")
    if int(expiry) < (time.time() if now is None else now):
        raise TokenError("expired")
    return descriptors


def turn_credentials(secret: str, *, ttl: int, now: float | None = None) -> tuple[str, str]:
    """Time-limited TURN credentials for coturn's ``use-auth-secret`` (TURN REST API draft).

    The username carries only the expiry and an opaque random part, never a name or an id.
    """
    issued = time.time() if now is None else now
    username = f"{int(issued) + ttl}:{secrets.token_hex(6)}"
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return username, base64.b64encode(digest).decode()


def hash_token(token: str) -> str:
    """What is stored of a guest link's token (models.GuestInvite.token_hash)."""
    return hashlib.sha256(token.encode()).hexdigest()
