"""The authorisation matrix's rows for consents (collected by openiop/tests/test_authz_matrix.py).

The target consent is Pat's signed consent to treatment ("other": Quinn's). The participant
reads, downloads and (where the kind allows) revokes their own; staff who may read the chart
read and download; nobody else learns it exists. Program texts: the program's directors only.
"""

import uuid
from typing import Any

from openiop.tests.authz import (
    OTHER_STAFF_READERS,
    ROLES,
    STAFF_CHART_READERS,
    STAFF_OK,
    Entry,
    chart_kwargs,
)


def consent_kwargs(case: Any, target: str) -> dict:
    from openiop.consent.models import Consent
    from openiop.consent.tests.helpers import sign_required

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    sign_required(participant)
    return {"code": Consent.objects.filter(participant=participant, kind="treatment").get().code}


def program_kwargs(case: Any, target: str) -> dict:
    """Pat's program ("own", directed by Dana) or a program Dana does not direct ("other")."""
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other, _ = Program.objects.get_or_create(name="Consent matrix: a program Dana does not direct")
    return {"code": other.code}


def kind_kwargs(case: Any, target: str) -> dict:
    return {"kind": "treatment" if target != "missing" else "no-such-kind"}


def text_kwargs(case: Any, target: str) -> dict:
    return {**program_kwargs(case, target), "kind": "telehealth"}


CONSENT_READERS = {**STAFF_CHART_READERS, "pat": 200}
OTHER_CONSENT_READERS = {**OTHER_STAFF_READERS, "quinn": 200}
DIRECTORS = {**{r: 404 for r in ROLES if r != "anonymous"}, "dana": 200}
PARTICIPANT_PAGE = {**{r: 404 for r in STAFF_OK}, "pat": 200, "quinn": 200}

MATRIX = {
    "consent:mine": Entry("GET", PARTICIPANT_PAGE, audits=0),
    # Everyone signs their own consent to treatment: the kind is not someone else's.
    "consent:sign": Entry("GET", PARTICIPANT_PAGE, kind_kwargs, other=PARTICIPANT_PAGE, audits=0),
    "consent:detail": Entry(
        "GET", CONSENT_READERS, consent_kwargs, other=OTHER_CONSENT_READERS, audits=1
    ),
    "consent:pdf": Entry(
        "GET", CONSENT_READERS, consent_kwargs, other=OTHER_CONSENT_READERS, audits=1
    ),
    "consent:fhir": Entry(
        "GET", CONSENT_READERS, consent_kwargs, other=OTHER_CONSENT_READERS, audits=1
    ),
    # Revoking is the participant's alone: staff who read the chart get 403.
    "consent:revoke": Entry(
        "GET",
        {**STAFF_CHART_READERS, **{r: 403 for r in ("dana", "alvarez", "sam", "ivy")}, "pat": 200},
        consent_kwargs,
        other={"dana": 403, "chen": 403, "ivy": 403, "quinn": 200},
        audits=1,
    ),
    "consent:participant": Entry(
        "GET", STAFF_CHART_READERS, chart_kwargs, other=OTHER_STAFF_READERS, audits=1
    ),
    "consent:program_texts": Entry("GET", DIRECTORS, program_kwargs, audits=0),
    "consent:edit_text": Entry("GET", DIRECTORS, text_kwargs, audits=0),
}

GET_AND_POST = {"consent:sign", "consent:revoke", "consent:edit_text"}
