"""The escalation ladder: an owner, a deadline by acuity, and a climb when it passes.

Owner (step OWNER), chosen when the alert opens:
- in business hours: the participant's primary clinician (a care-team member who may write and
  may hold the care-team seat; the `primary_clinician` role first, then any other such member),
  else whoever is on call now (openiop.safety.rota: overrides, then weekly shifts), else the
  program's on-call members, else a program director;
- after hours (outside 09:00 to the policy's end of day on business days, in the program's
  zone): whoever is on call first, then the primary clinician, then a director.

`alert.owner` is whoever holds the alert now: it moves as the alert climbs, so the person the
last notice went to is the person the alert names. The first owner stays on the timeline.

When the deadline to acknowledge passes (or the holder's account is deactivated), the alert
climbs: on-call clinician → director → the policy's backup. Each step gets a new deadline of
the same acuity's length, measured from the climb. A step with nobody new (nobody there, or
only people who already held the alert) is logged NO_RECIPIENT and skipped. At the top, each
further deadline tells the directors and the backup again (a new notice round) until someone
acknowledges: an unacknowledged alert never goes quiet.

Every step is on the timeline and in the audit trail; its notices go out from the task worker
(openiop.safety.notices) after the caller's transaction commits, and a `check_deadline` job
is queued for the deadline. `manage.py escalate_overdue` sweeps for anything a lost job missed.
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from openiop.accounts.models import User
from openiop.audit.actions import record
from openiop.lib.deadlines import BUSINESS_DAY_ENDS_AT, deadline_after, is_business_hours
from openiop.lib.recurrence import get_zone
from openiop.participants.models import CareTeamMember
from openiop.programs import access as programs
from openiop.programs.eligibility import Seat
from openiop.programs.models import Program, ProgramMembership
from openiop.safety import notices, rota, timeline
from openiop.safety.models import Acuity, AlertEvent, LadderStep, SafetyAlert, SafetyPolicy

DEFAULT_MINUTES = {Acuity.EMERGENCY: 5, Acuity.HIGH: 30}


# --- the program's rules -------------------------------------------------------------------


def policy_of(program: Program | None) -> SafetyPolicy | None:
    if program is None:
        return None
    return SafetyPolicy.objects.filter(program=program).select_related("backup").first()


def zone_of(alert: SafetyAlert) -> ZoneInfo:
    program = alert.participant.program
    return get_zone(program.timezone if program is not None else alert.participant.timezone)


def deadline_for(alert: SafetyAlert, moment: datetime, policy: SafetyPolicy | None) -> datetime:
    """By when the holder must acknowledge: minutes by acuity, or end of next business day."""
    minutes: int | None
    if alert.acuity == Acuity.EMERGENCY:
        minutes = policy.emergency_minutes if policy else DEFAULT_MINUTES[Acuity.EMERGENCY]
    elif alert.acuity == Acuity.HIGH:
        minutes = policy.high_minutes if policy else DEFAULT_MINUTES[Acuity.HIGH]
    else:
        minutes = None
    return deadline_after(
        moment,
        minutes=minutes,
        zone=zone_of(alert),
        days=policy.business_days if policy else None,
        ends_at=policy.business_day_ends_at if policy else BUSINESS_DAY_ENDS_AT,
    )


def in_business_hours(alert: SafetyAlert, moment: datetime, policy: SafetyPolicy | None) -> bool:
    return is_business_hours(
        moment,
        zone_of(alert),
        days=policy.business_days if policy else None,
        ends_at=policy.business_day_ends_at if policy else BUSINESS_DAY_ENDS_AT,
    )


# --- who is at each step -------------------------------------------------------------------


def primary_clinicians(alert: SafetyAlert) -> list[User]:
    """Care-team members who may write and hold the seat, the primary clinician first."""
    participant = alert.participant
    members = (
        CareTeamMember.objects.filter(participant=participant, can_write=True)
        .filter(
            programs.eligible_holders(Seat.CARE_TEAM, "clinician", "participant__program"),
        )
        .select_related("clinician")
        .order_by("id")
    )
    ordered = sorted(
        members, key=lambda member: member.role != CareTeamMember.Role.PRIMARY_CLINICIAN
    )
    return [member.clinician for member in ordered]


def on_call_people(alert: SafetyAlert, moment: datetime) -> list[User]:
    """Whoever the rota puts on call now, else the program's on-call members."""
    program = alert.participant.program
    if program is None:
        return []
    people = rota.on_call_at(program, moment)
    if people:
        return people
    members = (
        ProgramMembership.objects.filter(program=program, role=ProgramMembership.Role.ON_CALL)
        .filter(programs.eligible_holders(Seat.ON_CALL, "user", "program"))
        .select_related("user")
        .order_by("id")
    )
    return [member.user for member in members]


def directors(alert: SafetyAlert) -> list[User]:
    program = alert.participant.program
    if program is None:
        return []
    members = (
        ProgramMembership.objects.filter(
            program=program,
            role=ProgramMembership.Role.DIRECTOR,
            user__is_active=True,
            user__role=User.Role.PROGRAM_DIRECTOR,
        )
        .select_related("user")
        .order_by("id")
    )
    return [member.user for member in members]


def backups(policy: SafetyPolicy | None) -> list[User]:
    if policy is None or policy.backup is None or not policy.backup.is_active:
        return []
    return [policy.backup]


def people_at(
    step: int, alert: SafetyAlert, moment: datetime, policy: SafetyPolicy | None
) -> list[User]:
    if step == LadderStep.ON_CALL:
        return on_call_people(alert, moment)
    if step == LadderStep.DIRECTOR:
        return directors(alert)
    if step == LadderStep.BACKUP:
        return backups(policy)
    return primary_clinicians(alert)


def choose_owner(
    alert: SafetyAlert, moment: datetime, policy: SafetyPolicy | None
) -> tuple[User | None, str]:
    """The first owner and why (a code for the timeline and the audit trail)."""
    candidates: list[tuple[str, Any]] = [
        ("primary_clinician", lambda: primary_clinicians(alert)),
        ("on_call", lambda: on_call_people(alert, moment)),
        ("director", lambda: directors(alert)),
    ]
    if not in_business_hours(alert, moment, policy):
        candidates = [candidates[1], candidates[0], candidates[2]]
    for reason, find in candidates:
        people = find()
        if people:
            return people[0], reason
    return None, "nobody"


def _held_by(alert: SafetyAlert) -> set[int]:
    """Everyone the alert has been with so far (owner and each step's person)."""
    return set(
        AlertEvent.objects.filter(
            alert=alert,
            kind__in=[AlertEvent.Kind.OWNER_SET, AlertEvent.Kind.ESCALATED],
            recipient__isnull=False,
        ).values_list("recipient_id", flat=True)
    )


# --- queueing (after commit) ---------------------------------------------------------------


def _queue(alert: SafetyAlert, wave: list[tuple[int, User]]) -> None:
    """Claim the wave's notices now (they commit with the step); after commit, queue one
    `notify` job per step and a `check_deadline` job for the deadline."""
    # Imported here: tasks imports this module.
    from openiop.safety import tasks

    alert_id = alert.pk
    round_ = alert.notice_round
    deadline = alert.acknowledge_by
    for step, person in wave:
        notices.claim(alert, step, round_, person)
    steps = sorted({int(step) for step, _ in wave})

    def enqueue() -> None:
        for step in steps:
            tasks.notify.enqueue(alert_id, step, round_)
        if deadline is not None:
            tasks.check_deadline.using(run_after=deadline).enqueue(alert_id)

    transaction.on_commit(enqueue)


def _audit(alert: SafetyAlert, event: str, *, step: int, user: User | None, reason: str) -> None:
    record(
        event,
        acting_user=None,
        participant=alert.participant,
        target=alert,
        details={
            "alert": str(alert.code),
            "step": int(step),
            "user": str(user.code) if user is not None else None,
            "reason": reason,
            "acuity": alert.acuity,
            "to": alert.acknowledge_by.isoformat() if alert.acknowledge_by else None,
        },
    )


# --- the three entry points (called by openiop.safety.actions in its transaction) ----------


def start(alert: SafetyAlert) -> None:
    """A new alert: choose its owner and deadline, and queue the first notice after commit."""
    now = timezone.now()
    policy = policy_of(alert.participant.program)
    owner, reason = choose_owner(alert, now, policy)
    alert.owner = owner
    alert.ladder_step = LadderStep.OWNER
    alert.notice_round = 0
    alert.acknowledge_by = deadline_for(alert, now, policy)
    alert.save(update_fields=["owner", "ladder_step", "notice_round", "acknowledge_by"])
    if owner is None:
        timeline.log(
            alert,
            AlertEvent.Kind.NO_RECIPIENT,
            step=LadderStep.OWNER,
            detail="No clinician, on-call member or director to own the alert",
            at=now,
        )
    else:
        timeline.log(
            alert,
            AlertEvent.Kind.OWNER_SET,
            recipient=owner,
            step=LadderStep.OWNER,
            detail=OWNER_REASONS[reason],
            at=now,
        )
    _audit(alert, "escalation.owner_set", step=LadderStep.OWNER, user=owner, reason=reason)
    _queue(alert, [(LadderStep.OWNER, owner)] if owner is not None else [])


OWNER_REASONS = {
    "primary_clinician": "Participant's clinician",
    "on_call": "On call now",
    "director": "Program director (no clinician or on-call cover)",
    "nobody": "Nobody",
}


def restart(alert: SafetyAlert) -> None:
    """An open alert's acuity went up: a shorter deadline from now, and notify its holder."""
    now = timezone.now()
    policy = policy_of(alert.participant.program)
    deadline = deadline_for(alert, now, policy)
    if alert.acknowledge_by is None or deadline < alert.acknowledge_by:
        alert.acknowledge_by = deadline
    alert.notice_round += 1
    alert.save(update_fields=["acknowledge_by", "notice_round"])
    holder = alert.owner
    _audit(
        alert, "escalation.deadline_shortened", step=alert.ladder_step, user=holder, reason="acuity"
    )
    if holder is not None and holder.is_active:
        _queue(alert, [(alert.ladder_step, holder)])
    else:
        _queue(alert, [])


def stop(alert: SafetyAlert) -> None:
    """Acknowledged: nothing more climbs or is sent (queued jobs find it closed).

    The deadline stays on the row as the record of what was due; jobs and the sweep look at
    open alerts only, and a notice job re-reads the alert under lock before each send.
    """


# --- climbing ------------------------------------------------------------------------------


def holder_gone(alert: SafetyAlert) -> bool:
    return alert.owner is not None and not alert.owner.is_active


def escalate_if_due(alert_id: int, *, now: datetime | None = None) -> bool:
    """Climb one step if the alert is open and its deadline passed or its holder left.

    Locks the alert, so a deadline job, the sweep and an acknowledgement never act twice: the
    second one finds a new deadline in the future, or the alert closed.
    """
    now = now or timezone.now()
    with transaction.atomic():
        alert = (
            SafetyAlert.objects.select_for_update(of=("self",))
            .select_related("participant__program", "owner")
            .filter(pk=alert_id, status=SafetyAlert.Status.OPEN)
            .first()
        )
        if alert is None:
            return False
        gone = holder_gone(alert)
        if not gone and (alert.acknowledge_by is None or alert.acknowledge_by > now):
            return False
        climb(alert, now, reason="holder_inactive" if gone else "deadline")
        return True


CLIMB_REASONS = {
    "deadline": "Deadline passed without acknowledgement",
    "holder_inactive": "The holder's account was deactivated",
}


def climb(alert: SafetyAlert, now: datetime, *, reason: str) -> None:
    policy = policy_of(alert.participant.program)
    held = _held_by(alert)
    step = int(alert.ladder_step)
    while step < LadderStep.BACKUP:
        step += 1
        people = [person for person in people_at(step, alert, now, policy) if person.pk not in held]
        if not people:
            timeline.log(
                alert,
                AlertEvent.Kind.NO_RECIPIENT,
                step=step,
                detail="Nobody at this step" if not held else "Nobody new at this step",
                at=now,
            )
            _audit(alert, "escalation.step_skipped", step=step, user=None, reason=reason)
            continue
        person = people[0]
        alert.owner = person
        alert.ladder_step = step
        alert.notice_round += 1
        alert.acknowledge_by = deadline_for(alert, now, policy)
        alert.save(update_fields=["owner", "ladder_step", "notice_round", "acknowledge_by"])
        timeline.log(
            alert,
            AlertEvent.Kind.ESCALATED,
            recipient=person,
            step=step,
            detail=CLIMB_REASONS[reason],
            at=now,
        )
        _audit(alert, "escalation.escalated", step=step, user=person, reason=reason)
        _queue(alert, [(step, person)])
        return
    _renotify_top(alert, now, policy, reason=reason)


def _renotify_top(
    alert: SafetyAlert, now: datetime, policy: SafetyPolicy | None, *, reason: str
) -> None:
    """At the top: tell the directors and the backup again, with a new deadline."""
    people: list[tuple[int, User]] = [(LadderStep.DIRECTOR, user) for user in directors(alert)]
    people += [(LadderStep.BACKUP, user) for user in backups(policy)]
    # One notice per step, channel and round: one director and the backup each round.
    chosen: dict[int, User] = {}
    for step, user in people:
        chosen.setdefault(step, user)
    alert.ladder_step = LadderStep.BACKUP
    alert.notice_round += 1
    alert.acknowledge_by = deadline_for(alert, now, policy)
    if chosen:
        alert.owner = chosen.get(LadderStep.BACKUP) or chosen[LadderStep.DIRECTOR]
    alert.save(update_fields=["owner", "ladder_step", "notice_round", "acknowledge_by"])
    if not chosen:
        timeline.log(
            alert,
            AlertEvent.Kind.NO_RECIPIENT,
            step=LadderStep.BACKUP,
            detail="Top of the ladder: no director or backup to tell",
            at=now,
        )
        _audit(alert, "escalation.step_skipped", step=LadderStep.BACKUP, user=None, reason=reason)
    for step, user in chosen.items():
        timeline.log(
            alert,
            AlertEvent.Kind.ESCALATED,
            recipient=user,
            step=step,
            detail="Still unacknowledged at the top of the ladder; told again",
            at=now,
        )
        _audit(alert, "escalation.escalated", step=step, user=user, reason="top_of_ladder")
    _queue(alert, list(chosen.items()))


def overdue_alert_ids(now: datetime) -> list[int]:
    """Open alerts whose deadline passed or whose holder's account was deactivated."""
    return list(
        SafetyAlert.objects.filter(status=SafetyAlert.Status.OPEN)
        .filter(Q(acknowledge_by__lte=now) | Q(owner__is_active=False))
        .order_by("acknowledge_by", "id")
        .values_list("pk", flat=True)
    )
