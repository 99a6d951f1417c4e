"""Tells assessments' questionnaire lists which session a check-in is about."""

from django.utils.translation import gettext as _

from openiop.assessments.context import AssignmentContext
from openiop.feedback.models import SessionCheckIn
from openiop.scheduling.models import Session


def _label(session: Session) -> str:
    if session.group is not None:
        return session.group.name
    if session.kind == Session.Kind.FAMILY:
        return _("Your family session")
    if session.kind == Session.Kind.PSYCHIATRY:
        return _("Your psychiatry appointment")
    return _("Your individual session")


def session_contexts(assignment_ids: list[int]) -> dict[int, AssignmentContext]:
    rows = SessionCheckIn.objects.filter(assignment_id__in=assignment_ids).select_related(
        "session__group"
    )
    return {
        row.assignment_id: AssignmentContext(_label(row.session), row.session.starts_at)
        for row in rows
    }
