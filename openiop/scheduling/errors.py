class SchedulingError(Exception):
    """A request the schedule cannot take; `str(error)` is a message for the person asking."""


class AdmissionError(SchedulingError):
    pass


class CapacityError(SchedulingError):
    pass


class LicensureError(SchedulingError):
    pass


class ConflictError(SchedulingError):
    pass


class AvailabilityError(SchedulingError):
    pass


class AttendanceError(SchedulingError):
    pass
