"""Office hours: whether the care team reads messages now, and how to say when they do.

Hours are wall-clock times in the program's zone on the chosen weekdays (a program in New York
is open 9 to 5 New York time whatever the reader's zone; the page says the zone's abbreviation).
"""

from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.lib.timefmt import abbreviation, clock, in_zone
from openiop.messaging.models import MessagingSettings
from openiop.programs.models import Program

# A chart with no program (an old record) keeps the defaults in the default zone.
DEFAULT_ZONE = "America/New_York"


def settings_for(program: Program | None) -> MessagingSettings:
    """The program's settings, or the defaults (unsaved) when its directors set none."""
    if program is not None:
        try:
            return program.messaging_settings
        except MessagingSettings.DoesNotExist:
            pass
    return MessagingSettings(program=program, opens_at=time(9), closes_at=time(17))


def _zone(settings: MessagingSettings) -> str:
    return settings.program.timezone if settings.program_id else DEFAULT_ZONE


def _as_time(value: time | str) -> time:
    return value if isinstance(value, time) else time.fromisoformat(value)


def is_open(settings: MessagingSettings, moment: datetime | None = None) -> bool:
    local = in_zone(moment or timezone.now(), _zone(settings))
    return str(local.isoweekday()) in settings.days and _as_time(
        settings.opens_at
    ) <= local.time() < _as_time(settings.closes_at)


def weekday_names() -> list[str]:
    return [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]


def describe(settings: MessagingSettings, moment: datetime | None = None) -> str:
    """ "Mon, Tue, Wed, Thu, Fri, 9:00 AM – 5:00 PM EST" (the abbreviation in force now)."""
    names = weekday_names()
    days = [names[int(d) - 1] for d in sorted(settings.days)]
    if not days:
        return _("no office hours")
    local = in_zone(moment or timezone.now(), _zone(settings))
    opens = local.replace(
        hour=_as_time(settings.opens_at).hour, minute=_as_time(settings.opens_at).minute
    )
    closes = local.replace(
        hour=_as_time(settings.closes_at).hour, minute=_as_time(settings.closes_at).minute
    )
    return f"{', '.join(days)}, {clock(opens)} – {clock(closes)} {abbreviation(local)}"
