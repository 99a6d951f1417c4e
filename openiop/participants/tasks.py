"""Background jobs (django-tasks; `manage.py db_worker` runs them from the database queue)."""

from django_tasks import task

from openiop.participants import notices


@task()
def notify_privacy_officers(grant_id: int) -> int:
    return notices.notify_privacy_officers(grant_id)
