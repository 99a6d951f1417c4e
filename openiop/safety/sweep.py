"""The safety net behind the ladder's jobs: a lost or crashed job never drops an alert.

Run every minute (`manage.py escalate_overdue`, from cron or a systemd timer, or the
`escalate_overdue` task). It climbs every open alert whose deadline passed or whose holder's
account was deactivated, and re-delivers notices whose worker died or whose retry was lost.
"""

from datetime import datetime

from django.utils import timezone

from openiop.safety import ladder, notices


def run(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    escalated = sum(ladder.escalate_if_due(pk, now=now) for pk in ladder.overdue_alert_ids(now))
    redelivered = notices.redeliver_stale(now)
    return {"escalated": escalated, "redelivered": redelivered}
