"""Every datetime a person reads goes through `{% when %}` (STYLE.md §12).

Walks every template of the project and fails on Django's own date and time display (|date,
|time, {% timezone %}, humanize's naturaltime, ...) and on a datetime-looking variable printed
raw, e.g. `{{ alert.opened_at }}`, which Django renders in UTC.
"""

import re
from pathlib import Path

from django.conf import settings

# Django's date/time display tools: all of them render in the active zone, which is UTC here.
FORBIDDEN = re.compile(
    r"\|\s*(?:date|time|naturaltime|naturalday|timesince|timeuntil|localtime|utc|timezone)\b"
    r"|\{%\s*(?:localtime|timezone|now|get_current_timezone)\b"
    r"|\{%\s*load\b[^%]*\b(?:tz|humanize)\b"
)
VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")
# The last name of a printed variable that holds a date or a datetime.
TIMELIKE = re.compile(
    r"(?:_at|_since|_on|_date|_time|^start|^end|^starts|^ends|^monday|^sunday|^day|^today"
    r"|^now|^date|^when|^first_seen|^last_seen)$"
)
# Filters that make a date or datetime safe to print: |day for calendar days, |iso for
# machine-readable `<time datetime="...">` attributes.
DISPLAY_FILTERS = {"day", "iso"}
# Names a template binds to text already made safe, so they may be printed as they are:
# `{% when x as name %}` and `{% blocktranslate with name=x|day:"longdate" %}`.
BOUND_BY_WHEN = re.compile(r"\{%\s*when\b[^%]*\bas\s+(\w+)\s*%\}")
BOUND_BY_FILTER = re.compile(r"\b(\w+)=[\w.]+\|(?:day|iso)\b")

# (template, text) pairs that look like a raw datetime but are not one, with the reason.
ALLOWED: dict[tuple[str, str], str] = {
    (
        "openiop/safety/templates/safety/_plan_review_form.html",
        "{{ review_form.next_review_on }}",
    ): "a date input (the form field), not a date shown as text",
    (
        "openiop/safety/templates/safety/plan_edit.html",
        "{{ form.review_due_on }}",
    ): "a date input (the form field), not a date shown as text",
}


def template_files() -> list[Path]:
    roots = [
        Path(settings.BASE_DIR) / "templates",
        *Path(settings.BASE_DIR, "openiop").glob("*/templates"),
    ]
    return sorted(p for root in roots for p in root.rglob("*.html"))


def problems_in(text: str) -> list[str]:
    found = [m.group(0) for m in FORBIDDEN.finditer(text)]
    safe = {m.group(1) for m in (*BOUND_BY_WHEN.finditer(text), *BOUND_BY_FILTER.finditer(text))}
    for match in VARIABLE.finditer(text):
        name, *filters = (part.strip() for part in match.group(1).split("|"))
        last = name.split(".")[-1]
        filter_names = {f.split(":")[0] for f in filters}
        if name in safe:
            continue
        if TIMELIKE.search(last) and not filter_names & DISPLAY_FILTERS:
            found.append(match.group(0))
    return found


def test_the_walker_catches_each_kind_of_raw_datetime():
    for bad in (
        "{{ alert.opened_at }}",
        '{{ alert.opened_at|date:"Y-m-d H:i" }}',
        '{{ a.help_requested_at|time:"g:i A" }}',
        "{% load tz %}",
        "{% timezone user.timezone %}",
        "{{ enrollment.requested_at|default:'—' }}",
        "{{ waiting_since }}",
        "{{ x|naturaltime }}",
        "{% blocktranslate with date=plan.ends_on %}By {{ date }}{% endblocktranslate %}",
    ):
        assert problems_in(bad), bad
    for good in (
        "{% when alert.opened_at %}",
        "{{ monday|day:'longdate' }}",
        '<time datetime="{{ row.start|iso }}">',
        "{{ program.timezone }}",
        "{{ monday.isoformat }}",
        "{{ opens_minutes }}",
        '{% when s.signed_at "longdate" as signed_on %}{% blocktranslate %}On {{ signed_on }}.',
        '{% blocktranslate with date=o.target_date|day:"longdate" %}By {{ date }}',
    ):
        assert not problems_in(good), good


def test_no_template_shows_a_datetime_except_through_the_helper():
    base = Path(settings.BASE_DIR)
    found = []
    for path in template_files():
        name = str(path.relative_to(base))
        for problem in problems_in(path.read_text()):
            if (name, problem) not in ALLOWED:
                found.append(f"{name}: {problem}")
    assert not found, "Show datetimes with {% when %} (display library):\n" + "\n".join(found)


def test_every_allowed_exception_still_exists_and_says_why():
    base = Path(settings.BASE_DIR)
    for (name, text), reason in ALLOWED.items():
        assert reason.strip(), name
        assert text in (base / name).read_text(), f"{name} no longer contains {text}"
