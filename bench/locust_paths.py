"""The pages the scale-out rig's Locust users open (bench/locustfile.py), by URL name.

Kept apart from the locustfile, which imports Locust (and gevent's monkey-patching with it), so
that a test can check every path here against Django's own `reverse()` cheaply.
"""

# Label in the report -> (URL name, path template). `{participant}`, `{program}` and
# `{assignment}` are filled with the codes of the rig's demo (bench/rig.py writes them).
PAGES: dict[str, tuple[str, str]] = {
    "hello": ("core:health", "/health/"),
    "caseload": ("participants:caseload", "/participants/"),
    "chart": ("participants:chart", "/participants/{participant}/"),
    "notes list": ("notes:participant_notes", "/notes/participants/{participant}/"),
    "alert list": ("safety:alerts", "/safety/"),
    "week grid": ("scheduling:week_grid", "/schedule/programs/{program}/week/"),
    "board": ("core:board", "/board/{program}/"),
    "Today": ("home", "/"),
    "check-in form": ("assessments:respond", "/assessments/{assignment}/"),
    "check-in save": ("assessments:respond", "/assessments/{assignment}/"),
    "messages": ("messaging:mine", "/messages/"),
}

# Which code fills each template field, for reverse(name, kwargs={"code": ...}).
FIELDS = ("participant", "program", "assignment")


def path(label: str, **codes: str) -> str:
    return PAGES[label][1].format(**codes)
