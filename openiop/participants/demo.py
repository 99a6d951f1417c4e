"""The demo's break-the-glass: Ada Admin is the privacy officer, and Dr. Chen once opened the
chart of a participant he does not treat, in an emergency, so the report has a row to show.

Call it after `openiop.core.demo.load()`, e.g. in `load_demo`:
`participants_demo.load_break_glass_demo(program, now=timezone.now())`. Synthetic data only.
"""

from datetime import datetime, timedelta

from django.db import transaction

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.audit.reads import record_read
from openiop.participants.models import BreakGlassGrant, Participant
from openiop.programs.models import Program

REASON = (
    "Crisis line called the on-call phone at night: the participant was unreachable and had "
    "missed two sessions. Read the safety plan and emergency contact to call them."
)


@transaction.atomic
def load_break_glass_demo(program: Program, *, now: datetime) -> BreakGlassGrant | None:
    chen = User.objects.filter(
        role=User.Role.CLINICIAN, family_name="Chen", program_memberships__program=program
    ).first()
    if chen is None:
        return None
    # The demo's administrator: the one with the demo's email domain.
    domain = chen.email.rpartition("@")[2]
    officer = User.objects.filter(
        role=User.Role.ADMINISTRATOR, email__endswith=f"@{domain}"
    ).first()
    if officer is None:
        return None
    User.objects.filter(pk=officer.pk).update(privacy_officer=True)
    participant = (
        Participant.objects.filter(program=program, discharged_at__isnull=True)
        .exclude(care_team__clinician=chen)
        .order_by("id")
        .first()
    )
    if participant is None:
        return None
    # Three nights ago, for 25 of its 60 minutes: ended early, once the call was made.
    started = (now - timedelta(days=3)).replace(hour=7, minute=10, second=0, microsecond=0)
    grant = BreakGlassGrant.objects.create(
        user=chen,
        participant=participant,
        reason=REASON,
        created_at=started,
        expires_at=started + timedelta(minutes=60),
        ended_at=started + timedelta(minutes=25),
        officers_notified_at=started + timedelta(minutes=1),
    )
    code = str(grant.code)
    record(
        "break_glass.granted",
        acting_user=chen,
        participant=participant,
        target=grant,
        details={"grant": code, "minutes": 60, "reauthenticated": True},
    )
    # The trail is append-only, so the demo's reads carry the load time, not three nights ago.
    for event in ("participant.chart_viewed", "safety.plan_viewed"):
        record_read(
            event,
            acting_user=chen,
            participant=participant,
            details={"break_glass": True, "grant": code},
        )
    record(
        "break_glass.ended",
        acting_user=chen,
        participant=participant,
        target=grant,
        details={"grant": code},
    )
    return grant
