"""The demo's group notes: signed notes for recent past sessions of each group, written and
signed through the real actions (so the attendance, the checks and the audit trail are as in
use), and one draft whose checks have something to show.

Call after the schedule is loaded (`openiop.scheduling.demo.load`), and after the treatment
plans if they are loaded too, so individual parts cite the attendees' own objectives:

    from openiop.notes.demo_group import load_group_notes_demo
    load_group_notes_demo(program, now=timezone.now())

The latest past session of each group is left without a note (work for the worklist); the
first group's gets the draft instead, whose shared part names a member.
"""

import random
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from openiop.accounts.models import User
from openiop.notes import actions, group_checks, group_queries
from openiop.notes.actions import AttendeePart, SharedPart
from openiop.notes.models import GroupNote
from openiop.programs.models import Group, GroupFacilitator, Program
from openiop.scheduling.models import Booking, Session

INTERVENTIONS = {
    "Mindfulness": "Observe and describe; wise-mind practice; diary card review.",
    "Distress tolerance": "TIPP and self-soothe skills taught and rehearsed in pairs.",
    "Emotion regulation": "Check the facts; opposite action; PLEASE skills.",
    "Interpersonal skills": "DEAR MAN role play; validation practice.",
    "Thoughts, feelings and actions": "The CBT triangle taught; members mapped a recent moment.",
    "Behavioural activation": "Activity scheduling; mastery and pleasure ratings reviewed.",
    "Unhelpful thinking patterns": "Thinking traps named; thought records with balanced views.",
    "Problem solving": "Five problem-solving steps practised on a shared example.",
    "Relapse prevention": "Early warning signs mapped; a personal coping plan drafted.",
}
NARRATIVE = (
    "The group opened with a two-minute breathing practice and a round of diary cards. "
    "The facilitators taught the module's skill, modelled it and had members practise it in "
    "pairs, then closed with homework for the week."
)
ENGAGEMENT = [
    "Engaged throughout and volunteered an example from the week.",
    "Quiet at first; joined the paired practice after encouragement.",
    "Participated actively and asked how to use the skill at work.",
    "Attentive; shared briefly in the closing round.",
    "Arrived tense, settled after the opening practice.",
]
RESPONSE = [
    "Rated distress {a}/10 before practice and {b}/10 after.",
    "Reported using the skill {a} times since the last group.",
    "Completed {a} of 7 diary card days.",
    "Named {a} triggers and one skill for each.",
]
PLAN = [
    "Plan: practise daily and bring the diary card.",
    "Plan: try the skill once at home before the next group.",
    "Plan: review progress on this objective next week.",
]
ABSENCE_REASONS = ["Called in sick", "Work shift", "No reason given", "Childcare", "Transport"]


def _lead(group: Group) -> User | None:
    role = (
        GroupFacilitator.objects.filter(group=group, role=GroupFacilitator.Role.LEAD)
        .select_related("clinician")
        .first()
    )
    return role.clinician if role is not None else None


def _individual(rng: random.Random, taken: set[str]) -> str:
    while True:
        text = " ".join(
            [
                rng.choice(ENGAGEMENT),
                rng.choice(RESPONSE).format(a=rng.randint(2, 9), b=rng.randint(1, 5)),
                rng.choice(PLAN),
            ]
        )
        if group_checks.normalise(text) not in taken:
            taken.add(group_checks.normalise(text))
            return text


def _write(
    session: Session, author: User, rng: random.Random, *, shared_text: str = NARRATIVE
) -> GroupNote:
    bookings = group_queries.roster(session)
    objectives = group_queries.plan_objectives(b.participant_id for b in bookings)
    group = session.group
    module = group.topic_for(session.local_date) if group is not None else None
    taken: set[str] = set()
    parts = []
    for booking in bookings:
        attended = booking.attendance in group_checks.ATTENDED
        own = objectives.get(booking.participant_id, [])
        parts.append(
            AttendeePart(
                booking=booking,
                attendance=booking.attendance or Booking.Attendance.PRESENT,
                absence_reason=rng.choice(ABSENCE_REASONS) if not attended else "",
                minutes=booking.minutes_attended,
                individual_text=_individual(rng, taken) if attended else "",
                objectives=own[:1],
            )
        )
    saved = actions.save_group_note(
        session,
        shared=SharedPart(
            topic=module.title if module is not None else "",
            curriculum_module=module,
            interventions=INTERVENTIONS.get(module.title, "") if module is not None else "",
            shared_text=shared_text,
        ),
        attendees=parts,
        version=0,
        acting_user=author,
    )
    return saved.group_note


@transaction.atomic
def load_group_notes_demo(
    program: Program,
    *,
    now: datetime | None = None,
    sessions_per_group: int = 3,
    seed: int = 2026,
) -> int:
    """Sign the group notes of each group's recent past sessions; returns how many."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    now = now or timezone.now()
    signed = 0
    groups = Group.objects.filter(track__program=program, is_active=True).order_by("pk")
    for index, group in enumerate(groups):
        author = _lead(group)
        if author is None:
            continue
        past = list(
            Session.objects.filter(
                group=group,
                status=Session.Status.SCHEDULED,
                ends_at__lte=now,
                bookings__status=Booking.Status.BOOKED,
                group_note__isnull=True,
            )
            .distinct()
            .order_by("-starts_at")[: sessions_per_group + 1]
        )
        if not past:
            continue
        latest, earlier = past[0], past[1:]
        for session in earlier:
            group_note = _write(session, author, rng)
            try:
                actions.sign_group_note(group_note, acting_user=author, confirm_no_objective=True)
            except actions.GroupNoteNotReady:
                continue  # left as a draft: its checks say why
            signed += 1
        if index == 0:
            first = group_queries.roster(latest)
            named = first[0].participant.name_in_use if first else ""
            _write(
                latest, author, rng, shared_text=f"{named} led the opening practice. {NARRATIVE}"
            )
    return signed
