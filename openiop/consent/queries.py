"""Read-side questions other apps ask about consents (no access checks: callers hold a chart
they already passed through its gate)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max
from django.utils import timezone

from openiop.participants.models import Participant
from openiop.programs.models import Program

from .models import REQUIRED_BEFORE_FIRST_SESSION, Consent, ConsentKind, ConsentText


def in_force(participant: Participant, kind: str, *, at: datetime | None = None) -> Consent | None:
    """The participant's newest consent of `kind` that is in force now (or at `at`)."""
    return (
        Consent.objects.in_force(at)
        .filter(participant=participant, kind=kind)
        .order_by("-signed_at", "-id")
        .first()
    )


def missing_before_first_session(participant: Participant) -> list[ConsentKind]:
    """The required consents the participant has not signed (or revoked or let expire), in the
    order they are asked for. Empty: they may join a session."""
    signed = set(
        Consent.objects.in_force()
        .filter(participant=participant, kind__in=REQUIRED_BEFORE_FIRST_SESSION)
        .values_list("kind", flat=True)
    )
    return [kind for kind in REQUIRED_BEFORE_FIRST_SESSION if kind not in signed]


@dataclass(frozen=True)
class TextRow:
    kind: ConsentKind
    current: ConsentText | None
    versions: int
    signatures: int


def text_overview(program: Program) -> list[TextRow]:
    """Each kind's current version for a program's directors, with counts (two queries)."""
    texts = list(
        ConsentText.objects.filter(program=program)
        .annotate(signed=Count("signatures"))
        .order_by("kind", "-version")
    )
    rows = []
    for kind in ConsentKind:
        mine = [t for t in texts if t.kind == kind]
        rows.append(
            TextRow(
                kind=kind,
                current=mine[0] if mine else None,
                versions=len(mine),
                signatures=sum(t.signed for t in mine),  # type: ignore[attr-defined]
            )
        )
    return rows


def text_versions(program: Program, kind: str) -> list[ConsentText]:
    return list(
        ConsentText.objects.filter(program=program, kind=kind)
        .annotate(signed=Count("signatures"))
        .select_related("created_by")
        .order_by("-version")
    )


@dataclass(frozen=True)
class ParticipantRow:
    """One line of "My consents": the kind, whether it is required, and its latest record."""

    kind: ConsentKind
    required: bool
    latest: Consent | None
    in_force: bool
    current_version: int | None

    @property
    def state(self) -> str:
        if self.in_force:
            return "signed"
        if self.latest is not None and self.latest.status == Consent.Status.REVOKED:
            return "revoked"
        if self.latest is not None:
            return "expired"
        return "missing"

    @property
    def newer_version(self) -> bool:
        """In force, but the program has published a newer text since it was signed."""
        return (
            self.in_force
            and self.latest is not None
            and self.current_version is not None
            and self.latest.text.version < self.current_version
        )


def participant_rows(participant: Participant, kinds: list[ConsentKind]) -> list[ParticipantRow]:
    """Required kinds first, in the order they are asked for, then the optional ones."""
    today = timezone.localdate()
    consents = list(
        Consent.objects.filter(participant=participant, kind__in=kinds)
        .select_related("text", "signed_by")
        .order_by("-signed_at", "-id")
    )
    current = dict(
        ConsentText.objects.filter(program=participant.program, kind__in=kinds)
        .values("kind")
        .annotate(latest=Max("version"))
        .values_list("kind", "latest")
    )
    rows = []
    ordered = [k for k in REQUIRED_BEFORE_FIRST_SESSION if k in kinds] + [
        k for k in kinds if k not in REQUIRED_BEFORE_FIRST_SESSION
    ]
    for kind in ordered:
        mine = [c for c in consents if c.kind == kind]
        force = next((c for c in mine if c.is_in_force(today)), None)
        latest = force or (mine[0] if mine else None)
        rows.append(
            ParticipantRow(
                kind=ConsentKind(kind),
                required=kind in REQUIRED_BEFORE_FIRST_SESSION,
                latest=latest,
                in_force=force is not None,
                current_version=current.get(kind),
            )
        )
    return rows
