"""Background jobs (django-tasks; `manage.py db_worker` runs them from the database queue)."""

from django_tasks import task

from openiop.scheduling import reminders


@task()
def send_reminder(booking_id: int, kind: str, session_starts_at: str) -> int:
    return reminders.send_reminder(booking_id, kind, session_starts_at)


@task()
def send_cancellation_notice(booking_id: int, session_starts_at: str) -> int:
    return reminders.send_cancellation_notice(booking_id, session_starts_at)


@task()
def resend_stale_reminders() -> int:
    """The reminders' sweep as a job, for deployments that schedule jobs rather than commands."""
    return reminders.sweep()
