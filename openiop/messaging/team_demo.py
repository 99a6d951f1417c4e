"""The care team's demo: a team thread with a mention, a few tasks (one done), and this week's
case review with decisions, all through the real actions (so encrypted and audited).

Call after the rest of the demo (alerts, stays and plans flag participants for the review):
`team_demo.load_team_demo(program, now=timezone.now())`.
"""

from datetime import datetime, timedelta

from openiop.messaging import case_review, team_actions
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program, ProgramMembership

POSTS = [
    "Missed Tuesday's group without a call. Any news from the family contact?",
    "{mention} could you call after today's session and check on transport?",
]
TASKS = [
    ("Call after missed session", 1, "Ask about the bus pass."),
    ("Med review", 3, ""),
    ("Update the safety plan", 5, ""),
]
DECISIONS = [
    "Keep at IOP; add a mid-week check-in call until the alert is resolved.",
    "Offer a make-up group on Thursday and review hours next week.",
]


def load_team_demo(program: Program, *, now: datetime) -> int:
    """Returns how many decisions were recorded."""
    members = list(
        CareTeamMember.objects.filter(participant__program=program, can_write=True)
        .select_related("participant", "clinician")
        .order_by("participant_id", "id")[:40]
    )
    by_participant: dict[int, list[CareTeamMember]] = {}
    for member in members:
        by_participant.setdefault(member.participant_id, []).append(member)
    for team in list(by_participant.values())[:3]:
        participant: Participant = team[0].participant
        lead = team[0].clinician
        other = team[1].clinician if len(team) > 1 else lead
        team_actions.add_post(participant, text=POSTS[0], acting_user=lead)
        mention = f"@{other.given_name} {other.family_name}"
        team_actions.add_post(participant, text=POSTS[1].format(mention=mention), acting_user=lead)
        for title, days, note in TASKS:
            team_actions.add_task(
                participant,
                title=title,
                owner=other,
                due_at=now + timedelta(days=days),
                note=note,
                acting_user=lead,
            )
        first = participant.team_tasks.order_by("id").first()
        if first is not None:
            team_actions.set_task_status(first, done=True, acting_user=other)
    director = (
        ProgramMembership.objects.filter(program=program, role=ProgramMembership.Role.DIRECTOR)
        .select_related("user")
        .first()
    )
    if director is None:
        return 0
    review = case_review.weekly_review(program, now)
    recorded = 0
    for item, text in zip(review.flagged, DECISIONS, strict=False):
        team_actions.record_decision(
            program, item.participant, text=text, acting_user=director.user
        )
        recorded += 1
    return recorded
