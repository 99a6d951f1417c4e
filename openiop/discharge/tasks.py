"""Background jobs (django-tasks; `manage.py db_worker` runs them from the database queue)."""

from django_tasks import task

from openiop.discharge import notices


@task()
def notify_participant(summary_id: int) -> int:
    return notices.send_discharge_notice(summary_id)
