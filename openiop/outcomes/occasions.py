"""When a schedule's occasions fall due for one stay: pure date arithmetic, no database.

All dates are the program's local dates (its timezone), whatever the participant's own zone:
"weekly on Monday" is the program's Monday.
"""

from dataclasses import dataclass
from datetime import date, timedelta

# A one-off occasion (admission, discharge, follow-up) is still assigned this long after it
# fell due, so a sweep that did not run for a few days catches up; older ones are never
# assigned (a week-old "at admission" questionnaire no longer measures admission).
GRACE = timedelta(days=7)
FOLLOW_UPS = {"follow_up_30": 30, "follow_up_90": 90}


@dataclass(frozen=True)
class Stay:
    """One admission of one participant: admitted and (once discharged) discharged dates."""

    participant_id: int
    admitted_on: date
    discharged_on: date | None = None


@dataclass(frozen=True)
class Occasions:
    """What a schedule asks for (a MeasurementSchedule's fields, as plain values)."""

    starts_on: date
    at_admission: bool = False
    weekly_on: int | None = None
    at_discharge: bool = False
    follow_up_30: bool = False
    follow_up_90: bool = False


def latest_weekday(today: date, weekday: int) -> date:
    """The last date on or before `today` that falls on `weekday` (Monday 0)."""
    return today - timedelta(days=(today.weekday() - weekday) % 7)


def due_occasions(schedule: Occasions, stay: Stay, today: date) -> list[tuple[str, date]]:
    """(kind, due date) of each occasion that is due today and may still be assigned.

    Weekly occasions run from the day after admission to the day before discharge (the
    admission and discharge occasions measure those days); only the latest one is ever due,
    so a missed sweep never hands out last week's questionnaire as well as this week's.
    """
    earliest = max(schedule.starts_on, today - GRACE)
    candidates: list[tuple[str, date]] = []
    if schedule.at_admission:
        candidates.append(("admission", stay.admitted_on))
    if schedule.weekly_on is not None:
        day = latest_weekday(today, schedule.weekly_on)
        during_stay = day > stay.admitted_on and (
            stay.discharged_on is None or day < stay.discharged_on
        )
        if during_stay:
            candidates.append(("weekly", day))
    if stay.discharged_on is not None:
        if schedule.at_discharge:
            candidates.append(("discharge", stay.discharged_on))
        for kind, days in FOLLOW_UPS.items():
            if getattr(schedule, kind):
                candidates.append((kind, stay.discharged_on + timedelta(days=days)))
    return [(kind, day) for kind, day in candidates if earliest <= day <= today]
