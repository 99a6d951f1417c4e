"""The authorisation matrix's rows for discharge (collected by openiop/tests/test_authz_matrix.py).

The target is the participant's draft summary: a draft is the team's work, so the participant
gets a 404 for it (their own signed summary is tested in test_views.py). Signing needs a
clinician or the director: the intake coordinator, who may write the chart, gets a 403.
"""

import uuid
from typing import Any

from django.utils import timezone

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
    referral_kwargs,
)


def summary_kwargs(case: Any, target: str) -> dict:
    """The draft discharge summary of the target participant's episode of care."""
    from openiop.discharge.models import DischargeSummary
    from openiop.intake.models import EpisodeOfCare, Referral

    if target == "missing":
        return {"code": uuid.uuid4()}
    referral = Referral.objects.get(code=referral_kwargs(case, target)["code"])
    episode, _ = EpisodeOfCare.objects.get_or_create(
        referral=referral,
        defaults={
            "participant": referral.participant,
            "program": referral.program,
            "level_of_care": "iop",
            "admitted_at": timezone.now(),
            "admitted_by": case.dana,
        },
    )
    summary, _ = DischargeSummary.objects.get_or_create(
        episode=episode,
        defaults={
            "participant": referral.participant,
            "admitted_on": timezone.localdate(),
            "discharged_on": timezone.localdate(),
            "computed_at": timezone.now(),
            "author": case.dana,
        },
    )
    return {"code": summary.code}


SIGNERS = {**STAFF_CHART_WRITERS, "dana": 302, "alvarez": 302, "ivy": 403}

MATRIX = {
    "discharge:new": Entry(
        "GET", STAFF_CHART_WRITERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "discharge:summary": Entry(
        "GET", STAFF_CHART_READERS, summary_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "discharge:summary_pdf": Entry(
        "GET", STAFF_CHART_READERS, summary_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "discharge:edit": Entry(
        "GET", STAFF_CHART_WRITERS, summary_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "discharge:refresh": Entry(
        "POST",
        {**STAFF_CHART_WRITERS, "dana": 302, "alvarez": 302, "ivy": 302},
        summary_kwargs,
        other={"dana": 302, "chen": 302, "ivy": 302},
    ),
    "discharge:sign": Entry(
        "POST", SIGNERS, summary_kwargs, other={"dana": 302, "chen": 302, "ivy": 403}
    ),
}

GET_AND_POST = {"discharge:new", "discharge:edit"}
