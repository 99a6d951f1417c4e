"""Read events: who looked at a participant's record (DESIGN.md rule 3).

Each app's access.py calls `record_read` when it hands a row to a page that shows it, so a page
view writes exactly one read event and views never record reads themselves. Which pages record
a read is listed in docs/permissions.md; the authorisation matrix checks each one.
"""

from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from redis.exceptions import RedisError

from openiop.audit.actions import record

# Every event type a read writes. The matrix test counts these per request.
READ_EVENTS = frozenset(
    {
        "participant.chart_viewed",
        "participant.guardian_portal_viewed",
        "participant.duplicate_shown",
        "assessment.form_opened",
        "assessment.response_viewed",
        "assessment.exported",
        "safety.alert_viewed",
        "safety.plan_viewed",
        "safety.plan_exported",
        "safety.board_viewed",
        "safety.assessment_viewed",
        "safety.assessment_list_viewed",
        "safety.emergency_details_viewed",
        "scheduling.roster_viewed",
        "scheduling.session_viewed",
        "scheduling.calendar_feed_read",
        "telehealth.waiting_list_viewed",
        "telehealth.attendance_viewed",
        "telehealth.crisis_card_viewed",
        "careplans.summary_viewed",
        "careplans.summary_history_viewed",
        "careplans.plan_viewed",
        "careplans.plan_diff_viewed",
        "careplans.plan_exported",
        "notes.note_list_viewed",
        "notes.note_viewed",
        "notes.note_exported",
        "notes.group_note_viewed",
        "notes.psychotherapy_note_viewed",
        "notes.record_exported",
        "consent.disclosures_viewed",
        "discharge.summary_viewed",
        "discharge.summary_exported",
        "documents.list_viewed",
        "documents.document_downloaded",
        "consent.list_viewed",
        "consent.viewed",
        "consent.exported",
        "consent.access_request_viewed",
        "outcomes.completion_viewed",
        "outcomes.dashboard_viewed",
        "outcomes.dashboard_exported",
        "billing.coverage_viewed",
        "billing.charges_viewed",
        "billing.charges_exported",
        "billing.ur_packet_exported",
        "messaging.thread_viewed",
        "messaging.team_viewed",
        "messaging.case_review_viewed",
    }
)

# A polled fragment records one read per page view; a page left open all day polls under one
# view id, and a new read is recorded once this long has passed.
PAGE_VIEW_TTL_SECONDS = 12 * 60 * 60


# (acting_user, participant) -> details every read of that chart by that user carries, or {}.
# A higher app that can widen access (participants' break-the-glass) registers one, so that
# each read made under it says so whichever app's gate recorded it.
ReadDetails = Callable[[Any, Any], dict[str, Any]]
_read_details: list[ReadDetails] = []


def register_read_details(provider: ReadDetails) -> None:
    """Called in an AppConfig.ready; providers must not query (they run on every read)."""
    if provider not in _read_details:
        _read_details.append(provider)


def record_read(
    event_type: str,
    *,
    acting_user: Any,
    participant: Any = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    if event_type not in READ_EVENTS:
        raise ValueError(f"{event_type!r} is not a read event (add it to READ_EVENTS)")
    if participant is not None:
        for provider in _read_details:
            if extra := provider(acting_user, participant):
                details = {**(details or {}), **extra}
    record(
        event_type,
        acting_user=acting_user,
        participant=participant,
        target=target,
        details=details,
    )


def record_read_once(
    event_type: str,
    *,
    page_view: str,
    subject: str,
    acting_user: Any,
    participant: Any = None,
    target: Any = None,
    details: dict[str, Any] | None = None,
) -> None:
    """For fragments a page polls: record the read on the first request of `page_view` only.

    `page_view` is an id the embedding page made up and the poll sends back; `subject` names
    what is read (e.g. a session's code). The cache key holds the user and the subject as well,
    so nobody can silence someone else's reads, and an empty id (a request that is not a poll)
    always records.
    """
    key = f"audit-read:{event_type}:{acting_user.pk}:{subject}:{page_view[:64]}"
    try:
        first = cache.add(key, True, PAGE_VIEW_TTL_SECONDS) if page_view else True
    except RedisError:
        first = True  # without the cache, record every poll: a read is never lost
    if not first:
        return
    record_read(
        event_type,
        acting_user=acting_user,
        participant=participant,
        target=target,
        details=details,
    )
