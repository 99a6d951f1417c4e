"""Why a telehealth request cannot be honoured; each message is safe to show to the user."""


class TelehealthError(Exception):
    """A request that cannot be honoured; the message is safe to show to the user."""


class NotOpenYet(TelehealthError):
    pass


class SessionOver(TelehealthError):
    pass


class NotLicensedThere(TelehealthError):
    pass


class NotAdmitted(TelehealthError):
    pass


class VideoUnavailable(TelehealthError):
    pass


class GuestRefused(TelehealthError):
    """A guest invitation that cannot be made, used or admitted."""


class ConsentsMissing(TelehealthError):
    """A participant has not signed the consents required before their first session."""
