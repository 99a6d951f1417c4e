"""The gate to releases of information and the accounting of disclosures
(docs/permissions.md).

- A participant sees, signs and revokes only their own releases, and reads their own
  accounting of disclosures; these pages are 404 to staff and record no read (the person
  whose record it is reads it).
- Staff who may read a chart see its releases and its accounting (records one
  `consent.disclosures_viewed` read); participants get 404 on the staff page.
"""

import uuid

from django.db.models import QuerySet
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.consent.defaults import ensure_texts
from openiop.consent.models import Consent, ConsentKind, ConsentText, Disclosure
from openiop.lib.access import Granted
from openiop.participants.access import get_participant_for_user, own_chart
from openiop.participants.models import Participant


def releases_of(participant: Participant) -> QuerySet[Consent]:
    return Consent.objects.filter(participant=participant, kind=ConsentKind.RELEASE).order_by(
        "-signed_at", "-id"
    )


def disclosures_of(participant: Participant) -> QuerySet[Disclosure]:
    return (
        Disclosure.objects.filter(participant=participant)
        .select_related("consent")
        .order_by("-disclosed_at", "-id")
    )


def release_text(participant: Participant) -> ConsentText | None:
    """The newest version of the participant's program's release text (the default text
    when the program has not published one yet)."""
    if participant.program is None:
        return None
    ensure_texts(participant.program)
    return (
        ConsentText.objects.filter(program=participant.program, kind=ConsentKind.RELEASE)
        .order_by("-version")
        .first()
    )


def get_own_release(user: User, code: uuid.UUID | str) -> Consent:
    """One of the signed-in participant's own releases; anything else is 404."""
    participant = own_chart(user)
    try:
        return releases_of(participant).select_related("participant").get(code=code)
    except (Consent.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def get_chart_releases(user: User, code: uuid.UUID | str) -> Granted[Participant]:
    """A chart's releases and accounting, for staff who may read the chart."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    granted = get_participant_for_user(user, code, read=False)
    record_read("consent.disclosures_viewed", acting_user=user, participant=granted.row)
    return granted
