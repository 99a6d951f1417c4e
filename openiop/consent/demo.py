"""The demo's consents: the program's default texts, and the required consents signed by every
demo participant except one, so the first-session gate can be seen (that person's pre-join page
lists what is missing). Synthetic data only.

Call it after the core demo, e.g. in `load_demo`: `consent_demo.load_consent_demo(program)`.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from openiop.participants.models import Participant
from openiop.programs.models import Program

from .defaults import ensure_texts
from .models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentText

# `demo.logins()` prints the first three participants; the third shows the gate.
UNSIGNED_INDEX = 2
DEMO_USER_AGENT = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) demo"


@transaction.atomic
def load_consent_demo(program: Program) -> Participant | None:
    """Sign the required consents for the program's participants, a few days before now, and
    leave the third (by id: the last participant login the demo prints) with none signed.
    Returns the one left unsigned."""
    ensure_texts(program)
    texts = {
        t.kind: t
        for t in ConsentText.objects.filter(
            program=program, kind__in=REQUIRED_BEFORE_FIRST_SESSION
        ).order_by("kind", "version")
    }
    participants = list(
        Participant.objects.filter(program=program, user__isnull=False)
        .select_related("user")
        .order_by("id")
    )
    if not participants:
        return None
    unsigned = participants[min(UNSIGNED_INDEX, len(participants) - 1)]
    signers = [p for p in participants if p.pk != unsigned.pk]
    signed_at = timezone.now() - timedelta(days=3)
    rows = []
    for n, participant in enumerate(signers):
        for kind in REQUIRED_BEFORE_FIRST_SESSION:
            text = texts[kind]
            rows.append(
                Consent(
                    participant=participant,
                    kind=kind,
                    text=text,
                    signed_name=participant.full_name,
                    signed_at=signed_at,
                    signed_by=participant.user,
                    signer_ip=f"192.0.2.{n % 250 + 1}",
                    signer_user_agent=DEMO_USER_AGENT,
                    text_sha256=text.sha256,
                )
            )
    Consent.objects.bulk_create(rows)
    return unsigned
