"""Who writes and who reads a brief safety assessment (the gate; docs/safety.md).

- **Reaching it**: whoever may read the participant's chart, and, for an assessment started
  from an alert, whoever receives that alert (the on-call clinician need not be on the team).
  Anyone else gets a 404.
- **Writing one**: a licensed clinician — a clinician or a program director of a clinical
  discipline (psychiatrist, psychologist, social worker, counselor, nurse) — who may act on the
  alert or change the chart. Peer specialists, case managers, intake coordinators and
  administrators read, where they may, but do not author (403).
- **Changing a draft, signing it**: its author only (403 to others). A signed assessment is
  read-only for everyone.
"""

import uuid

from django.core.exceptions import PermissionDenied
from django.http import Http404

from openiop.accounts.models import User
from openiop.audit.reads import record_read
from openiop.lib.access import Access, Granted
from openiop.participants.access import get_participant_for_user
from openiop.participants.access import participant_access as chart_access
from openiop.participants.models import Participant
from openiop.safety.access import alerts_for_user, can_acknowledge, get_alert_for_user
from openiop.safety.models import SafetyAlert, SafetyAssessment


def may_author(user: User) -> bool:
    """A licensed clinician: the same people who may keep psychotherapy notes."""
    return user.is_authenticated and user.is_mental_health_professional


def _alert_access(user: User, alert: SafetyAlert | None) -> Access:
    if alert is None or not alerts_for_user(user).filter(pk=alert.pk).exists():
        return Access.NONE
    return Access.WRITE if can_acknowledge(user, alert.participant) else Access.READ


def assessment_access(user: User, assessment: SafetyAssessment) -> Access:
    if not user.is_authenticated or not user.is_active or not user.is_staff_member:
        return Access.NONE
    return max(
        chart_access(user, assessment.participant, allow_discharged=True),
        _alert_access(user, assessment.alert),
    )


def get_assessment_for_user(
    user: User, code: uuid.UUID | str, *, write: bool = False, read: bool | None = None
) -> Granted[SafetyAssessment]:
    """An assessment the user may reach. `write=True`: its author changing the draft (403 to
    anyone else, also to read-only users). `read` (default: not `write`) records the read."""
    try:
        assessment = SafetyAssessment.objects.select_related(
            "participant__program", "alert__participant", "author", "instrument_response"
        ).get(code=code)
    except (SafetyAssessment.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    access = assessment_access(user, assessment)
    if access == Access.NONE:
        raise Http404
    if write and (access < Access.WRITE or assessment.author_id != user.pk):
        raise PermissionDenied
    if read is None:
        read = not write
    if read:
        record_read(
            "safety.assessment_viewed",
            acting_user=user,
            participant=assessment.participant,
            target=assessment,
        )
    return Granted(assessment, access)


def get_alert_to_assess(user: User, code: uuid.UUID | str) -> Granted[SafetyAlert]:
    """Starting an assessment from an alert: someone who may act on it, and a licensed
    clinician (403 otherwise)."""
    granted = get_alert_for_user(user, code, write=True, read=False)
    if not may_author(user):
        raise PermissionDenied
    return granted


def get_chart_to_assess(user: User, code: uuid.UUID | str) -> Granted[Participant]:
    """Starting one from the chart: write access to it, and a licensed clinician."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    granted = get_participant_for_user(user, code, write=True, allow_discharged=True)
    if not may_author(user):
        raise PermissionDenied
    return granted


def get_chart_assessments(user: User, code: uuid.UUID | str) -> Granted[Participant]:
    """The chart's list of assessments: staff who may read the chart (the read is recorded as
    the list's)."""
    if not user.is_authenticated or not user.is_staff_member:
        raise Http404
    participant, access = get_participant_for_user(user, code, read=False, allow_discharged=True)
    record_read("safety.assessment_list_viewed", acting_user=user, participant=participant)
    return Granted(participant, access)
