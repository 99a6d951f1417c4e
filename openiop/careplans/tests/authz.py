"""careplans' rows of the authorisation matrix (collected by openiop/tests/test_authz_matrix.py)."""

import uuid
from typing import Any

from openiop.tests.authz import STAFF_CHART_WRITERS, Entry

GET_AND_POST = {"careplans:book_intervention"}


def intervention_kwargs(case: Any, target: str) -> dict:
    """A weekly individual-therapy intervention of the target participant's plan in effect."""
    from openiop.careplans.models import Intervention, TreatmentPlan

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant, person = (case.pat, case.alvarez) if target == "own" else (case.quinn, case.chen)
    plan, _ = TreatmentPlan.objects.get_or_create(
        participant=participant,
        status=TreatmentPlan.Status.ACTIVE,
        defaults={"created_by": person},
    )
    intervention, _ = Intervention.objects.get_or_create(
        plan=plan,
        modality=Intervention.Modality.INDIVIDUAL,
        defaults={
            "frequency": Intervention.Frequency.WEEKLY,
            "duration_minutes": 50,
            "length_weeks": 4,
            "responsible_person": person,
        },
    )
    return {"code": intervention.code}


MATRIX = {
    # Booking the plan's sessions changes the chart: its writers; participants read their plan
    # but book nothing (403).
    "careplans:book_intervention": Entry(
        "GET",
        {**STAFF_CHART_WRITERS, "pat": 403},
        intervention_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200, "quinn": 403},
        audits=1,
    ),
}
