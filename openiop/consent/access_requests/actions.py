"""Writes for the right of access: each atomic, audited, with the acting user."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.consent.access_requests.hooks import record_contents
from openiop.consent.models import (
    ACCESS_EXTENSION_DAYS,
    ACCESS_REQUEST_DAYS,
    AccessRequest,
    Disclosure,
    Purpose,
)
from openiop.participants.models import Participant


class InvalidTransition(Exception):
    """The request's status does not allow this step (shown to the user as is)."""


DISCLOSURE_FORMAT = {
    AccessRequest.Format.PDF: Disclosure.Format.PDF,
    AccessRequest.Format.FHIR: Disclosure.Format.FHIR,
    AccessRequest.Format.BOTH: Disclosure.Format.PDF_AND_FHIR,
}


def program_zone(participant: Participant) -> str:
    program = participant.program
    return program.timezone if program is not None else str(settings.TIME_ZONE)


def program_today(participant: Participant, at: datetime | None = None) -> date:
    """Today in the participant's program's zone: the day deadlines are counted in."""
    return timezone.localdate(at or timezone.now(), ZoneInfo(program_zone(participant)))


def disclosure_basis(kind: str) -> str:
    """A personal representative stands in the participant's shoes (45 CFR 164.502(g)); a copy
    sent to an attorney or anyone else the participant names is still the participant's own
    access, directed to a third party (164.524(c)(3)(ii))."""
    if kind == AccessRequest.RequesterKind.REPRESENTATIVE:
        return Disclosure.Basis.REPRESENTATIVE
    return Disclosure.Basis.INDIVIDUAL


@transaction.atomic
def record_own_download(
    participant: Participant, *, format: str, contents: dict[str, int], acting_user: User
) -> Disclosure:
    """The participant downloaded their own record from the portal: a disclosure to the
    individual, kept in their accounting so they see every copy that left."""
    disclosure = Disclosure.objects.create(
        participant=participant,
        basis=Disclosure.Basis.INDIVIDUAL,
        recipient_name=participant.full_name,
        purpose=Purpose.PERSONAL,
        format=format,
        contents=contents,
        disclosed_by=acting_user,
    )
    record(
        "consent.record_disclosed",
        acting_user=acting_user,
        participant=participant,
        target=disclosure,
        details={"basis": disclosure.basis, "format": format, **_counts(contents)},
    )
    return disclosure


def _counts(contents: dict[str, int]) -> dict[str, int]:
    return {"notes": contents["notes"]} if "notes" in contents else {}


@transaction.atomic
def create_request(
    participant: Participant,
    *,
    requester_name: str,
    requester_kind: str,
    received_on: date,
    format: str,
    delivery: str,
    acting_user: User,
) -> AccessRequest:
    request = AccessRequest.objects.create(
        participant=participant,
        requester_name=requester_name,
        requester_kind=requester_kind,
        received_on=received_on,
        due_on=received_on + timedelta(days=ACCESS_REQUEST_DAYS),
        format=format,
        delivery=delivery,
        created_by=acting_user,
    )
    record(
        "consent.access_request_received",
        acting_user=acting_user,
        participant=participant,
        target=request,
        details={
            "kind": requester_kind,
            "date": received_on.isoformat(),
            "format": format,
            "delivery": delivery,
        },
    )
    return request


def _locked(request: AccessRequest) -> AccessRequest:
    """The row again, locked, so two clicks cannot both move it."""
    return (
        AccessRequest.objects.select_for_update(of=("self",))
        .select_related("participant__program")
        .get(pk=request.pk)
    )


def _require_open(request: AccessRequest) -> None:
    if not request.is_open:
        raise InvalidTransition(f"This request is already {request.get_status_display().lower()}.")


def _save(request: AccessRequest, event: str, *, acting_user: User, **details: object) -> None:
    request.handled_by = acting_user
    request.save()
    record(
        event,
        acting_user=acting_user,
        participant=request.participant,
        target=request,
        details={"status": request.status, **details},
    )


@transaction.atomic
def start(request: AccessRequest, *, acting_user: User) -> AccessRequest:
    request = _locked(request)
    if request.status != AccessRequest.Status.RECEIVED:
        raise InvalidTransition("Only a request just received can be started.")
    request.status = AccessRequest.Status.IN_PROGRESS
    _save(request, "consent.access_request_started", acting_user=acting_user)
    return request


@transaction.atomic
def extend(request: AccessRequest, *, reason: str, acting_user: User) -> AccessRequest:
    """The one extension the rule allows: 30 more days from the first deadline."""
    request = _locked(request)
    _require_open(request)
    if request.extended_to is not None:
        raise InvalidTransition("This request has already been extended once.")
    request.extended_to = request.due_on + timedelta(days=ACCESS_EXTENSION_DAYS)
    request.extension_reason = reason
    _save(
        request,
        "consent.access_request_extended",
        acting_user=acting_user,
        reason=reason,
        to=request.extended_to.isoformat(),
    )
    return request


@transaction.atomic
def deny(request: AccessRequest, *, reason: str, acting_user: User) -> AccessRequest:
    request = _locked(request)
    _require_open(request)
    request.status = AccessRequest.Status.DENIED
    request.denial_reason = reason
    request.closed_at = timezone.now()
    _save(request, "consent.access_request_denied", acting_user=acting_user, reason=reason)
    return request


@transaction.atomic
def withdraw(request: AccessRequest, *, acting_user: User) -> AccessRequest:
    request = _locked(request)
    _require_open(request)
    request.status = AccessRequest.Status.WITHDRAWN
    request.closed_at = timezone.now()
    _save(request, "consent.access_request_withdrawn", acting_user=acting_user)
    return request


@transaction.atomic
def record_delivery(request: AccessRequest, *, acting_user: User) -> AccessRequest:
    """The copy went out: close the request and add the delivery to the accounting."""
    request = _locked(request)
    _require_open(request)
    now = timezone.now()
    contents = record_contents(request.participant)
    disclosure = Disclosure.objects.create(
        participant=request.participant,
        basis=disclosure_basis(request.requester_kind),
        recipient_name=request.requester_name,
        purpose=Purpose.PERSONAL,
        format=DISCLOSURE_FORMAT[AccessRequest.Format(request.format)],
        contents=contents,
        disclosed_at=now,
        disclosed_by=acting_user,
    )
    record(
        "consent.record_disclosed",
        acting_user=acting_user,
        participant=request.participant,
        target=disclosure,
        details={"basis": disclosure.basis, "format": disclosure.format, **_counts(contents)},
    )
    request.status = AccessRequest.Status.FULFILLED
    request.delivered_at = now
    request.closed_at = now
    request.disclosure = disclosure
    _save(
        request,
        "consent.access_request_fulfilled",
        acting_user=acting_user,
        delivery=request.delivery,
    )
    return request
