"""Demo: 42 CFR Part 2 labels, a release of information and one disclosure (synthetic data).

The demo program stays a mental-health program (its other outputs do not change): one
participant's two latest signed notes are labelled Part 2, as if written in a co-located SUD
service. That participant has signed a release to their family doctor that includes Part 2
records, and their primary clinician has sent records under it once. They have not signed a
Part 2 consent for treatment, payment and operations, so a staff PDF of their record withholds
the two notes (and says so), while the release sends them with the §2.32 notice.
"""

from datetime import datetime, timedelta

from django.db import transaction

from openiop.consent.models import Consent, ConsentKind, ConsentText, Purpose, Scope
from openiop.notes import actions
from openiop.notes.models import Note
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program

# Until the consent texts' defaults (consent/defaults.py) are loaded by the demo, the release
# text is created here when the program has none.
RELEASE_TITLE = "Release of information"
RELEASE_BODY = (
    "I authorize my program to send copies of my records, as described above, to the "
    "recipient named above for the purpose stated. If I ticked the box, this includes records "
    "of substance use disorder treatment protected by federal law (42 CFR Part 2). This "
    "release ends on the date above. I may revoke it at any time in my portal, except for "
    "records already sent. My treatment does not depend on signing it."
)


@transaction.atomic
def load_part2_demo(program: Program, *, now: datetime) -> Consent | None:
    """Label two notes, sign a release and send records under it once; returns the release
    (None when the demo has no signed notes to label)."""
    note = (
        Note.objects.filter(
            participant__program=program,
            participant__user__isnull=False,
            status=Note.Status.SIGNED,
            kind=Note.Kind.INDIVIDUAL,
        )
        .order_by("participant_id")
        .first()
    )
    if note is None:
        return None
    participant = Participant.objects.select_related("program", "user").get(pk=note.participant_id)
    latest = Note.objects.filter(participant=participant, status=Note.Status.SIGNED).order_by(
        "-started_at"
    )[:2]
    Note.objects.filter(pk__in=[n.pk for n in latest]).update(part2=True)
    text = (
        ConsentText.objects.filter(program=program, kind=ConsentKind.RELEASE)
        .order_by("-version")
        .first()
    ) or ConsentText.objects.create(
        program=program, kind=ConsentKind.RELEASE, version=1, title=RELEASE_TITLE, body=RELEASE_BODY
    )
    assert participant.user is not None
    release = Consent.objects.create(
        participant=participant,
        kind=ConsentKind.RELEASE,
        text=text,
        signed_name=participant.full_name,
        signed_at=now - timedelta(days=3),
        signed_by=participant.user,
        text_sha256=text.sha256,
        expires_on=(now + timedelta(days=180)).date(),
        recipient_name="Dr. Morgan Lee, Maple Street Family Medicine",
        recipient_address="records@maplestreet.example",
        purpose=Purpose.TREATMENT,
        scope=Scope.FULL,
        includes_part2=True,
    )
    sender = (
        CareTeamMember.objects.filter(
            participant=participant, role=CareTeamMember.Role.PRIMARY_CLINICIAN
        )
        .select_related("clinician")
        .first()
    )
    if sender is not None:
        actions.disclose_under_release(
            participant, release, zone=program.timezone, acting_user=sender.clinician
        )
    return release
