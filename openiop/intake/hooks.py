"""What intake tells the apps above it.

Admission is where a person's care begins, and apps above intake act on it (careplans copies the
assessment's working diagnoses to the chart's clinical summary). intake cannot import them, so
each registers a callable here in its AppConfig.ready; `admit()` calls them inside its own
transaction, so a failure in one undoes the admission as well.

The intake pipeline counts business days; the days a program is closed are kept by scheduling
(holidays), which registers them here (`register_closed_days`).
"""

from datetime import date
from typing import Protocol

from openiop.accounts.models import User
from openiop.intake.models import EpisodeOfCare


class OnAdmitted(Protocol):
    def __call__(self, episode: EpisodeOfCare, *, acting_user: User) -> object: ...


_on_admitted: list[OnAdmitted] = []


def register_on_admitted(callback: OnAdmitted) -> None:
    if callback not in _on_admitted:
        _on_admitted.append(callback)


def admitted(episode: EpisodeOfCare, *, acting_user: User) -> None:
    for callback in _on_admitted:
        callback(episode, acting_user=acting_user)


class ClosedDays(Protocol):
    def __call__(self, program_ids: list[int], start: date, end: date) -> dict[int, set[date]]: ...


_closed_days: list[ClosedDays] = []


def register_closed_days(callback: ClosedDays) -> None:
    """The days each program is closed (scheduling's holidays): the intake pipeline's business
    days skip them. Each callback asks one query, whatever the number of programs."""
    if callback not in _closed_days:
        _closed_days.append(callback)


def closed_days(program_ids: list[int], start: date, end: date) -> dict[int, set[date]]:
    """Closed days in [start, end] per program, from every registered source."""
    days: dict[int, set[date]] = {pk: set() for pk in program_ids}
    for callback in _closed_days:
        for pk, found in callback(program_ids, start, end).items():
            days.setdefault(pk, set()).update(found)
    return days
