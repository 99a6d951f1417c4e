"""Background jobs (django-tasks; `manage.py db_worker` runs them from the database queue)."""

from django_tasks import task

from openiop.messaging import threads_notices


@task()
def notify_new_message(message_id: int) -> int:
    return threads_notices.send_new_message_notices(message_id)
