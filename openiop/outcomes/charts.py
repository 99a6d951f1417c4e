"""Trajectory charts as small inline SVG, drawn on the server (no chart library, no script).

A chart is pure data (`Chart`) turned into markup by `render`: scores over time, the
instrument's severity bands as shaded horizontal bands, the reliable-change band around the
baseline, session attendance along the time axis, an objective's target line and, for
clinicians, the trend the "not on track" rule projected.

Accessibility (WCAG 2.1 AA): the `<svg>` is `role="img"` named by its `<title>` and described
by its `<desc>`; nothing is told by colour alone (bands carry their labels, attended and
missed sessions differ in shape, the target line is dashed and labelled, the reliable-change
band is hatched and labelled); text and lines keep at least 4.5:1 / 3:1 against the band
fills. Every chart comes with a data table in the page (see the templates), so the SVG
itself is a summary, not the only way to the numbers.

Each series is one `<path>` (points, marks), so a year of weekly scores and three sessions a
week stays a few kilobytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from xml.sax.saxutils import escape, quoteattr

from django.utils.safestring import SafeString, mark_safe

from openiop.lib.timefmt import as_zone, in_zone

# Light greys that darken with severity; #222 text on the darkest is about 11:1.
BAND_FILLS = ("#f6f6f6", "#ececec", "#e0e0e0", "#d4d4d4", "#c8c8c8", "#bcbcbc")
INK = "#222"
LINE = "#0b4f9c"  # 5.4:1 on the darkest band fill
MISSED = "#9a1c1c"
FONT = 12
PAD = timedelta(days=3)


@dataclass(frozen=True)
class Band:
    low: int
    high: int
    label: str


@dataclass(frozen=True)
class Score:
    at: datetime
    value: int


@dataclass(frozen=True)
class Mark:
    at: datetime
    attended: bool


@dataclass(frozen=True)
class Target:
    value: int
    by: date
    label: str


@dataclass(frozen=True)
class Words:
    """The chart's own words, so the participant's version can be translated."""

    attended: str = "Session attended"
    missed: str = "Session missed"
    target: str = "Target"
    reliable_band: str = "Reliable-change band"
    trend: str = "Projected trend"


@dataclass(frozen=True)
class Chart:
    id: str  # unique on the page; prefixes the ids inside the SVG
    title: str
    description: str
    low: int
    high: int
    zone: str
    scores: tuple[Score, ...]
    bands: tuple[Band, ...] = ()
    reliable_band: tuple[float, float] | None = None
    marks: tuple[Mark, ...] = ()
    targets: tuple[Target, ...] = ()
    trend: tuple[Score, Score] | None = None
    words: Words = field(default_factory=Words)
    width: int = 640
    height: int = 280


@dataclass(frozen=True)
class _Frame:
    left: int
    top: int
    right: int
    bottom: int
    start: float
    end: float
    low: int
    high: int

    def x(self, moment: datetime) -> float:
        share = (moment.timestamp() - self.start) / (self.end - self.start)
        return self.left + share * (self.right - self.left)

    def y(self, value: float) -> float:
        share = (self.high - value) / (self.high - self.low)
        return self.top + share * (self.bottom - self.top)


def _n(value: float) -> str:
    """Coordinates to one decimal: enough for a screen, and short."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(x: float, y: float, content: str, **attrs: str) -> str:
    # text_anchor= → text-anchor=; class_= → class= (a keyword in Python).
    extra = "".join(f" {k.rstrip('_').replace('_', '-')}={quoteattr(v)}" for k, v in attrs.items())
    return f'<text x="{_n(x)}" y="{_n(y)}"{extra}>{escape(content)}</text>'


def _end_of_day(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(23, 59), tzinfo=as_zone(zone))


def domain(chart: Chart) -> tuple[datetime, datetime]:
    """From a few days before the first score to a few days after the last score or target
    date, so one score sits in the middle rather than on an edge."""
    moments = [s.at for s in chart.scores]
    moments += [_end_of_day(t.by, chart.zone) for t in chart.targets]
    if chart.trend:
        moments.append(chart.trend[1].at)
    if not moments:
        moments = [m.at for m in chart.marks] or [datetime.now(tz=as_zone(chart.zone))]
    return min(moments) - PAD, max(moments) + PAD


def _ticks(start: datetime, end: datetime, zone: str, count: int) -> list[datetime]:
    """Local midnights (in the viewer's zone) spread over the domain."""
    first = in_zone(start, zone).date() + timedelta(days=1)
    last = in_zone(end, zone).date()
    days = max((last - first).days, 0)
    step = max(1, round(days / max(count - 1, 1)))
    tz = as_zone(zone)
    ticks = []
    day = first
    while day <= last:
        ticks.append(datetime.combine(day, time(0), tzinfo=tz))
        day += timedelta(days=step)
    return ticks


def render(chart: Chart) -> SafeString:
    start, end = domain(chart)
    legend = _legend_items(chart)
    rows = _legend_rows(legend, chart.width)
    height = chart.height + 18 * (len(rows) - 1)
    frame = _Frame(
        left=34,
        top=10,
        right=chart.width - 8,
        bottom=chart.height - 62,
        start=start.timestamp(),
        end=end.timestamp(),
        low=chart.low,
        high=chart.high,
    )
    ident = chart.id
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trajectory" role="img" '
        f'viewBox="0 0 {chart.width} {height}" '
        f'aria-labelledby="{ident}-title {ident}-desc" font-size="{FONT}" '
        f'font-family="system-ui, sans-serif" fill="{INK}">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        f'<defs><pattern id="{ident}-hatch" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        f'<line x1="0" y1="0" x2="0" y2="6" stroke="{INK}" stroke-width="1" '
        'stroke-opacity="0.45"/></pattern></defs>',
    ]
    parts += _bands(chart, frame)
    parts += _reliable_band(chart, frame)
    parts += _axes(chart, frame, start, end)
    parts += _targets(chart, frame)
    parts += _trend(chart, frame)
    parts += _scores(chart, frame)
    parts += _marks(chart, frame)
    for number, row in enumerate(rows):
        parts += _legend_row(row, chart.height - 6 + 18 * number)
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 (every text and attribute is escaped above)


def _bands(chart: Chart, f: _Frame) -> list[str]:
    out = []
    for index, band in enumerate(chart.bands):
        # A band covers its whole-number scores: from half a point below to half above.
        top = f.y(min(band.high + 0.5, f.high))
        bottom = f.y(max(band.low - 0.5, f.low))
        fill = BAND_FILLS[min(index, len(BAND_FILLS) - 1)]
        out.append(
            f'<rect x="{f.left}" y="{_n(top)}" width="{f.right - f.left}" '
            f'height="{_n(bottom - top)}" fill="{fill}"/>'
        )
        if bottom - top >= FONT:
            out.append(
                _text(
                    f.right - 4,
                    (top + bottom) / 2 + FONT / 3,
                    band.label,
                    text_anchor="end",
                    font_size="11",
                    class_="band-label",
                )
            )
    return out


def _reliable_band(chart: Chart, f: _Frame) -> list[str]:
    if chart.reliable_band is None:
        return []
    low = max(chart.reliable_band[0], f.low)
    high = min(chart.reliable_band[1], f.high)
    top, bottom = f.y(high), f.y(low)
    return [
        f'<rect class="reliable-band" x="{f.left}" y="{_n(top)}" width="{f.right - f.left}" '
        f'height="{_n(bottom - top)}" fill="url(#{chart.id}-hatch)" stroke="{INK}" '
        'stroke-dasharray="2 3"/>',
        _text(f.left + 4, top - 3, chart.words.reliable_band, font_size="11"),
    ]


def _axes(chart: Chart, f: _Frame, start: datetime, end: datetime) -> list[str]:
    out = [
        f'<path d="M{f.left} {f.top}V{f.bottom}H{f.right}" fill="none" stroke="{INK}"/>',
    ]
    values = sorted({f.low, f.high, *(b.low for b in chart.bands)})
    for value in values:
        y = f.y(value)
        out.append(f'<path d="M{f.left - 4} {_n(y)}h4" stroke="{INK}"/>')
        out.append(_text(f.left - 6, y + FONT / 3, str(value), text_anchor="end"))
    count = max(2, (f.right - f.left) // 110)
    for tick in _ticks(start, end, chart.zone, count):
        x = f.x(tick)
        label = f"{tick.day} {tick:%b}"
        out.append(f'<path d="M{_n(x)} {f.bottom}v4" stroke="{INK}"/>')
        # A label at either end is kept inside the chart rather than cut off.
        anchor = "end" if x > f.right - 24 else "start" if x < f.left + 24 else "middle"
        out.append(_text(x, f.bottom + 16, label, text_anchor=anchor, class_="tick"))
    return out


def _targets(chart: Chart, f: _Frame) -> list[str]:
    out = []
    for target in chart.targets:
        y = f.y(min(max(target.value, f.low), f.high))
        x = f.x(_end_of_day(target.by, chart.zone))
        out.append(
            f'<path class="target" d="M{f.left} {_n(y)}H{f.right}" stroke="{INK}" '
            'stroke-width="2" stroke-dasharray="8 4"/>'
        )
        out.append(
            f'<path class="target-date" d="M{_n(x)} {_n(y - 8)}v16" stroke="{INK}" '
            'stroke-width="2"/>'
        )
        out.append(_text(f.left + 4, y + 14, target.label, font_size="11"))
    return out


def _trend(chart: Chart, f: _Frame) -> list[str]:
    if chart.trend is None:
        return []
    a, b = chart.trend
    return [
        f'<path class="trend" d="M{_n(f.x(a.at))} {_n(f.y(a.value))}L{_n(f.x(b.at))} '
        f'{_n(f.y(b.value))}" stroke="{LINE}" stroke-width="1.5" stroke-dasharray="2 3" '
        'fill="none"/>'
    ]


def _scores(chart: Chart, f: _Frame) -> list[str]:
    if not chart.scores:
        return []
    xy = [(f.x(s.at), f.y(s.value)) for s in chart.scores]
    out = []
    if len(xy) > 1:
        line = "L".join(f"{_n(x)} {_n(y)}" for x, y in xy)
        out.append(f'<path class="line" d="M{line}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    # Baseline as a square, later scores as dots: the first score is found without colour.
    bx, by = xy[0]
    out.append(
        f'<rect class="baseline" x="{_n(bx - 4)}" y="{_n(by - 4)}" width="8" height="8" '
        f'fill="{LINE}"/>'
    )
    dots = "".join(f"M{_n(x - 3.5)} {_n(y)}a3.5 3.5 0 1 0 7 0a3.5 3.5 0 1 0-7 0" for x, y in xy[1:])
    if dots:
        out.append(f'<path class="points" d="{dots}" fill="{LINE}" stroke="#fff"/>')
    return out


def _marks(chart: Chart, f: _Frame) -> list[str]:
    y = f.bottom + 30
    attended, missed = [], []
    start, end = f.start, f.end
    for mark in chart.marks:
        if not start <= mark.at.timestamp() <= end:
            continue
        x = f.x(mark.at)
        if mark.attended:
            attended.append(f"M{_n(x)} {_n(y - 5)}l4 8h-8z")
        else:
            missed.append(f"M{_n(x - 4)} {_n(y - 4)}l8 8m0-8l-8 8")
    out = []
    if attended:
        out.append(f'<path class="attended" d="{"".join(attended)}" fill="{INK}"/>')
    if missed:
        out.append(
            f'<path class="missed" d="{"".join(missed)}" stroke="{MISSED}" stroke-width="2"/>'
        )
    return out


# A key entry: a function drawing its symbol from (left edge, text baseline), and its words.
_Key = tuple[Callable[[float, float], str], str]


def _legend_items(chart: Chart) -> list[_Key]:
    w = chart.words
    items: list[_Key] = []
    if chart.marks:
        items.append((lambda x, y: f'<path d="M{_n(x + 4)} {_n(y - 9)}l4 8h-8z"/>', w.attended))
        items.append(
            (
                lambda x, y: (
                    f'<path d="M{_n(x)} {_n(y - 9)}l8 8m0-8l-8 8" stroke="{MISSED}" '
                    'stroke-width="2"/>'
                ),
                w.missed,
            )
        )
    if chart.targets:
        items.append(
            (
                lambda x, y: (
                    f'<path d="M{_n(x)} {_n(y - 5)}h16" stroke="{INK}" stroke-width="2" '
                    'stroke-dasharray="8 4"/>'
                ),
                w.target,
            )
        )
    if chart.reliable_band is not None:
        items.append(
            (
                lambda x, y: (
                    f'<rect x="{_n(x)}" y="{_n(y - 11)}" width="14" height="10" '
                    f'fill="url(#{chart.id}-hatch)" stroke="{INK}"/>'
                ),
                w.reliable_band,
            )
        )
    if chart.trend is not None:
        items.append(
            (
                lambda x, y: (
                    f'<path d="M{_n(x)} {_n(y - 5)}h16" stroke="{LINE}" '
                    'stroke-width="1.5" stroke-dasharray="2 3"/>'
                ),
                w.trend,
            )
        )
    return items


def _key_width(words: str) -> float:
    # Roughly 6.8 px a character at 12 px; the key only needs not to overlap itself.
    return 32 + len(words) * 6.8


def _legend_rows(items: list[_Key], width: int) -> list[list[_Key]]:
    """The key, wrapped onto as many rows as a narrow (phone) chart needs."""
    rows: list[list[_Key]] = [[]]
    used = 8.0
    for item in items:
        needed = _key_width(item[1])
        if rows[-1] and used + needed > width:
            rows.append([])
            used = 8.0
        rows[-1].append(item)
        used += needed
    return rows


def _legend_row(row: list[_Key], y: float) -> list[str]:
    out = []
    x = 8.0
    for symbol, words in row:
        out.append(symbol(x, y))
        out.append(_text(x + 20, y - 1, words))
        x += _key_width(words)
    return out
