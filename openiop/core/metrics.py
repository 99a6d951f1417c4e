"""OpenIOP's own Prometheus metrics, computed when scraped (docs/observability.md).

Counts only: no name, no code, no participant. Each is one small aggregate query, so a scrape
every 15-30 s costs the database a handful of index scans.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import timedelta

import django_rq
from django.conf import settings
from django.db.models import Count, OuterRef, Subquery
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from redis.exceptions import RedisError

from openiop.safety.models import Acuity, EscalationNotice, SafetyAlert
from openiop.scheduling.models import ReminderClaim
from openiop.telehealth.models import Attendance, Room

# A claimed notice or reminder not sent within this long is stuck, not in flight.
STUCK_AFTER = timedelta(minutes=2)


class OpenIOPCollector(Collector):
    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = timezone.now()
        yield self._alerts_open()
        yield GaugeMetricFamily(
            "openiop_escalation_steps_late",
            "Open safety alerts past their acknowledge-by time (the ladder should have climbed).",
            value=SafetyAlert.objects.filter(
                status=SafetyAlert.Status.OPEN, acknowledge_by__lt=now
            ).count(),
        )
        yield GaugeMetricFamily(
            "openiop_escalation_notices_unsent",
            "Escalation notices claimed or failed and not sent for over 2 minutes.",
            value=EscalationNotice.objects.exclude(status=EscalationNotice.Status.SENT)
            .filter(claimed_at__lt=now - STUCK_AFTER)
            .count(),
        )
        yield GaugeMetricFamily(
            "openiop_reminders_unsent",
            "Session reminders claimed and not sent for over 2 minutes.",
            value=ReminderClaim.objects.filter(
                status=ReminderClaim.Status.CLAIMED, claimed_at__lt=now - STUCK_AFTER
            ).count(),
        )
        yield GaugeMetricFamily(
            "openiop_task_backlog",
            "Background tasks ready to run and not yet picked up by a worker.",
            value=task_backlog(),
        )
        yield from self._video()

    @staticmethod
    def _alerts_open() -> GaugeMetricFamily:
        family = GaugeMetricFamily(
            "openiop_safety_alerts_open", "Open safety alerts by acuity.", labels=["acuity"]
        )
        counts = dict(
            SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN)
            .values_list("acuity")
            .annotate(n=Count("id"))
            .values_list("acuity", "n")
        )
        for acuity in Acuity:
            family.add_metric([acuity.label.lower()], counts.get(acuity.value, 0))
        return family

    @staticmethod
    def _video() -> Iterator[GaugeMetricFamily]:
        rooms = GaugeMetricFamily(
            "openiop_video_rooms_open", "Open video rooms by Janus node.", labels=["node"]
        )
        people = GaugeMetricFamily(
            "openiop_video_participants_admitted",
            "Participants admitted to open video rooms, by Janus node.",
            labels=["node"],
        )
        open_rooms = Room.objects.filter(status=Room.Status.OPEN)
        for node, n in open_rooms.values_list("janus_node").annotate(n=Count("id")):
            rooms.add_metric([node], n)
        node_of = open_rooms.filter(session_code=OuterRef("session_code")).values("janus_node")
        admitted = (
            Attendance.objects.filter(
                state=Attendance.State.ADMITTED,
                session_code__in=open_rooms.values("session_code"),
            )
            .annotate(node=Subquery(node_of[:1]))
            .values_list("node")
            .annotate(n=Count("id"))
        )
        for node, n in admitted:
            people.add_metric([node], n)
        yield rooms
        yield people


def task_backlog() -> float:
    """Jobs ready to run that no worker has taken, on the queue TASKS uses (database or RQ).
    NaN when Redis does not answer: the backlog is then unknown, not zero."""
    backend = settings.TASKS["default"]
    if backend["BACKEND"] == settings.TASKS_BACKEND_ALIASES["rq"]:
        try:
            return float(sum(django_rq.get_queue(name).count for name in backend["QUEUES"]))
        except RedisError:
            return math.nan
    return float(DBTaskResult.objects.ready().count())
