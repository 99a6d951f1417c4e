"""Start-up checks of the deployment's wiring that Django's own checks do not know about."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

RQ_BACKEND = "django_tasks_rq.RQBackend"


@register()
def check_task_queue(app_configs: Any, **kwargs: Any) -> list[Error]:
    """TASKS_BACKEND=rq keeps jobs in Redis: without a Redis URL there is nowhere to put them.

    Checked on the backend the settings chose (TASKS_BACKEND), not on the one in force, which
    the test suite replaces.
    """
    if getattr(settings, "TASKS_BACKEND", "") != RQ_BACKEND:
        return []
    if not getattr(settings, "TASKS_REDIS_URL", ""):
        return [
            Error(
                "TASKS_BACKEND=rq keeps background jobs in Redis, but no Redis is configured.",
                hint=(
                    "Set REDIS_URL (or TASKS_REDIS_URL), e.g. redis://10.0.0.5:6379/0, or use "
                    "TASKS_BACKEND=db. See docs/deploy.md, 'Task workers: database or RQ'."
                ),
                id="openiop.E030",
            )
        ]
    return []
