"""Background jobs (django-tasks; `manage.py db_worker` runs them from the database queue)."""

from django_tasks import task

from openiop.billing import actions


@task()
def check_authorizations() -> dict[str, int]:
    """Daily: put authorizations about to run out or expire on the billing worklist
    (`manage.py billing_sweep` runs the same for deployments that schedule commands)."""
    return actions.sweep_alerts()
