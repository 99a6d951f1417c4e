"""Messaging demo: a few threads between demo participants and their care teams, written
through the real actions (encrypted, audited), one of them answered after hours and one still
unread by the team.

Call after `openiop.core.demo.load` (e.g. from `load_demo`):
`messaging_demo.load_threads_demo(program, now=timezone.now())`.
"""

from datetime import datetime, timedelta

from openiop.messaging import threads_actions as actions
from openiop.messaging.models import Thread
from openiop.participants.models import CareTeamMember, Participant
from openiop.programs.models import Program

# (subject, [(who, hours before now, text)]); "p" is the participant, "t" their clinician.
THREADS = [
    (
        "Running late on Thursday",
        [
            ("p", 50, "My bus is delayed, I may be 15 minutes late for group on Thursday."),
            ("t", 49, "Thanks for letting us know. Join when you can; we will save you a seat."),
        ],
    ),
    (
        "Sleep worksheet",
        [
            ("p", 30, "I filled in the sleep worksheet. Should I bring it or send a photo?"),
            ("t", 29, "Bring it on Monday and we will go over it together."),
            ("p", 28, "Great, thank you."),
        ],
    ),
    (
        "Question about my medication times",
        [("p", 2, "Can I take my evening dose a bit earlier on group days?")],
    ),
]


def load_threads_demo(program: Program, *, now: datetime) -> list[Thread]:
    participants = (
        Participant.objects.filter(program=program, discharged_at__isnull=True, user__isnull=False)
        .filter(care_team__can_write=True)
        .distinct()
        .order_by("id")[: len(THREADS)]
    )
    threads = []
    for participant, (subject, messages) in zip(participants, THREADS, strict=False):
        member = (
            CareTeamMember.objects.filter(participant=participant, can_write=True)
            .select_related("clinician")
            .order_by("id")
            .first()
        )
        if member is None or participant.user is None:
            continue
        thread = None
        for who, hours, text in messages:
            author = participant.user if who == "p" else member.clinician
            at = now - timedelta(hours=hours)
            if thread is None:
                sent = actions.start_thread(
                    participant, subject=subject, text=text, acting_user=author, now=at
                )
                thread = sent.message.thread
            else:
                actions.post_message(thread, text=text, acting_user=author, now=at)
        if thread is not None:
            threads.append(thread)
    return threads
