"""What an assignment is about, told by the app that made it (e.g. the session a check-in
asks about), so pages listing questionnaires can say so without assessments knowing that app.

A higher app registers a provider in its AppConfig.ready; each provider takes assignment ids
and answers for the ones it knows, in one query.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class AssignmentContext:
    # Shown to the participant: already translated, never clinical content.
    label: str
    moment: datetime | None = None


Provider = Callable[[list[int]], dict[int, AssignmentContext]]
_providers: list[Provider] = []


def register_assignment_context(provider: Provider) -> None:
    if provider not in _providers:
        _providers.append(provider)


def contexts_for(assignment_ids: Iterable[int]) -> dict[int, AssignmentContext]:
    ids = list(assignment_ids)
    found: dict[int, AssignmentContext] = {}
    if not ids:
        return found
    for provider in _providers:
        found.update(provider(ids))
    return found
