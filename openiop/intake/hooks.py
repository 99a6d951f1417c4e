"""What intake tells the apps above it.

Admission is where a person's care begins, and apps above intake act on it (careplans copies the
assessment's working diagnoses to the chart's clinical summary). intake cannot import them, so
each registers a callable here in its AppConfig.ready; `admit()` calls them inside its own
transaction, so a failure in one undoes the admission as well.
"""

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
