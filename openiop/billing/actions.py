"""Every billing write: atomic, keyword-only `acting_user`, one audit event in the same
transaction (ids, codes and counts only)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.utils import timezone

from openiop.audit.actions import record
from openiop.billing import codes as code_lists
from openiop.billing.models import (
    Authorization,
    BillingAlert,
    BillingProfile,
    Charge,
    Coverage,
    Payer,
    Plan,
)
from openiop.billing.queries import (
    attended_bookings,
    overlapping_coverage,
    qualifying_days,
    usage,
)
from openiop.lib.timefmt import format_date
from openiop.notes import disclosure
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.programs.models import Program


class BillingError(ValueError):
    """A write refused with a message for the person who asked (never logged)."""


def program_today(program: Program) -> date:
    return timezone.localdate(timezone=ZoneInfo(program.timezone))


def save_profile(*, program: Program, fields: dict[str, Any], acting_user: Any) -> BillingProfile:
    with transaction.atomic():
        profile, created = BillingProfile.objects.update_or_create(program=program, defaults=fields)
        record(
            "billing.profile_saved",
            acting_user=acting_user,
            target=program,
            details={"program": str(program.code), "created": created, "fields": sorted(fields)},
        )
    return profile


def save_payer(
    *, program: Program, fields: dict[str, Any], acting_user: Any, payer: Payer | None = None
) -> Payer:
    """Create a payer (or change `payer`); `fields["codes"]` is a parsed code list."""
    with transaction.atomic():
        if payer is None:
            payer = Payer.objects.create(program=program, **fields)
            created = True
        else:
            for name, value in fields.items():
                setattr(payer, name, value)
            payer.save()
            created = False
        record(
            "billing.payer_saved",
            acting_user=acting_user,
            target=payer,
            details={"payer": str(payer.code), "created": created, "fields": sorted(fields)},
        )
    return payer


def add_plan(*, payer: Payer, name: str, acting_user: Any) -> Plan:
    with transaction.atomic():
        plan = Plan.objects.create(payer=payer, name=name)
        record(
            "billing.plan_added",
            acting_user=acting_user,
            target=plan,
            details={"payer": str(payer.code), "plan": str(plan.code)},
        )
    return plan


def _refuse_overlap(
    participant: Participant,
    *,
    priority: str,
    starts_on: date,
    ends_on: date | None,
    excluding: Coverage | None = None,
) -> None:
    """BillingError when another coverage of the participant at `priority` has dates that
    overlap [starts_on, ends_on] (None: no end). Callers hold the participant's row lock."""
    if ends_on is not None and ends_on < starts_on:
        raise BillingError("Coverage cannot end before it starts.")
    other = overlapping_coverage(
        participant, priority=priority, starts_on=starts_on, ends_on=ends_on, excluding=excluding
    )
    if other is None:
        return
    until = f"to {format_date(other.ends_on)}" if other.ends_on else "with no end date"
    raise BillingError(
        f"This participant already has {other.get_priority_display().lower()} coverage "
        f"({other.plan}) from {format_date(other.starts_on)} {until}, and the dates overlap: "
        "end that coverage first, or choose dates that do not overlap."
    )


def _lock_participant(participant_id: int) -> None:
    # Two people changing the same person's coverage queue here, so the overlap check and the
    # write that follows it cannot interleave.
    Participant.objects.select_for_update().filter(pk=participant_id).first()


def add_coverage(*, participant: Participant, fields: dict[str, Any], acting_user: Any) -> Coverage:
    """Record a coverage, or raise BillingError (nothing saved) when its dates overlap another
    coverage of the participant at the same priority."""
    with transaction.atomic():
        _lock_participant(participant.pk)
        _refuse_overlap(
            participant,
            priority=fields["priority"],
            starts_on=fields["starts_on"],
            ends_on=fields.get("ends_on"),
        )
        coverage = Coverage.objects.create(participant=participant, **fields)
        record(
            "billing.coverage_added",
            acting_user=acting_user,
            participant=participant,
            target=coverage,
            details={"coverage": str(coverage.code), "priority": coverage.priority},
        )
    return coverage


STALE_COVERAGE = (
    "Someone else changed this coverage while you were editing. Your entries are kept below, "
    "and the saved details are at the top of the page: check them and save again."
)


class StaleCoverage(BillingError):
    """The coverage changed since the page that asks to change it was loaded."""

    def __init__(self) -> None:
        super().__init__(STALE_COVERAGE)


@dataclass(frozen=True)
class CoverageChange:
    coverage: Coverage
    # names of the fields that changed (none: nothing was written)
    fields: list[str]
    # exported charges of this coverage the change may concern: all of them for an edit,
    # those after the last day covered for an end
    exported: int


def update_coverage(
    *, coverage: Coverage, fields: dict[str, Any], expected_version: int, acting_user: Any
) -> CoverageChange:
    """Change a coverage's details (not its plan), or raise BillingError with nothing saved:
    StaleCoverage when someone saved it since `expected_version`, or dates that end before
    they start or overlap another coverage at the same priority."""
    return _change_coverage(
        coverage,
        fields=fields,
        expected_version=expected_version,
        event="billing.coverage_updated",
        acting_user=acting_user,
    )


def end_coverage(
    *, coverage: Coverage, ends_on: date, expected_version: int, acting_user: Any
) -> CoverageChange:
    """Give a coverage its last day (it stays on file: charges and authorizations point at
    it). The same refusals as update_coverage; a later date than the current end counts as a
    change of dates and may not overlap the next coverage."""
    return _change_coverage(
        coverage,
        fields={"ends_on": ends_on},
        expected_version=expected_version,
        event="billing.coverage_ended",
        acting_user=acting_user,
    )


def _change_coverage(
    coverage: Coverage,
    *,
    fields: dict[str, Any],
    expected_version: int,
    event: str,
    acting_user: Any,
) -> CoverageChange:
    with transaction.atomic():
        _lock_participant(coverage.participant_id)
        current = (
            Coverage.objects.select_for_update(of=("self",))
            .select_related("participant", "plan__payer")
            .get(pk=coverage.pk)
        )
        if current.version != expected_version:
            raise StaleCoverage
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return CoverageChange(current, [], 0)
        _refuse_overlap(
            current.participant,
            priority=fields.get("priority", current.priority),
            starts_on=fields.get("starts_on", current.starts_on),
            ends_on=fields.get("ends_on", current.ends_on),
            excluding=current,
        )
        for name in changed:
            setattr(current, name, fields[name])
        current.version = F("version") + 1  # type: ignore[assignment]
        current.save(update_fields=[*changed, "version"])
        current.refresh_from_db()
        exported = Charge.objects.filter(coverage=current, status=Charge.Status.EXPORTED)
        if event == "billing.coverage_ended" and current.ends_on is not None:
            exported = exported.filter(service_date__gt=current.ends_on)
        concerned = exported.count()
        record(
            event,
            acting_user=acting_user,
            participant=current.participant,
            target=current,
            details={
                "coverage": str(current.code),
                "priority": current.priority,
                "fields": changed,
                "version": current.version,
            },
        )
    return CoverageChange(current, changed, concerned)


def add_authorization(
    *, coverage: Coverage, fields: dict[str, Any], acting_user: Any
) -> tuple[Authorization, int]:
    """Record an authorization; returns it and the units its dates already hold.

    An authorization entered late may already be exceeded (more qualifying days in its dates
    than units approved). It is kept, since it is what the payer approved; the days past its
    units are held (UNITS_EXHAUSTED) and the page says so."""
    if fields["ends_on"] < fields["starts_on"]:
        raise BillingError("The authorization cannot end before it starts.")
    with transaction.atomic():
        auth = Authorization.objects.create(
            coverage=coverage, participant=coverage.participant, created_by=acting_user, **fields
        )
        auth.participant = coverage.participant
        used = usage([auth])[auth.pk].used
        record(
            "billing.authorization_added",
            acting_user=acting_user,
            participant=coverage.participant,
            target=auth,
            details={"authorization": str(auth.code), "coverage": str(coverage.code)},
        )
    return auth, used


# --- charges -------------------------------------------------------------------------------


@dataclass
class Generated:
    created: int = 0
    changed: int = 0
    removed: int = 0
    held: int = 0
    ready: int = 0


def _unsigned_days(program: Program, first: date, last: date) -> set[tuple[int, date]]:
    """(participant, day) pairs with an attended session that has no signed note for them."""
    signed = Note.objects.filter(
        participant_id=OuterRef("participant_id"),
        session_id=OuterRef("session_id"),
        status=Note.Status.SIGNED,
    )
    rows = (
        attended_bookings(program, first, last)
        .exclude(Exists(signed))
        .values_list("participant_id", "session__local_date")
        .distinct()
    )
    return set(rows)


def generate_charges(*, program: Program, first: date, last: date, acting_user: Any) -> Generated:
    """Make or refresh one charge per qualifying day in [first, last] (docs/billing.md).

    Exported charges are never touched. A charge is held, with its reason, when the day has no
    primary coverage, no authorization covering it, the authorization's units are used up by
    earlier days, a session that day has no signed note, the payer has no code pair for the
    program, or the claim would carry Part 2 information (a Part 2 program's codes, an SUD
    diagnosis) and the participant has no Part 2 consent for payment in force
    (notes.disclosure.without_payment_consent). A fixed number of queries, whatever the number
    of participants.
    """
    if last < first:
        raise BillingError("The period ends before it starts.")
    result = Generated()
    with transaction.atomic():
        Program.objects.select_for_update().get(pk=program.pk)
        days = qualifying_days(program, first, last)
        ids = set(days)
        coverages: dict[int, list[Coverage]] = defaultdict(list)
        for coverage in Coverage.objects.filter(
            participant__program=program, priority=Coverage.Priority.PRIMARY
        ).select_related("plan__payer"):
            coverages[coverage.participant_id].append(coverage)
        auths = list(
            Authorization.objects.filter(
                participant__program=program, starts_on__lte=last, ends_on__gte=first
            )
            .select_related("participant__program")
            .order_by("starts_on", "pk")
        )
        used = usage(auths, until=last)
        auths_by_participant: dict[int, list[Authorization]] = defaultdict(list)
        for auth in auths:
            auths_by_participant[auth.participant_id].append(auth)
        unsigned = _unsigned_days(program, first, last)
        no_consent = disclosure.without_payment_consent(ids, program=program)
        existing = {
            (c.participant_id, c.service_date): c
            for c in Charge.objects.filter(
                program=program, service_date__gte=first, service_date__lte=last
            )
        }
        new: list[Charge] = []
        changed: list[Charge] = []
        for pid in sorted(ids):
            for day, minutes in sorted(days[pid].items()):
                values = _charge_values(
                    program,
                    pid,
                    day,
                    minutes,
                    coverages,
                    auths_by_participant,
                    used,
                    unsigned,
                    no_consent,
                )
                charge = existing.pop((pid, day), None)
                if values["status"] == Charge.Status.HELD:
                    result.held += 1
                else:
                    result.ready += 1
                if charge is None:
                    new.append(
                        Charge(program=program, participant_id=pid, service_date=day, **values)
                    )
                elif charge.status != Charge.Status.EXPORTED and any(
                    getattr(charge, k) != v for k, v in values.items()
                ):
                    for key, value in values.items():
                        setattr(charge, key, value)
                    changed.append(charge)
        Charge.objects.bulk_create(new)
        if changed:
            Charge.objects.bulk_update(changed, [*_FIELDS, "updated_at"])
        stale = [c.pk for c in existing.values() if c.status != Charge.Status.EXPORTED]
        if stale:
            Charge.objects.filter(pk__in=stale).delete()
        result.created, result.changed, result.removed = len(new), len(changed), len(stale)
        record(
            "billing.charges_generated",
            acting_user=acting_user,
            target=program,
            details={
                "program": str(program.code),
                "first_day": first.isoformat(),
                "last_day": last.isoformat(),
                "created": result.created,
                "changed": result.changed,
                "removed": result.removed,
                "held": result.held,
            },
        )
    return result


_FIELDS = [
    "minutes",
    "coverage_id",
    "authorization_id",
    "revenue_code",
    "hcpcs",
    "amount",
    "status",
    "hold_reason",
]


def _charge_values(
    program: Program,
    pid: int,
    day: date,
    minutes: int,
    coverages: dict[int, list[Coverage]],
    auths: dict[int, list[Authorization]],
    used: dict[int, Any],
    unsigned: set[tuple[int, date]],
    no_consent: set[int],
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "minutes": minutes,
        "coverage_id": None,
        "authorization_id": None,
        "revenue_code": "",
        "hcpcs": "",
        "amount": 0,
        "status": Charge.Status.READY,
        "hold_reason": "",
    }

    def held(reason: str) -> dict[str, Any]:
        return values | {"status": Charge.Status.HELD, "hold_reason": reason}

    coverage = next((c for c in coverages.get(pid, []) if c.covers(day)), None)
    if coverage is None:
        return held(Charge.HoldReason.NO_COVERAGE)
    payer = coverage.plan.payer
    values["coverage_id"] = coverage.pk
    pair = code_lists.pair_for(payer.codes, substance_use=program.part2_program)
    if pair is not None:
        values |= {
            "revenue_code": pair.revenue_code,
            "hcpcs": pair.hcpcs,
            "amount": payer.per_diem_rate,
        }
    covering = [
        a
        for a in auths.get(pid, [])
        if a.coverage_id == coverage.pk and a.starts_on <= day <= a.ends_on
    ]
    if not covering:
        return held(Charge.HoldReason.NO_AUTHORIZATION)
    within = [a for a in covering if day in used[a.pk].days[: a.units_approved]]
    if not within:
        values["authorization_id"] = covering[0].pk
        return held(Charge.HoldReason.UNITS_EXHAUSTED)
    values["authorization_id"] = within[0].pk
    if (pid, day) in unsigned:
        return held(Charge.HoldReason.UNSIGNED_NOTE)
    if pair is None:
        return held(Charge.HoldReason.NO_CODES)
    if pid in no_consent:
        return held(Charge.HoldReason.NO_PART2_CONSENT)
    return values


# --- alerts --------------------------------------------------------------------------------


def alert_thresholds() -> tuple[int, int]:
    """(units left, days left) at or under which an authorization goes on the worklist."""
    return (
        int(getattr(settings, "BILLING_ALERT_UNITS_LEFT", 2)),
        int(getattr(settings, "BILLING_ALERT_DAYS_LEFT", 7)),
    )


def sweep_alerts(*, acting_user: Any = None) -> dict[str, int]:
    """Raise a worklist line for each authorization in force with few units left or close to
    its end date, and resolve lines whose reason has gone (units added, a new authorization
    recorded, the authorization ended). Run daily by tasks.check_authorizations.

    A fixed number of queries per program, whatever the number of authorizations and lines:
    only authorizations not ended before today (with a day's slack for the programs' zones)
    and the lines still open or belonging to them are read, and the changes are written in
    bulk. One `billing.alerts_swept` event records the run with its counts."""
    units_limit, days_limit = alert_thresholds()
    now = timezone.now()
    # A program west or east of UTC may be a day behind or ahead of the server's date.
    since, until = now.date() - timedelta(days=1), now.date() + timedelta(days=1)
    with transaction.atomic():
        auths = list(
            Authorization.objects.filter(ends_on__gte=since, starts_on__lte=until)
            .select_related("participant__program")
            .order_by("pk")
        )
        todays: dict[int, date] = {}
        live: list[Authorization] = []
        for auth in auths:
            program = auth.participant.program
            if program is None:
                continue
            today = todays.setdefault(program.pk, program_today(program))
            if auth.starts_on <= today <= auth.ends_on:
                live.append(auth)
        used = usage(live)
        wanted: dict[tuple[int, str], tuple[int, int]] = {}
        for auth in live:
            today = todays[auth.participant.program_id]  # type: ignore[index]
            units_left = auth.units_approved - used[auth.pk].used
            days_left = (auth.ends_on - today).days
            if units_left <= units_limit:
                wanted[(auth.pk, BillingAlert.Kind.UNITS_LOW)] = (units_left, days_left)
            if days_left <= days_limit:
                wanted[(auth.pk, BillingAlert.Kind.EXPIRING)] = (units_left, days_left)
        # Lines of authorizations long ended are history: only open ones, and those of the
        # authorizations read above (a resolved line comes back when its reason returns).
        current = {
            (a.authorization_id, a.kind): a
            for a in BillingAlert.objects.filter(
                Q(resolved_at__isnull=True)
                | Q(authorization__ends_on__gte=since, authorization__starts_on__lte=until)
            )
        }
        new: list[BillingAlert] = []
        changed: list[BillingAlert] = []
        raised = 0
        for key, (units_left, days_left) in wanted.items():
            alert = current.pop(key, None)
            if alert is None:
                new.append(
                    BillingAlert(
                        authorization_id=key[0],
                        kind=key[1],
                        raised_at=now,
                        units_left=units_left,
                        days_left=days_left,
                    )
                )
                continue
            if alert.resolved_at is not None:
                raised += 1
                alert.raised_at, alert.resolved_at = now, None
            elif (alert.units_left, alert.days_left) == (units_left, days_left):
                continue
            alert.units_left, alert.days_left = units_left, days_left
            changed.append(alert)
        BillingAlert.objects.bulk_create(new)
        BillingAlert.objects.bulk_update(
            changed, ["raised_at", "resolved_at", "units_left", "days_left"]
        )
        gone = [a.pk for a in current.values() if a.resolved_at is None]
        resolved = BillingAlert.objects.filter(pk__in=gone).update(resolved_at=now) if gone else 0
        raised += len(new)
        if raised or resolved:
            record(
                "billing.alerts_swept",
                acting_user=acting_user,
                details={"created": raised, "removed": resolved},
            )
    return {"raised": raised, "resolved": resolved}
