"""How long something has lasted, as people say it: "45 min", "2 h 5 min", "3 d 4 h".

Two units at most, rounded down (an alert open 59 seconds reads "under 1 min", never "1 min"
early). A negative span (a clock a little ahead) reads as no time at all.
"""

from datetime import timedelta


def format_elapsed(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    if minutes < 1:
        return "under 1 min"
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"
