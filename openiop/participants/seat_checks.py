"""Further seat checks for `manage.py check_seats`, registered by higher apps.

The on-call rota lives in `safety`, above this app: SafetyConfig.ready registers a function
that yields one line per rota row held by someone who may not hold the seat (codes only).
"""

from collections.abc import Callable, Iterator

SeatCheck = Callable[[], Iterator[str]]

_checks: list[SeatCheck] = []


def register(check: SeatCheck) -> None:
    if check not in _checks:
        _checks.append(check)


def registered() -> list[SeatCheck]:
    return list(_checks)
