"""What an audit event's `details` may hold: ids, codes, counts, dates and field names.

Two checks, both run by record() on every append, so a regression fails the test that makes
it rather than reaching a production trail:
1. Every key must be on ALLOWED_KEYS. A new key is a decision: add it here only for an id, a
   code, a count, a flag or field names, never for answers, item names, instrument keys, notes
   or anything a person typed.
2. Every value must be None, a bool or a number, a short code-like string (a UUID, an ISO date
   or time, a choice code, a field name) or a flat list of those. Free text (spaces), email
   addresses and phone numbers are refused whatever the key.
"""

import re
from typing import Any

ALLOWED_KEYS = frozenset(
    {
        # ids (UUID codes) of related rows
        "assignment",
        "clinician",
        "episode",
        "group",
        "seated_in",
        "track",
        "program",
        "replaces",
        "response",
        "session",
        "user",
        "addendum",
        "group_note",
        "intervention",
        "item",
        "note",
        "objective",
        "objectives",
        "plan",
        "signature",
        "summary",
        "alert",
        "assessment",
        "safety_plan",
        "shift",
        "invite",
        "invitation",
        "guardian_link",
        "compared",
        "grant",
        "consent",
        "disclosure",
        "payer",
        "coverage",
        "authorization",
        "batch",
        "task",
        "post",
        "case_review",
        # choice codes, flags and labels of configuration
        "action",
        "attendance",
        "automatic",
        "breakout",
        "can_write",
        "channel",
        "chosen",
        "complete",
        "created",
        "email",
        "format",
        "key_id",
        "kind",
        "level",
        "override",
        "priority",
        "proceed",
        "reason",
        "reauthenticated",
        "recommended",
        "role",
        "rule_set",
        "shipped",
        "signal",
        "sms",
        "source",
        "status",
        "type",
        "version",
        # a Janus node's configured name (a short code, docs/video.md)
        "node",
        "from_node",
        "acuity",
        "step",
        "disposition",
        "risk_level",
        "context",
        "decision",
        "rules",
        "break_glass",
        "basis",
        "delivery",
        "purpose",
        "scope",
        "part2",
        "notice",
        "signer",
        # counts, sizes and durations
        "already_current",
        "tables",
        "rows",
        "files",
        "answered",
        "attendees",
        "bookings_released",
        "enrollments_ended",
        "flags",
        "notes",
        "number",
        "pages",
        "bytes",
        "seated",
        "booked",
        "changed",
        "events",
        "minutes",
        "notified",
        "publishers",
        "removed",
        "replaced",
        "revoked",
        "rotated",
        "rules_fired",
        "sessions",
        "sessions_cancelled",
        "sessions_full",
        "trigger_count",
        "lines",
        "ttl",
        "weeks",
        "blocks",
        "seats",
        "topics",
        "plans",
        "diagnoses",
        "withheld",
        "held",
        # dates and values before/after a change
        "date",
        "first_day",
        "from",
        "last_day",
        "to",
        # names of the fields a change touched (never their values)
        "fields",
    }
)

_CODE = re.compile(r"[A-Za-z0-9_.:+@-]{0,80}")
_EMAIL = re.compile(r"[^@]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_PHONE = re.compile(r"\+?[0-9]{7,}")


class UnsafeAuditDetail(ValueError):
    """A detail that could carry PHI or clinical content; the message names the key only."""


def check_details(details: dict[str, Any]) -> None:
    for key, value in details.items():
        if key not in ALLOWED_KEYS:
            raise UnsafeAuditDetail(
                f"audit detail {key!r} is not on the allow-list in openiop/audit/details.py"
            )
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            if not _is_code(item):
                raise UnsafeAuditDetail(
                    f"audit detail {key!r} must hold ids, codes, counts or field names"
                )


def _is_code(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if not isinstance(value, str):
        return False
    return (
        _CODE.fullmatch(value) is not None
        and _EMAIL.fullmatch(value) is None
        and _PHONE.fullmatch(value) is None
    )
