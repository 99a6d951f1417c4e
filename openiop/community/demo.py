"""The demo's peer space: synthetic posts made through the real actions.

The first participant login's group (or the first group with seated members) gets an active
space: its peer specialist or lead facilitator welcomes the group, members post and reply
over the last days, one post is reported for the moderators. The first participant login
has not accepted the rules yet, so they meet them on their first visit. Discharged
participants who were in a group get their alumni spaces.
"""

from datetime import datetime, timedelta

from django.db import transaction

from openiop.community import actions
from openiop.community.access import seat_in
from openiop.community.models import Post, Space
from openiop.participants.models import Participant
from openiop.programs.models import Group, GroupFacilitator, Program
from openiop.scheduling.models import Enrollment

WELCOME = "Welcome to the group's space. Share what helps between sessions; keep names first-only."
THREADS = [
    (
        "Tried the TIPP cold-water trick before a hard phone call. It took the edge off.",
        [
            "Same here, it surprised me how fast it works.",
            "Going to try it before work tomorrow.",
        ],
    ),
    (
        "Anyone have tips for sleeping after evening group? My mind keeps going.",
        ["I write three things down before bed, then close the notebook."],
    ),
    ("Week 4 and I used my diary card every day. Small win.", ["That's not small!"]),
]


def _post(space: Space, user, text: str, when: datetime, parent: Post | None = None) -> Post:
    seat = seat_in(user, space)
    actions.accept_rules(seat, acting_user=user)
    post = actions.write_post(seat, text=text, acting_user=user, parent=parent)
    Post.objects.filter(pk=post.pk).update(created_at=when, last_activity_at=when)
    if parent is not None:
        Post.objects.filter(pk=parent.pk).update(last_activity_at=when)
    return post


def _group(program: Program) -> Group | None:
    first = (
        Participant.objects.filter(program=program, user__isnull=False).order_by("user_id").first()
    )
    seated = Enrollment.objects.filter(
        group__track__program=program, status=Enrollment.Status.SEATED
    )
    if first is not None and (mine := seated.filter(participant=first).first()) is not None:
        return mine.group
    enrollment = seated.order_by("group_id").first()
    return enrollment.group if enrollment else None


@transaction.atomic
def load_community_demo(program: Program, *, now: datetime) -> Space | None:
    group = _group(program)
    if group is None:
        return None
    space, _ = actions.ensure_spaces(group, acting_user=None)
    moderator = (
        GroupFacilitator.objects.filter(group=group)
        .order_by("-role")  # "peer" sorts after "lead" and "co_facilitator"
        .select_related("clinician")
        .first()
    )
    first_login = (
        Participant.objects.filter(program=program, user__isnull=False).order_by("user_id").first()
    )
    members = [
        enrollment.participant.user
        for enrollment in Enrollment.objects.filter(group=group, status=Enrollment.Status.SEATED)
        .exclude(participant=first_login)
        .select_related("participant__user")
        .order_by("participant_id")
        if enrollment.participant.user is not None
    ][:4]
    if not members:
        return space
    start = now - timedelta(days=len(THREADS) + 1)
    if moderator is not None:
        _post(space, moderator.clinician, WELCOME, start)
    for day, (text, replies) in enumerate(THREADS, start=1):
        author = members[day % len(members)]
        when = start + timedelta(days=day)
        thread = _post(space, author, text, when)
        for hour, reply in enumerate(replies, start=1):
            replier = members[(day + hour) % len(members)]
            _post(space, replier, reply, when + timedelta(hours=hour), parent=thread)
    reported = Post.objects.filter(space=space, parent__isnull=False).order_by("id").last()
    if reported is not None and len(members) > 1:
        reporter = next(m for m in members if m.pk != reported.author_id)
        actions.report_post(reported, reason="spam", acting_user=reporter)
    for person in Participant.objects.filter(program=program, discharged_at__isnull=False):
        actions.admit_alumni(person, acting_user=None)
    return space
