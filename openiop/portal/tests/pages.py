"""Every page a participant sees, for the portal's accessibility tests (client and browser).

`participant_world(case)` gives Pat (openiop/testing.py) something on each page: a group
session later today, sessions earlier this week with their attendance, an open PHQ-9, a
release to read and consents signed.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from openiop.assessments.actions import shipped_instrument
from openiop.assessments.models import Assignment
from openiop.consent.defaults import ensure_texts
from openiop.consent.models import ConsentKind
from openiop.consent.tests.helpers import consent_text, sign_required
from openiop.scheduling.models import Booking, Session
from openiop.telehealth.tests.helpers import make_session

LATER_TODAY = "Evening skills group"
# Thursday 10 December 2026, noon in New York: Monday's to Wednesday's sessions are this week's.
THURSDAY_NOON = datetime(2026, 12, 10, 17, tzinfo=UTC)


def participant_world(case: Any) -> dict[str, Any]:
    ensure_texts(case.program)
    consent_text(case.program, ConsentKind.RELEASE)
    sign_required(case.pat)
    later = make_session(
        case, LATER_TODAY, [case.alvarez], [case.pat], starts_in=timedelta(minutes=5)
    )
    for title, days, attendance in (
        ("Monday group", -3, Booking.Attendance.PRESENT),
        ("Tuesday group", -2, Booking.Attendance.ABSENT),
    ):
        past = make_session(
            case, title, [case.alvarez], [case.pat], starts_in=timedelta(days=days), minutes=60
        )
        Booking.objects.filter(session=past).update(
            attendance=attendance,
            minutes_attended=60 if attendance == Booking.Attendance.PRESENT else 0,
            recorded_at=timezone.now(),
        )
    cancelled = make_session(
        case, "Wednesday group", [case.alvarez], [case.pat], starts_in=timedelta(days=-1)
    )
    Session.objects.filter(pk=cancelled.pk).update(
        status=Session.Status.CANCELLED, cancelled_at=timezone.now(), cancel_reason="other"
    )
    assignment = Assignment.objects.create(
        participant=case.pat,
        instrument=shipped_instrument("phq-9"),
        assigned_by=case.alvarez,
        status=Assignment.Status.OPEN,
    )
    return {"session": later, "assignment": assignment}


def participant_pages(world: dict[str, Any]) -> dict[str, str]:
    """name → path of each page a participant reaches by GET (the video room is apart: it
    needs the participant admitted)."""
    return {
        "today": reverse("home"),
        "my-week": reverse("scheduling:my_week"),
        "settings": reverse("portal:settings"),
        "crisis": reverse("portal:crisis"),
        "consents": reverse("consent:mine"),
        "consent-sign": reverse("consent:sign", args=[ConsentKind.RECORDING.value]),
        "record-access": reverse("participants:record_access"),
        "notes": reverse("notes:my_notes"),
        "record-download": reverse("notes:my_record"),
        "questionnaires": reverse("assessments:mine"),
        "questionnaire": reverse("assessments:respond", args=[world["assignment"].code]),
        "safety-plan": reverse("safety:my_plan"),
        "treatment-plan": reverse("careplans:my_plan"),
        "releases": reverse("releases:mine"),
        "release-new": reverse("releases:new"),
        "disclosures": reverse("releases:my_disclosures"),
        "calendar": reverse("scheduling:calendar"),
        "video-sessions": reverse("telehealth:sessions"),
        "video-prejoin": reverse("telehealth:join", args=[world["session"].code]),
        "security": reverse("mfa_index"),
        "password": reverse("account_change_password"),
    }


# Forms a participant submits, posted empty (or wrong) so that every error is on the page.
INVALID_POSTS = {
    "settings": {"zone": "other", "other": "Not/AZone"},
    "release-new": {},
    "video-prejoin": {},
    "consent-sign": {},
    "password": {"oldpassword": "x", "password1": "a", "password2": "b"},
}
