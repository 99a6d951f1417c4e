"""What a delivered copy held, counted by the app that builds the record (notes sits above
consent, so it registers the counter in its AppConfig.ready)."""

from collections.abc import Callable

from openiop.participants.models import Participant

RecordContents = Callable[[Participant], dict[str, int]]
_record_contents: list[RecordContents] = []


def register_record_contents(counter: RecordContents) -> None:
    _record_contents[:] = [counter]


def record_contents(participant: Participant) -> dict[str, int]:
    """Counts by kind ("notes": 12, "plans": 2) of the participant's designated record; empty
    when no counter is registered."""
    return _record_contents[0](participant) if _record_contents else {}
