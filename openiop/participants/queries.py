from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, IntegerField, Max, Min, OuterRef, QuerySet, Subquery, TextField
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce

from openiop.accounts.models import User
from openiop.audit.models import AuditEvent
from openiop.audit.reads import READ_EVENTS
from openiop.participants.models import BreakGlassGrant


@dataclass(frozen=True)
class StaffView:
    name: str
    role: str
    first_seen: datetime
    last_seen: datetime
    times: int


def chart_views_by_staff(participant) -> list[StaffView]:
    """One row per member of staff who opened the chart: first and last time, and how often."""
    rows = (
        AuditEvent.objects.filter(
            participant=participant,
            event_type="participant.chart_viewed",
            actor__isnull=False,
        )
        .exclude(actor__role="participant")
        .values(
            "actor__given_name",
            "actor__family_name",
            "actor__credentials",
            "actor__role",
            "actor__discipline",
        )
        .annotate(first_seen=Min("occurred_at"), last_seen=Max("occurred_at"), times=Count("id"))
        .order_by("-last_seen")
    )
    return [
        StaffView(
            name=" ".join(filter(None, [row["actor__given_name"], row["actor__family_name"]]))
            + (f", {row['actor__credentials']}" if row["actor__credentials"] else ""),
            role=(
                User.Discipline(row["actor__discipline"]).label
                if row["actor__discipline"]
                else User.Role(row["actor__role"]).label
            ),
            first_seen=row["first_seen"],
            last_seen=row["last_seen"],
            times=row["times"],
        )
        for row in rows
    ]


def break_glass_report() -> QuerySet[BreakGlassGrant]:
    """Every emergency access, newest first, each with `reads`: how many read events were
    recorded under it (one subquery, so the page's query count does not grow with the rows)."""
    reads = (
        AuditEvent.objects.filter(participant=OuterRef("participant"), event_type__in=READ_EVENTS)
        .annotate(grant_code=KeyTextTransform("grant", "details"))
        .filter(grant_code=Cast(OuterRef("code"), TextField()))
        .order_by()
        .values("participant")
        .annotate(count=Count("id"))
        .values("count")
    )
    return (
        BreakGlassGrant.objects.select_related("user", "participant", "participant__program")
        .annotate(reads=Coalesce(Subquery(reads, output_field=IntegerField()), 0))
        .order_by("-created_at", "-id")
    )
