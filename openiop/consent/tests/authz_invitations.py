"""Matrix rows of portal invitations and guardians (included by authz.py)."""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, STAFF_CHART_WRITERS, Entry, chart_kwargs

GET_AND_POST = {"consent:invite_guardian", "welcome:set_password"}

# Changing who may sign in to a chart's portal: the chart's writers (Sam reads only: 403).
WRITERS_302 = {**STAFF_CHART_WRITERS, "dana": 302, "alvarez": 302, "ivy": 302}
OTHER_WRITERS_302 = {"dana": 302, "chen": 302, "ivy": 302}


def invitation_kwargs(case: Any, target: str) -> dict:
    """An open invitation on Pat's ("own") or Quinn's ("other") chart, made directly: both
    already have logins, so a resend answers with a message and a redirect."""
    from datetime import timedelta

    from django.utils import timezone

    from openiop.consent.invitations import Invitation, token_digest

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    invitation = Invitation.objects.filter(
        participant=participant, accepted_at__isnull=True, revoked_at__isnull=True
    ).first() or Invitation.objects.create(
        participant=participant,
        email=f"new-{target}@example.org",
        token_sha256=token_digest(f"matrix-{target}-{uuid.uuid4()}"),
        expires_at=timezone.now() + timedelta(days=7),
    )
    return {"code": invitation.code}


def guardian_link_kwargs(case: Any, target: str) -> dict:
    from openiop.accounts.models import User
    from openiop.participants.models import GuardianLink

    if target == "missing":
        return {"code": uuid.uuid4()}
    participant = case.pat if target == "own" else case.quinn
    existing = GuardianLink.objects.filter(participant=participant, revoked_at__isnull=True).first()
    if existing is not None:
        return {"code": existing.code}
    guardian = User.objects.create_user(
        f"guardian-{target}-{uuid.uuid4().hex[:8]}@example.org",
        None,
        given_name="Morgan",
        family_name="Guardian",
        role=User.Role.GUARDIAN,
    )
    link = GuardianLink.objects.create(
        participant=participant, user=guardian, relationship="Mother"
    )
    return {"code": link.code}


def token_kwargs(case: Any, target: str) -> dict:
    # A link no invitation made: the same explanation page for everyone.
    return {"token": "not-an-invitation-token"}


MATRIX: dict[str, Entry] = {
    "consent:portal_access": Entry(
        "GET",
        STAFF_CHART_WRITERS,
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200},
        audits=1,
    ),
    "consent:invite_guardian": Entry(
        "GET",
        STAFF_CHART_WRITERS,
        chart_kwargs,
        other={"dana": 200, "chen": 200, "ivy": 200},
        audits=1,
    ),
    "consent:invite": Entry("POST", WRITERS_302, chart_kwargs, other=OTHER_WRITERS_302),
    "consent:invitation_resend": Entry(
        "POST", WRITERS_302, invitation_kwargs, other=OTHER_WRITERS_302
    ),
    "consent:invitation_revoke": Entry(
        "POST", WRITERS_302, invitation_kwargs, other=OTHER_WRITERS_302
    ),
    "consent:guardian_revoke": Entry(
        "POST", WRITERS_302, guardian_link_kwargs, other=OTHER_WRITERS_302
    ),
    # Public pages: an unknown link explains itself with a 404, whoever opens it.
    "welcome:accept": Entry("GET", {r: 404 for r in ROLES}, token_kwargs, audits=0),
    "welcome:set_password": Entry("GET", {r: 404 for r in ROLES}, audits=0),
}
