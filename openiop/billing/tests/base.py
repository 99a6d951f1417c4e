"""Builders the billing tests share: a payer with a plan, coverage, an authorization, and
program days with attendance and (optionally) signed notes."""

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from openiop.billing.models import Authorization, BillingProfile, Coverage, Payer, Plan
from openiop.careplans.models import Diagnosis
from openiop.notes.models import Note
from openiop.programs.models import Group, GroupFacilitator, Track
from openiop.scheduling.models import Booking, Session

NOVEMBER = [date(2026, 11, d) for d in (2, 3, 4, 5, 9, 10)]


def profile(program: Any) -> BillingProfile:
    return BillingProfile.objects.create(
        program=program,
        organization_name="Harbor Behavioral Health",
        npi="1234567893",
        tax_id="12-3456789",
        address="1 Main St",
        city="Albany",
        state="NY",
        postal_code="12207-0001",
        contact_name="Billing Office",
        contact_phone="5185550100",
        submitter_id="HARBOR01",
        attending_given_name="Rosa",
        attending_family_name="Alvarez",
        attending_npi="1245319599",
    )


def payer(program: Any, *, claim_format: str = Payer.ClaimFormat.INSTITUTIONAL) -> Plan:
    the_payer = Payer.objects.create(
        program=program,
        name="Acme Health",
        payer_id="87726",
        claim_format=claim_format,
        per_diem_rate=Decimal("150.00"),
        codes=[
            {"service": "mh", "revenue_code": "0905", "hcpcs": "S9480"},
            {"service": "sud", "revenue_code": "0906", "hcpcs": "H0015"},
        ],
    )
    return Plan.objects.create(payer=the_payer, name="Choice PPO")


def coverage(
    participant: Any,
    plan: Plan,
    *,
    member_id: str = "ABC123",
    priority: str = Coverage.Priority.PRIMARY,
    starts: date = date(2026, 1, 1),
    ends: date | None = None,
) -> Coverage:
    return Coverage.objects.create(
        participant=participant,
        plan=plan,
        priority=priority,
        member_id=member_id,
        group_number="G100",
        sex=Coverage.Sex.FEMALE,
        address="12 Elm St",
        city="Troy",
        state="NY",
        postal_code="12180",
        starts_on=starts,
        ends_on=ends,
    )


def authorization(
    cov: Coverage,
    user: Any,
    *,
    units: int = 20,
    starts: date = date(2026, 11, 1),
    ends: date = date(2026, 11, 30),
    reference: str = "AUTH-1",
) -> Authorization:
    return Authorization.objects.create(
        coverage=cov,
        participant=cov.participant,
        level_of_care="iop",
        units_approved=units,
        starts_on=starts,
        ends_on=ends,
        reference_number=reference,
        created_by=user,
    )


def diagnosis(
    participant: Any, user: Any, code: str = "F33.1", *, rank: str = Diagnosis.Rank.PRIMARY
) -> Diagnosis:
    return Diagnosis.objects.create(
        participant=participant,
        icd10_code=code,
        description="Major depressive disorder, recurrent, moderate",
        rank=rank,
        updated_by=user,
    )


def group(
    case: Any,
    *,
    track: str = "Billing track",
    name: str = "Evening IOP",
    daily_minimum_hours: Decimal | None = None,
) -> Group:
    """A group of `track` (made with `daily_minimum_hours` the first time; None: the
    program's), led by Dr. Alvarez."""
    the_track, _ = Track.objects.get_or_create(
        program=case.program,
        name=track,
        defaults={"starts_on": date(2026, 11, 2), "daily_minimum_hours": daily_minimum_hours},
    )
    the_group, created = Group.objects.get_or_create(
        track=the_track, name=name, defaults={"curriculum_starts_on": date(2026, 11, 2)}
    )
    if created:
        GroupFacilitator.objects.create(group=the_group, clinician=case.alvarez, role="lead")
    return the_group


def program_day(
    case: Any,
    day: date,
    attended: dict[Any, int],
    *,
    signed: bool = True,
    hours: int = 3,
    at: int = 23,
    in_group: Group | None = None,
) -> Session:
    """A group session on `day` (of `in_group`, or the billing track's group), 18:00 New York;
    each participant attended the given minutes, with a signed note for each who attended
    (unless `signed` is False)."""
    start = datetime.combine(day, time(at, 0), tzinfo=UTC)
    session = Session.objects.create(
        program=case.program,
        group=in_group or group(case),
        kind=Session.Kind.GROUP,
        starts_at=start,
        ends_at=start + timedelta(hours=hours),
        local_date=day,
        local_starts_at=time(at - 5),
        local_ends_at=time(at - 5 + hours),
        timezone="America/New_York",
    )
    _attend(case, session, attended, signed=signed, kind=Note.Kind.GROUP)
    return session


def appointment(case: Any, day: date, participant: Any, minutes: int, *, at: int = 14) -> Session:
    """An individual session with Dr. Alvarez on `day` (no group, so no track), attended for
    `minutes`, with a signed note."""
    start = datetime.combine(day, time(at, 0), tzinfo=UTC)
    session = Session.objects.create(
        program=case.program,
        clinician=case.alvarez,
        kind=Session.Kind.INDIVIDUAL,
        starts_at=start,
        ends_at=start + timedelta(minutes=minutes),
        local_date=day,
        local_starts_at=time(at - 5),
        local_ends_at=(datetime.combine(day, time(at - 5)) + timedelta(minutes=minutes)).time(),
        timezone="America/New_York",
    )
    _attend(
        case,
        session,
        {participant: minutes},
        signed=True,
        kind=Note.Kind.INDIVIDUAL,
        source=Booking.Source.APPOINTMENT,
    )
    return session


def _attend(
    case: Any,
    session: Session,
    attended: dict[Any, int],
    *,
    signed: bool,
    kind: str,
    source: str = Booking.Source.ENROLLMENT,
) -> None:
    for participant, minutes in attended.items():
        Booking.objects.create(
            session=session,
            participant=participant,
            source=source,
            attendance=Booking.Attendance.PRESENT if minutes else Booking.Attendance.ABSENT,
            minutes_attended=minutes,
        )
        if minutes and signed:
            Note.objects.create(
                participant=participant,
                author=case.alvarez,
                kind=kind,
                session=session,
                started_at=session.starts_at,
                ended_at=session.ends_at,
                status=Note.Status.SIGNED,
                signed_by=case.alvarez,
                signed_at=session.ends_at + timedelta(hours=1),
                content_hash="0" * 64,
            )
