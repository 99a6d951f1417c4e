"""The RQ worker OpenIOP runs when TASKS_BACKEND=rq (`manage.py rqworker default --with-scheduler`).

RQ's own, with its housekeeping every minute instead of every ten. Of the workers started
`--with-scheduler`, one holds the lock that moves jobs whose time came (reminders, deadlines)
onto the queue; if that worker dies, its lock lapses after a minute and another worker takes it
over at its next housekeeping. Every ten minutes would leave reminders late by as much.
"""

from typing import Any

from rq.worker import Worker as RQWorker

HOUSEKEEPING_SECONDS = 60


class Worker(RQWorker):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("maintenance_interval", HOUSEKEEPING_SECONDS)
        super().__init__(*args, **kwargs)
