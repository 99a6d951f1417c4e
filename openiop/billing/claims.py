"""837 batches and the CSV of charges (docs/billing.md). Nothing here sends anything: a person
downloads the file and submits it through their clearinghouse."""

from collections import defaultdict
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.audit.actions import record
from openiop.billing.actions import BillingError
from openiop.billing.models import BillingProfile, Charge, ClaimBatch, Payer
from openiop.careplans.models import Diagnosis
from openiop.lib import x12
from openiop.lib.csvcells import csv_text
from openiop.notes import disclosure
from openiop.programs.models import Program

VERSIONS = {
    Payer.ClaimFormat.INSTITUTIONAL: x12.INSTITUTIONAL,
    Payer.ClaimFormat.PROFESSIONAL: x12.PROFESSIONAL,
}


def export_batch(
    *, program: Program, payer: Payer, first: date, last: date, acting_user: Any
) -> ClaimBatch:
    """Put every ready charge of `payer` in [first, last] into a new batch and mark them
    exported, or raise BillingError (nothing changes) when one cannot be written, or when a
    participant's Part 2 consent for payment ended after their charges were made ready (a
    revocation takes effect at once, 42 CFR 2.31(a)(6))."""
    with transaction.atomic():
        charges = list(
            Charge.objects.select_for_update(of=("self",))
            .filter(
                program=program,
                status=Charge.Status.READY,
                coverage__plan__payer=payer,
                service_date__gte=first,
                service_date__lte=last,
            )
            .select_related("participant", "coverage", "authorization")
            .order_by("participant_id", "service_date")
        )
        if not charges:
            raise BillingError("No charges are ready for this payer in this period.")
        _refuse_without_consent(program, charges)
        batch = ClaimBatch.objects.create(
            program=program,
            payer=payer,
            claim_format=payer.claim_format,
            created_by=acting_user,
            created_at=timezone.now(),
        )
        Charge.objects.filter(pk__in=[c.pk for c in charges]).update(
            status=Charge.Status.EXPORTED, batch=batch
        )
        for charge in charges:
            charge.batch = batch
        _render(batch, charges)  # refuses the batch (rolls back) when a value cannot be written
        record(
            "billing.batch_exported",
            acting_user=acting_user,
            target=batch,
            details={
                "batch": str(batch.code),
                "payer": str(payer.code),
                "format": payer.claim_format,
                "number": len(charges),
            },
        )
    return batch


def _refuse_without_consent(program: Program, charges: list[Charge]) -> None:
    blocked = disclosure.without_payment_consent(
        {c.participant_id for c in charges}, program=program
    )
    if not blocked:
        return
    names = sorted(
        {
            f"{c.participant.given_name} {c.participant.family_name}"
            for c in charges
            if c.participant_id in blocked
        }
    )
    raise BillingError(
        "Could not make the 837: no Part 2 consent for payment is in force for "
        f"{', '.join(names)} (revoked or expired since the charges were made), and their claims "
        "would carry substance use information. Make the month's charges again, which holds "
        "those days, then export. Nothing was exported."
    )


def batch_text(batch: ClaimBatch, *, acting_user: Any) -> str:
    """The batch's 837 file, made again from its charges (the same bytes each time)."""
    charges = list(
        batch.charges.select_related("participant", "coverage", "authorization").order_by(
            "participant_id", "service_date"
        )
    )
    text = _render(batch, charges)
    record(
        "billing.batch_downloaded",
        acting_user=acting_user,
        target=batch,
        details={"batch": str(batch.code), "number": len(charges)},
    )
    return text


def _render(batch: ClaimBatch, charges: list[Charge]) -> str:
    program, payer = batch.program, batch.payer
    if not charges:
        raise BillingError("This claim file holds no charges.")
    try:
        profile = BillingProfile.objects.get(program=program)
    except BillingProfile.DoesNotExist as exc:
        raise BillingError(
            "Fill in the program's billing details (NPI, tax id, address) first."
        ) from exc
    diagnoses: dict[int, list[str]] = defaultdict(list)
    for diagnosis in Diagnosis.objects.filter(
        participant_id__in={c.participant_id for c in charges},
        status=Diagnosis.Status.ACTIVE,
    ).order_by("participant_id", "rank", "pk"):  # "primary" sorts before "secondary"
        diagnoses[diagnosis.participant_id].append(diagnosis.icd10_code)
    provider = x12.Provider(
        name=profile.organization_name,
        npi=profile.npi,
        tax_id=profile.tax_id,
        address=profile.address,
        city=profile.city,
        state=profile.state,
        postal_code=profile.postal_code,
        contact_name=profile.contact_name,
        contact_phone=profile.contact_phone,
        submitter_id=profile.submitter_id,
        attending_family_name=profile.attending_family_name,
        attending_given_name=profile.attending_given_name,
        attending_npi=profile.attending_npi,
    )
    grouped: dict[tuple[int, int | None], list[Charge]] = defaultdict(list)
    for charge in charges:
        grouped[(charge.participant_id, charge.authorization_id)].append(charge)
    claims = []
    for number, ((_pid, _auth), lines) in enumerate(grouped.items(), start=1):
        first = lines[0]
        participant, coverage = first.participant, first.coverage
        assert coverage is not None
        if not diagnoses.get(participant.pk):
            raise BillingError(
                f"{participant.given_name} {participant.family_name} has no active diagnosis: "
                "a claim needs one. Add it to the chart's summary, then export again."
            )
        is_self = coverage.relationship == coverage.Relationship.SELF
        claims.append(
            x12.Claim(
                control_number=f"{batch.pk}-{number}",
                payer_name=payer.name,
                payer_id=payer.payer_id,
                filing_indicator=payer.filing_indicator,
                subscriber_family_name=participant.family_name
                if is_self
                else coverage.subscriber_family_name,
                subscriber_given_name=participant.given_name
                if is_self
                else coverage.subscriber_given_name,
                member_id=coverage.member_id,
                group_number=coverage.group_number,
                subscriber_birth_date=participant.date_of_birth
                if is_self
                else (coverage.subscriber_date_of_birth or participant.date_of_birth),
                subscriber_sex=coverage.sex,
                address=coverage.address,
                city=coverage.city,
                state=coverage.state,
                postal_code=coverage.postal_code,
                relationship=coverage.relationship,
                patient_family_name=participant.family_name,
                patient_given_name=participant.given_name,
                patient_birth_date=participant.date_of_birth,
                patient_sex=coverage.sex,
                diagnosis_codes=diagnoses[participant.pk],
                authorization_number=first.authorization.reference_number
                if first.authorization
                else "",
                lines=[x12.Line(c.service_date, c.revenue_code, c.hcpcs, c.amount) for c in lines],
                priority=coverage.priority,
                facility_code=profile.facility_code,
            )
        )
    try:
        return x12.batch(
            claims,
            provider=provider,
            receiver_id=payer.payer_id,
            receiver_name=payer.name,
            control_number=batch.pk,
            created_at=batch.created_at,
            version=VERSIONS[Payer.ClaimFormat(batch.claim_format)],
        )
    except x12.X12ValueError as exc:
        raise BillingError(_explain(exc, claims)) from exc


def _explain(exc: x12.X12ValueError, claims: list[x12.Claim]) -> str:
    """Which person's which field cannot go into an 837 (shown to the exporter only)."""
    who = ""
    for claim in claims:
        try:
            x12.batch(
                [claim],
                provider=_dummy_provider(),
                receiver_id="X",
                receiver_name="X",
                control_number=1,
                created_at=timezone.now(),
            )
        except x12.X12ValueError:
            who = f"{claim.patient_given_name} {claim.patient_family_name}: "
            break
    return (
        f"Could not make the 837: {who}the {exc.field_name} {str(exc).split(': ', 1)[1]}. "
        "X12 has no way to escape these characters; correct the record and export again. "
        "Nothing was exported."
    )


def _dummy_provider() -> x12.Provider:
    return x12.Provider(
        name="X",
        npi="1234567893",
        tax_id="123456789",
        address="X",
        city="X",
        state="NY",
        postal_code="100010001",
        contact_name="X",
        contact_phone="5555550100",
        submitter_id="X",
        attending_family_name="X",
        attending_given_name="X",
        attending_npi="1234567893",
    )


CSV_HEADER = [
    "Service date",
    "Participant",
    "Payer",
    "Member id",
    "Authorization",
    "Revenue code",
    "HCPCS",
    "Amount",
    "Minutes",
    "Status",
    "Hold reason",
    "Batch",
]


def charges_csv(charges: list[Charge]) -> str:
    """The charges as CSV; every cell through lib.csvcells (no spreadsheet formulas)."""
    rows: list[list[Any]] = [CSV_HEADER]
    for c in charges:
        payer = c.coverage.plan.payer.name if c.coverage else ""
        rows.append(
            [
                c.service_date.isoformat(),
                f"{c.participant.family_name}, {c.participant.given_name}",
                payer,
                c.coverage.member_id if c.coverage else "",
                c.authorization.reference_number if c.authorization else "",
                c.revenue_code,
                c.hcpcs,
                c.amount,
                c.minutes,
                c.get_status_display(),
                c.get_hold_reason_display() if c.hold_reason else "",
                c.batch_id or "",
            ]
        )
    return csv_text(rows)
