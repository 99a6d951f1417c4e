"""Background job of the measurement sweep (django-tasks; `manage.py db_worker` runs it)."""

from django_tasks import task

from openiop.outcomes import sweep


@task()
def assign_measures() -> dict[str, int]:
    """The sweep as a job, for deployments that schedule jobs rather than commands."""
    return sweep.run()
