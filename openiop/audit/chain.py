"""The hash chain: what a row's hash covers and how the chain is checked.

Each row's hash is an HMAC-SHA256, under a key kept outside the database, of the row's content,
the id of that key and the previous row's hash. Without the key nobody can recompute a hash, so
an edited row fails its own check; rows cut from the end are caught by the checkpoints
(checkpoints.py).
"""

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


def row_hash(fields: dict[str, Any], prev_hash: str, key: bytes) -> str:
    """HMAC-SHA256 over a canonical JSON form of the row's content and the previous hash."""
    payload = json.dumps(
        {**fields, "prev_hash": prev_hash},
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
        default=str,
    )
    return hmac.new(key, payload.encode("ascii"), hashlib.sha256).hexdigest()


def hashed_fields(event: Any) -> dict[str, Any]:
    return {
        "seq": event.seq,
        "occurred_at": event.occurred_at.isoformat(),
        "event_type": event.event_type,
        "actor_id": event.actor_id,
        "participant_id": event.participant_id,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "outcome": event.outcome,
        "ip_address": event.ip_address,
        "user_agent": event.user_agent,
        "details": event.details,
        "key_id": event.key_id,
    }


@dataclass
class ChainBreak:
    seq: int
    reason: str


def verify(
    events: Iterable[Any], key_for: Callable[[str], bytes | None]
) -> tuple[int, ChainBreak | None]:
    """Walk the trail in order; return how many rows were good and the first bad one."""
    expected_seq = 1
    prev_hash = GENESIS_HASH
    checked = 0
    keys: dict[str, bytes | None] = {}
    for event in events:
        if event.seq != expected_seq:
            return checked, ChainBreak(expected_seq, f"row {expected_seq} is missing")
        if event.prev_hash != prev_hash:
            return checked, ChainBreak(event.seq, "its link to the previous row is broken")
        if event.key_id not in keys:
            keys[event.key_id] = key_for(event.key_id)
        key = keys[event.key_id]
        if key is None:
            return checked, ChainBreak(
                event.seq, f"it names key id {event.key_id!r}, which is not configured"
            )
        if not hmac.compare_digest(row_hash(hashed_fields(event), prev_hash, key), event.hash):
            return checked, ChainBreak(event.seq, "its content does not match its hash")
        prev_hash = event.hash
        expected_seq += 1
        checked += 1
    return checked, None
