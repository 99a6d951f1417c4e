from collections.abc import Sequence
from typing import Any


class SchedulingError(Exception):
    """A request the schedule cannot take; `str(error)` is a message for the person asking."""


class AdmissionError(SchedulingError):
    pass


class CapacityError(SchedulingError):
    pass


class LicensureError(SchedulingError):
    """Refused for licensure; `alternatives` are groups that would fit (seating only)."""

    def __init__(self, message: str, alternatives: Sequence[Any] = ()) -> None:
        super().__init__(message)
        self.alternatives = list(alternatives)


class ConflictError(SchedulingError):
    pass


class AvailabilityError(SchedulingError):
    pass


class AttendanceError(SchedulingError):
    pass
