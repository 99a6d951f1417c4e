"""Demo psychotherapy notes: Dr. Alvarez's private notes about two of her participants.

Call after the schedule demo (`openiop.scheduling.demo.load`), e.g. from `load_demo`:

    from openiop.notes.psychotherapy import demo as psychotherapy_demo
    psychotherapy_demo.load(program)

Sign in as Dr. Alvarez and open one of her participants' charts: "My private psychotherapy
notes" lists them. Signed in as anyone else (Sam, Dana, the participant), they are not there.
"""

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.notes.psychotherapy import access, actions
from openiop.participants.models import CareTeamMember
from openiop.programs.models import Program

TEXTS = [
    "Synthetic demo note. Hypothesis: the withdrawal after family calls repeats the pattern "
    "from adolescence; explore next time whether the shame is about the call or the reply.",
    "Synthetic demo note. My own reaction: impatience when the story loops. Bring to "
    "supervision; slow down before offering skills.",
]


@transaction.atomic
def load(program: Program) -> int:
    """Writes one note for each of Dr. Alvarez's first participants; returns how many."""
    alvarez = User.objects.filter(
        family_name="Alvarez", program_memberships__program=program
    ).first()
    if alvarez is None:
        return 0
    members = (
        CareTeamMember.objects.filter(
            clinician=alvarez, can_write=True, participant__program=program
        )
        .select_related("participant")
        .order_by("participant__pk")[: len(TEXTS)]
    )
    written = 0
    for member, text in zip(members, TEXTS, strict=False):
        participant = member.participant
        session = (
            access.sessions_for_note(alvarez, participant)
            .filter(starts_at__lte=timezone.now())
            .first()
        )
        actions.write_note(participant, text=text, session=session, acting_user=alvarez)
        written += 1
    return written
