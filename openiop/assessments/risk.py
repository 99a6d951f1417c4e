"""Site-loaded suicide-risk instruments for the brief safety assessment (openiop.safety).

A site that holds a C-SSRS licence (or another suicide-risk instrument) loads its own file
with `manage.py load_instrument`, marked `"use": "suicide_risk_assessment"` in its `scoring`
member (docs/instruments.md). A clinician administers it from "Questionnaires and scores";
the safety assessment page then offers the participant's completed responses to it, to link in
place of OpenIOP's structured questions. Registered with safety in AssessmentsConfig.ready.
"""

from openiop.assessments.definitions import SUICIDE_RISK_ASSESSMENT
from openiop.assessments.models import InstrumentDefinition, Response
from openiop.participants.models import Participant
from openiop.safety.hooks_assessment import RiskInstruments, RiskResponse


def risk_instruments_for(participant: Participant) -> RiskInstruments:
    """Two queries: the flagged site instruments (any version), the participant's responses."""
    flagged = [
        row
        for row in InstrumentDefinition.objects.filter(shipped=False).only(
            "pk", "key", "version", "title", "source", "is_active"
        )
        if row.definition.use == SUICIDE_RISK_ASSESSMENT
    ]
    if not flagged:
        return RiskInstruments()
    responses = (
        Response.objects.filter(
            participant=participant,
            instrument__in=flagged,
            status=Response.Status.SUBMITTED,
            replaced_by__isnull=True,
        )
        .select_related("instrument")
        .order_by("-submitted_at", "-id")
    )
    return RiskInstruments(
        titles=sorted({row.title for row in flagged if row.is_active}),
        responses=[
            RiskResponse(
                pk=response.pk,
                code=response.code,
                title=response.instrument.title,
                submitted_at=response.submitted_at,  # type: ignore[arg-type]
            )
            for response in responses
        ],
    )
