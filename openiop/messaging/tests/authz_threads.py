"""The matrix rows of participant ↔ care team threads (docs/messaging.md).

Pat's thread ("own") is read by Pat, her care team (Dr. Alvarez; Sam, whose read-only chart
seat still lets him reply) and Dana, who directs the program (reads only: 403 on a write).
Quinn's ("other") by Quinn, Dr. Chen (his team) and Dana. Everyone else gets 404, Ivy
included: coordinating intake opens charts, not conversations.
"""

import uuid
from typing import Any

from openiop.tests.authz import ROLES, Entry

NOBODY = {r: 404 for r in ROLES if r != "anonymous"}
THREAD_READERS = {**NOBODY, "pat": 200, "alvarez": 200, "sam": 200, "dana": 200}
OTHER_READERS = {"quinn": 200, "chen": 200, "dana": 200}
REPLIERS = {**NOBODY, "pat": 302, "alvarez": 302, "sam": 302, "dana": 403}
OTHER_REPLIERS = {"quinn": 302, "chen": 302, "dana": 403}
LOCKERS = {**REPLIERS, "pat": 403}
OTHER_LOCKERS = {**OTHER_REPLIERS, "quinn": 403}
PARTICIPANTS_ONLY = {**NOBODY, "pat": 200, "quinn": 200}
STAFF_ONLY = {
    **{r: 200 for r in ("dana", "alvarez", "sam", "chen", "ivy", "admin")},
    "pat": 404,
    "quinn": 404,
}
DIRECTOR_ONLY = {**NOBODY, "dana": 200}


def program_kwargs(case: Any, target: str) -> dict:
    """The program's own (Pat's), or one of its own that nobody here directs. Not the shared
    helper's "Adolescent IOP": other fixtures in the matrix make programs of that name too."""
    from openiop.programs.models import Program

    if target == "missing":
        return {"code": uuid.uuid4()}
    if target == "own":
        return {"code": case.program.code}
    other = Program.objects.filter(name="Messaging: other program").first()
    return {"code": (other or Program.objects.create(name="Messaging: other program")).code}


def _thread(case: Any, target: str, *, attachment: bool = False) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from openiop.messaging import threads_actions
    from openiop.messaging.models import Message, Thread

    participant = case.pat if target == "own" else case.quinn
    thread = Thread.objects.filter(participant=participant).first()
    if thread is None:
        threads_actions.start_thread(
            participant,
            subject="Matrix",
            text="A synthetic message",
            upload=SimpleUploadedFile("note.txt", b"synthetic", content_type="text/plain"),
            acting_user=participant.user,
        )
        thread = Thread.objects.get(participant=participant)
    if attachment:
        return Message.objects.filter(thread=thread, attachment__isnull=False).first()
    return thread


def thread_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _thread(case, target).code}


def attachment_kwargs(case: Any, target: str) -> dict:
    if target == "missing":
        return {"code": uuid.uuid4()}
    return {"code": _thread(case, target, attachment=True).code}


MATRIX = {
    "messaging:mine": Entry("GET", PARTICIPANTS_ONLY, audits=0),
    "messaging:new_thread": Entry("GET", PARTICIPANTS_ONLY, audits=0),
    "messaging:inbox": Entry("GET", STAFF_ONLY, audits=0),
    "messaging:thread": Entry("GET", THREAD_READERS, thread_kwargs, other=OTHER_READERS, audits=1),
    "messaging:thread_updates": Entry(
        "GET", THREAD_READERS, thread_kwargs, other=OTHER_READERS, audits=1
    ),
    "messaging:lock": Entry(
        "POST", LOCKERS, thread_kwargs, other=OTHER_LOCKERS, data={"locked": "1"}
    ),
    "messaging:attachment": Entry(
        "GET", THREAD_READERS, attachment_kwargs, other=OTHER_READERS, audits=1
    ),
    "messaging:office_hours": Entry("GET", DIRECTOR_ONLY, program_kwargs, audits=0),
}

GET_AND_POST = {"messaging:new_thread", "messaging:thread", "messaging:office_hours"}
