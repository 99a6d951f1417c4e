"""Every discharge write: atomic, audited, with the acting user keyword-only.

Signing (`sign_discharge`) is the one that reaches across the record: it finishes the episode
of care, ends the participant's places in groups (each freed seat goes to the first person on
that group's waitlist), cancels their upcoming appointments, releases their other upcoming
group bookings, closes the chart and tells the participant, all in one transaction.
"""

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.discharge import queries, tasks
from openiop.discharge.models import AftercareAppointment, DischargeSummary
from openiop.intake.models import EpisodeOfCare
from openiop.lib.integrity import content_hash
from openiop.lib.recurrence import get_zone
from openiop.notes.models import Note
from openiop.participants.models import Participant
from openiop.programs.models import Group
from openiop.scheduling import actions as scheduling
from openiop.scheduling.models import Booking, Enrollment, Session

# Who signs a discharge summary: a clinician or the program's director, never an intake
# coordinator or a participant (CLINICAL.md §5.4: the clinician and physician signatures).
SIGNING_ROLES = (User.Role.CLINICIAN, User.Role.PROGRAM_DIRECTOR)

# The fields a person types into a draft (the computed ones are refreshed, not typed).
TYPED_FIELDS = (
    "reason",
    "discharged_on",
    "course",
    "medications",
    "safety_plan_status",
    "safety_plan_notes",
    "step_down_level",
    "referrals",
    "what_comes_next",
)


class DischargeError(Exception):
    """A discharge step OpenIOP refuses; the message is safe to show."""


class StaleDraft(DischargeError):
    """The draft changed since the editor loaded it."""


def program_today(participant: Participant) -> date:
    zone = participant.program.timezone if participant.program else participant.timezone
    return timezone.now().astimezone(get_zone(zone)).date()


def _admitted_on(episode: EpisodeOfCare) -> date:
    return episode.admitted_at.astimezone(get_zone(episode.program.timezone)).date()


def _compute(summary: DischargeSummary) -> None:
    summary.services = queries.services_received(summary.participant, summary.episode)
    summary.scores = queries.score_changes(summary.participant, summary.episode)
    summary.diagnoses = queries.current_diagnoses(summary.participant)
    summary.computed_at = timezone.now()


def active_episode(participant: Participant) -> EpisodeOfCare | None:
    return (
        EpisodeOfCare.objects.filter(participant=participant, status=EpisodeOfCare.Status.ACTIVE)
        .select_related("program", "referral")
        .order_by("-admitted_at")
        .first()
    )


@transaction.atomic
def start_discharge(
    participant: Participant, *, acting_user: User
) -> tuple[DischargeSummary, bool]:
    """The draft summary of the participant's active episode, started now (pre-filled from
    the record) unless it exists already. Returns (summary, created)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    episode = active_episode(participant)
    if episode is None:
        raise DischargeError(
            "This participant has no active episode of care (no admission through intake): "
            "there is nothing to discharge."
        )
    existing = DischargeSummary.objects.filter(episode=episode).first()
    if existing is not None:
        return existing, False
    summary = DischargeSummary(
        participant=participant,
        episode=episode,
        admitted_on=_admitted_on(episode),
        discharged_on=max(program_today(participant), _admitted_on(episode)),
        medications=queries.current_medications_text(participant),
        author=acting_user,
    )
    _compute(summary)
    summary.save()
    record(
        "discharge.draft_started",
        acting_user=acting_user,
        participant=participant,
        target=summary,
        details={
            "summary": str(summary.code),
            "episode": str(episode.code),
            "sessions": summary.services["total_sessions"],
            "number": len(summary.scores),
        },
    )
    return summary, True


def _lock_draft(summary: DischargeSummary) -> DischargeSummary:
    locked = (
        DischargeSummary.objects.select_for_update(of=("self",))
        .select_related("participant__program", "episode__program", "episode__referral")
        .get(pk=summary.pk)
    )
    if locked.is_signed:
        raise DischargeError("This discharge summary is signed: it can no longer be changed.")
    return locked


@transaction.atomic
def refresh_computed(summary: DischargeSummary, *, acting_user: User) -> DischargeSummary:
    """Recompute the services, scores and diagnoses of a draft from the record as it is now.
    Typed text (the medications too) is left as it is."""
    summary = _lock_draft(summary)
    _compute(summary)
    summary.save(update_fields=["services", "scores", "diagnoses", "computed_at", "updated_at"])
    record(
        "discharge.draft_refreshed",
        acting_user=acting_user,
        participant=summary.participant,
        target=summary,
        details={"summary": str(summary.code), "sessions": summary.services["total_sessions"]},
    )
    return summary


@transaction.atomic
def save_draft(
    summary: DischargeSummary,
    *,
    fields: dict[str, Any],
    aftercare: list[dict[str, Any]],
    expected_version: int,
    acting_user: User,
) -> DischargeSummary:
    """Save what was typed into a draft, if nobody saved it since `expected_version`.

    `aftercare` replaces the draft's aftercare appointments (dicts of with_whom, starts_at,
    where, phone). A stale version raises StaleDraft and changes nothing.
    """
    summary = _lock_draft(summary)
    if summary.edit_version != expected_version:
        raise StaleDraft(
            "Someone else saved this discharge summary while you were editing. Your text is "
            "kept below: compare it with the saved version, then save again."
        )
    unknown = set(fields) - set(TYPED_FIELDS)
    if unknown:
        raise ValueError(f"not typed fields: {sorted(unknown)}")
    changed = sorted(name for name, value in fields.items() if getattr(summary, name) != value)
    for name, value in fields.items():
        setattr(summary, name, value)
    before = [a.as_content() for a in summary.aftercare.all()]
    rows = [
        AftercareAppointment(summary=summary, position=position, **row)
        for position, row in enumerate(aftercare)
    ]
    after = [row.as_content() for row in rows]
    if before != after:
        summary.aftercare.all().delete()
        AftercareAppointment.objects.bulk_create(rows)
        changed.append("aftercare")
    summary.edit_version += 1
    summary.save()
    record(
        "discharge.draft_saved",
        acting_user=acting_user,
        participant=summary.participant,
        target=summary,
        details={
            "summary": str(summary.code),
            "fields": changed,
            "version": summary.edit_version,
        },
    )
    return summary


def missing_for_signature(summary: DischargeSummary) -> list[str]:
    """What a draft still needs before it can be signed, as sentences."""
    missing = []
    if not summary.reason:
        missing.append("Choose the reason for discharge.")
    if not summary.safety_plan_status:
        missing.append("Say what became of the safety plan.")
    if not summary.what_comes_next.strip():
        missing.append("Write what comes next for the participant: they read it after discharge.")
    if summary.discharged_on > program_today(summary.participant):
        missing.append("The date of discharge cannot be in the future.")
    return missing


@transaction.atomic
def sign_discharge(summary: DischargeSummary, *, acting_user: User) -> DischargeSummary:
    """Sign the summary and discharge the participant, in one transaction.

    Steps:
    1. Lock the summary, the participant and the groups they hold places in, then the
       upcoming appointments, before the first audit append (which takes the trail's lock):
       the same order as scheduling's writes, so nothing waits in a cycle.
    2. Refuse a summary signed already, one missing what the participant must be told, a
       discharge while one of the participant's sessions is under way, and one while a note
       of theirs is unsigned (a discharged chart takes addenda only).
    3. End each open enrollment through scheduling's `end_enrollment` (a seat freed goes to
       the first person on that group's waitlist), cancel upcoming appointments, release the
       remaining upcoming group bookings (make-ups).
    4. Finish the episode, mark the chart discharged (read-only but for addenda and a new
       referral), sign and hash the summary, and queue the participant's notice for after
       the commit.
    """
    if acting_user.role not in SIGNING_ROLES:
        raise DischargeError("A clinician or the program director signs a discharge summary.")
    summary = (
        DischargeSummary.objects.select_for_update(of=("self",))
        .select_related("participant__program", "episode__program", "episode__referral")
        .get(pk=summary.pk)
    )
    if summary.is_signed:
        raise DischargeError("This discharge summary is signed already.")
    participant = Participant.objects.select_for_update().get(pk=summary.participant_id)
    enrollments = list(
        Enrollment.objects.filter(
            participant=participant, status__in=Enrollment.OPEN_STATUSES
        ).order_by("pk")
    )
    list(
        Group.objects.select_for_update(of=("self",))
        .filter(pk__in=[e.group_id for e in enrollments])
        .order_by("pk")
    )
    now = timezone.now()
    appointments = list(
        Session.objects.select_for_update(of=("self",))
        .filter(
            bookings__participant=participant,
            bookings__status=Booking.Status.BOOKED,
            status=Session.Status.SCHEDULED,
            starts_at__gt=now,
        )
        .exclude(kind=Session.Kind.GROUP)
        .order_by("pk")
    )

    missing = missing_for_signature(summary)
    if missing:
        raise DischargeError(" ".join(missing))
    if queries.sessions_under_way(participant, now=now):
        raise DischargeError(
            "One of this participant's sessions is under way now (or its video room is still "
            "open). Sign the discharge summary once it has ended."
        )
    # A discharged chart takes addenda only, so a draft note left now could never be signed.
    drafts = Note.objects.filter(participant=participant, status=Note.Status.DRAFT).count()
    if drafts:
        raise DischargeError(
            f"This participant has {drafts} unsigned note{'s' if drafts != 1 else ''}: "
            "their authors sign them first, then sign the discharge summary."
        )
    episode = EpisodeOfCare.objects.select_for_update().get(pk=summary.episode_id)
    if episode.status != EpisodeOfCare.Status.ACTIVE:
        raise DischargeError("This episode of care has ended already.")

    upcoming = Booking.objects.filter(
        participant=participant,
        status=Booking.Status.BOOKED,
        session__status=Session.Status.SCHEDULED,
        session__starts_at__gt=now,
    )
    booked_before = upcoming.count()
    for enrollment in enrollments:
        scheduling.end_enrollment(enrollment, acting_user=acting_user)
    for session in appointments:
        scheduling.cancel_session(
            session, reason=Session.CancelReason.DISCHARGED, acting_user=acting_user
        )
    scheduling.release_group_bookings(participant, acting_user=acting_user)
    released = booked_before - upcoming.count()

    episode.status = EpisodeOfCare.Status.FINISHED
    episode.ended_at = now
    episode.end_reason = summary.reason
    episode.save(update_fields=["status", "ended_at", "end_reason"])
    participant.discharged_at = now
    participant.save(update_fields=["discharged_at"])

    summary.status = DischargeSummary.Status.SIGNED
    summary.signed_by = acting_user
    summary.signed_at = now
    summary.content_hash = content_hash(summary.signed_content())
    summary.save(update_fields=["status", "signed_by", "signed_at", "content_hash", "updated_at"])
    record(
        "discharge.signed",
        acting_user=acting_user,
        participant=participant,
        target=summary,
        details={
            "summary": str(summary.code),
            "episode": str(episode.code),
            "reason": summary.reason,
            "enrollments_ended": len(enrollments),
            "sessions_cancelled": len(appointments),
            "bookings_released": released,
        },
    )
    summary_id = summary.pk
    transaction.on_commit(lambda: tasks.notify_participant.enqueue(summary_id))
    return summary
