"""What careplans asks of the apps above it.

The plan shows, per objective, the notes that addressed it (the "golden thread"); notes sit
above careplans, so the notes app registers the lookup here in its AppConfig.ready.
"""

from collections.abc import Callable, Iterable
from typing import Any

# objective lineages -> {lineage: [notes that addressed an objective of that lineage]},
# each list newest first; a note is any object with code, kind, started_at, author, status.
ObjectiveNotes = Callable[[Iterable[Any]], dict[Any, list[Any]]]
_objective_notes: list[ObjectiveNotes] = []


def register_objective_notes(provider: ObjectiveNotes) -> None:
    if provider not in _objective_notes:
        _objective_notes.append(provider)


def notes_by_objective(lineages: Iterable[Any]) -> dict[Any, list[Any]]:
    """One query per provider, whatever the number of objectives."""
    lineages = list(lineages)
    found: dict[Any, list[Any]] = {lineage: [] for lineage in lineages}
    for provider in _objective_notes:
        for lineage, notes in provider(lineages).items():
            found.setdefault(lineage, []).extend(notes)
    return found
