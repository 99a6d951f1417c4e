"""The authorisation matrix's rows for billing (collected by openiop/tests/test_authz_matrix.py).

Coverage belongs to the chart: staff chart readers see it (participants get 404: billing is
staff work); a coverage's edit and end pages are for those who may add coverage (directors and
intake coordinators who may write the chart; other staff who may see the chart 403). The
utilization review packet is a disclosure to a payer: those who may change coverage and the
care team's clinicians who may write the chart (Dr. Alvarez for Pat, Dr. Chen for Quinn); Sam,
a peer specialist with a read-only seat, 403. Payers, charges and claim files are the
program's: its directors only; everyone else 404. A claim file with no charges (the matrix's)
sends the director back to the charges page (302) with a message.
"""

import uuid
from typing import Any

from django.utils import timezone

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    ROLES,
    STAFF_CHART_READERS,
    STAFF_CHART_WRITERS,
    Entry,
    chart_kwargs,
)

OUTSIDERS = {r: 404 for r in ROLES if r != "anonymous"}
DIRECTOR = {**OUTSIDERS, "dana": 200}


def _program(case: Any, target: str) -> Any:
    from openiop.programs.models import Program

    if target == "own":
        return case.program
    other = Program.objects.filter(name="Billing: other program").first()
    return other or Program.objects.create(name="Billing: other program")


def program_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _program(case, target).code}


def _payer(case: Any, target: str) -> Any:
    from openiop.billing.models import Payer

    program = _program(case, target)
    payer, _ = Payer.objects.get_or_create(
        program=program,
        payer_id="87726",
        defaults={"name": "Acme Health", "per_diem_rate": 150, "codes": []},
    )
    return payer


def payer_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": case.program.code, "payer_code": uuid.uuid4()}
    payer = _payer(case, target)
    return {"code": payer.program.code, "payer_code": payer.code}


def batch_kwargs(case: Any, target: str) -> dict:
    from openiop.billing.models import ClaimBatch

    if target == "missing":
        return {"code": uuid.uuid4()}
    payer = _payer(case, target)
    batch = ClaimBatch.objects.create(
        program=payer.program,
        payer=payer,
        claim_format=payer.claim_format,
        created_by=case.dana,
        created_at=timezone.now(),
    )
    return {"code": batch.code}


def coverage_kwargs(case: Any, target: str) -> dict:
    """A coverage of the target's chart (Pat's own, Quinn's other)."""
    from datetime import date

    from openiop.billing.models import Coverage, Plan

    if target == "missing":
        return {"code": uuid.uuid4(), "coverage_code": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    plan, _ = Plan.objects.get_or_create(payer=_payer(case, "own"), name="Choice PPO")
    coverage, _ = Coverage.objects.get_or_create(
        participant=participant,
        priority=Coverage.Priority.PRIMARY,
        defaults={
            "plan": plan,
            "member_id": "ABC123",
            "address": "12 Elm St",
            "city": "Troy",
            "state": "NY",
            "postal_code": "12180",
            "starts_on": date(2026, 1, 1),
        },
    )
    return {"code": participant.code, "coverage_code": coverage.code}


# Changing coverage: directors and intake coordinators with write access to the chart; other
# chart writers and read-only staff 403; everyone else 404.
COVERAGE_WRITERS = {**STAFF_CHART_WRITERS, "alvarez": 403, "sam": 403}
OTHER_COVERAGE_WRITERS = {"dana": 200, "ivy": 200, "chen": 403}
END = {"end-ends_on": "2026-11-30", "end-version": "1"}
# The UR packet: the chart's writers, who are here the coverage writers and the care team's
# clinicians; Sam (peer specialist, read-only seat) 403.
UR_PACKET = {**STAFF_CHART_WRITERS, "sam": 403}

MATRIX = {
    "billing:index": Entry("GET", DIRECTOR, audits=0),
    "billing:setup": Entry("GET", DIRECTOR, program_kwargs, audits=0),
    "billing:payer_edit": Entry("GET", DIRECTOR, payer_kwargs, audits=0),
    "billing:charges": Entry("GET", DIRECTOR, program_kwargs, audits=1),
    "billing:charges_csv": Entry("GET", DIRECTOR, program_kwargs, audits=1),
    "billing:generate": Entry("POST", {**OUTSIDERS, "dana": 302}, program_kwargs),
    "billing:export": Entry("POST", {**OUTSIDERS, "dana": 302}, payer_kwargs),
    "billing:batch_file": Entry("GET", {**OUTSIDERS, "dana": 302}, batch_kwargs),
    "billing:chart": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "billing:coverage_edit": Entry(
        "GET", COVERAGE_WRITERS, coverage_kwargs, other=OTHER_COVERAGE_WRITERS, audits=1
    ),
    "billing:coverage_end": Entry(
        "POST",
        {k: 302 if v == 200 else v for k, v in COVERAGE_WRITERS.items()},
        coverage_kwargs,
        other={k: 302 if v == 200 else v for k, v in OTHER_COVERAGE_WRITERS.items()},
        data=END,
    ),
    "billing:ur_packet": Entry("GET", UR_PACKET, chart_kwargs, other=OTHER_STAFF_READERS, audits=1),
}

GET_AND_POST = {"billing:setup", "billing:payer_edit", "billing:chart", "billing:coverage_edit"}
