"""Background jobs of the escalation ladder (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from openiop.safety import ladder, notices, sweep


@task()
def notify(alert_id: int, step: int, round_: int) -> int:
    """Tell one step's person, by text and email, exactly once per channel."""
    return notices.notify(alert_id, step, round_)


@task()
def check_deadline(alert_id: int) -> bool:
    """Queued for the deadline: climb one step if nobody acknowledged in time."""
    return ladder.escalate_if_due(alert_id)


@task()
def escalate_overdue() -> dict[str, int]:
    """The sweep as a job, for deployments that schedule jobs rather than commands."""
    return sweep.run()
