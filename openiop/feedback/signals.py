"""Assessments knows nothing of sessions; feedback listens for submitted responses."""

from typing import Any

from openiop.assessments.models import Response
from openiop.feedback import actions


def response_saved(sender: type[Response], instance: Response, **kwargs: Any) -> None:
    # A submission is saved once as SUBMITTED (then frozen); a correction is a new row.
    if instance.status == Response.Status.SUBMITTED:
        actions.record_answer(instance)
