"""A participant's measures and progress: what the progress pages and their charts show.

`progress_for` reads everything in a fixed number of queries, whatever the number of
responses or sessions: the scores and rules (assessments.change), the instruments' current
definitions, the active plan's objectives with a measure target, and the attended and missed
sessions over the scored period. The rest is pure.

"Not on track" is OpenIOP's operational rule, not a validated predictor (docs/outcomes.md,
"Change and progress charts"). An objective with a measure target that the latest score does
not yet meet is *not on track* when either:

1. the trend misses: with at least MIN_TREND_SCORES scores, the least-squares line through
   the last TREND_SCORES of them, carried on to the target date, does not reach the target; or
2. half the time is gone without reliable improvement: half the time from the first score to
   the target date has passed and the change so far is not reliable improvement (only judged
   when the measure has a reliable-change rule).

The page shows which of these fired, with the numbers, so a clinician can disagree with it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from django.utils import timezone
from django.utils.translation import gettext as _

from openiop.assessments.change import Change, Point, Reliable, changes
from openiop.assessments.definitions import Definition
from openiop.assessments.definitions import Score as ScoreDefinition
from openiop.assessments.models import InstrumentDefinition
from openiop.careplans.models import Objective, TreatmentPlan
from openiop.lib.timefmt import as_zone, format_date, format_datetime
from openiop.outcomes import charts
from openiop.participants.models import Participant
from openiop.scheduling.models import Booking

TREND_SCORES = 4
MIN_TREND_SCORES = 3
ATTENDED = ("present", "late", "left_early")
MISSED = ("absent", "excused")
SIGNS = {"lte": "≤", "gte": "≥"}


class Track(StrEnum):
    MET = "met"
    ON_TRACK = "on_track"
    NOT_ON_TRACK = "not_on_track"
    TOO_EARLY = "too_early"


TRACK_LABELS = {
    Track.MET: "Target met",
    Track.ON_TRACK: "On track",
    Track.NOT_ON_TRACK: "Not on track",
    Track.TOO_EARLY: "Too early to tell",
}


@dataclass(frozen=True)
class TargetStatus:
    objective: Objective
    track: Track
    reasons: tuple[str, ...]
    projection: tuple[Point, float] | None = None  # (from the last score, value at the date)

    @property
    def label(self) -> str:
        return TRACK_LABELS[self.track]

    @property
    def text(self) -> str:
        o = self.objective
        sign = SIGNS.get(o.measure_comparator, o.measure_comparator)
        return f"{sign} {o.measure_target} by {format_date(o.target_date)}"


@dataclass(frozen=True)
class Row:
    """One line of a chart's data table."""

    at: datetime
    value: int
    band: str
    change: int | None  # from baseline; None on the baseline itself


@dataclass(frozen=True)
class MeasureProgress:
    key: str
    label: str  # "PHQ-9"
    title: str  # "Patient Health Questionnaire-9 (PHQ-9)"
    score: ScoreDefinition | None
    change: Change
    targets: tuple[TargetStatus, ...]
    rows: tuple[Row, ...]
    marks: tuple[charts.Mark, ...]

    @property
    def low(self) -> int:
        if self.score is not None:
            return self.score.min
        return min(0, *(p.value for p in self.change.points))

    @property
    def high(self) -> int:
        if self.score is not None:
            return self.score.max
        return max(1, *(p.value for p in self.change.points))

    @property
    def reliable_band(self) -> tuple[float, float] | None:
        baseline, threshold = self.change.baseline, self.change.threshold
        if baseline is None or threshold is None:
            return None
        return baseline.value - threshold, baseline.value + threshold

    @property
    def not_on_track(self) -> bool:
        return any(t.track == Track.NOT_ON_TRACK for t in self.targets)

    @property
    def reliable_note(self) -> str:
        """How reliable change was judged, for clinicians."""
        change = self.change
        if change.method == "rci" and change.rule is not None:
            return (
                f"Jacobson–Truax RCI (reliability {change.rule.reliability:g}, SD "
                f"{change.rule.reference_sd:g}): reliable beyond ±{change.threshold:.1f} points."
            )
        return " ".join(change.notes)


@dataclass(frozen=True)
class Progress:
    participant: Participant
    measures: tuple[MeasureProgress, ...]


def instrument_key(measure: str, keys: Iterable[str]) -> str:
    """The instrument key an objective's measure names: "phq9", "PHQ-9" and "phq-9" all name
    "phq-9" (plans written before instrument keys settled spelt them without the hyphen)."""
    squashed = {_squash(key): key for key in keys}
    return squashed.get(_squash(measure), measure)


def _squash(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def short_label(title: str, key: str) -> str:
    """ "Patient Health Questionnaire-9 (PHQ-9)" → "PHQ-9"."""
    found = re.search(r"\(([^()]+)\)\s*$", title)
    return found.group(1) if found else key.upper()


def progress_for(participant: Participant, *, now: datetime | None = None) -> Progress:
    """Every validated measure the participant has a score on, in a fixed number of queries."""
    now = now or timezone.now()
    zone = _program_zone(participant)
    judged = changes(participant)
    definitions = _definitions(judged)
    judged = {key: change for key, change in judged.items() if key in definitions}
    objectives = _objectives(participant, judged)
    marks = _marks(participant, judged, now)
    today = now.astimezone(as_zone(zone)).date()
    measures = []
    for key, change in judged.items():
        definition = definitions[key]
        score = next((s for s in definition.scores if s.id == "total"), None)
        targets = tuple(
            assess_target(o, change, today=today, zone=zone) for o in objectives.get(key, [])
        )
        measures.append(
            MeasureProgress(
                key=key,
                label=short_label(definition.title, key),
                title=definition.title,
                score=score,
                change=change,
                targets=targets,
                rows=_rows(change.points, score),
                marks=marks,
            )
        )
    measures.sort(key=lambda m: m.label)
    return Progress(participant, tuple(measures))


def _program_zone(participant: Participant) -> str:
    program = participant.program
    return str(program.timezone if program is not None else participant.timezone)


def _definitions(judged: dict[str, Change]) -> dict[str, Definition]:
    """The newest active definition of each measure, validated instruments only (a
    platform-authored check-in is not a measure of change)."""
    found: dict[str, Definition] = {}
    rows = InstrumentDefinition.objects.filter(
        key__in=list(judged), is_active=True, validated=True
    ).order_by("key", "-loaded_at", "-id")
    for row in rows:
        found.setdefault(row.key, row.definition)
    return found


def _objectives(participant: Participant, judged: dict[str, Change]) -> dict[str, list[Objective]]:
    rows = (
        Objective.objects.filter(
            goal__problem__plan__participant=participant,
            goal__problem__plan__status=TreatmentPlan.Status.ACTIVE,
        )
        .exclude(measure="")
        .exclude(status__in=[Objective.Status.DISCONTINUED, Objective.Status.REVISED])
        .order_by("target_date", "id")
    )
    found: dict[str, list[Objective]] = {}
    for objective in rows:
        found.setdefault(instrument_key(objective.measure, judged), []).append(objective)
    return found


def _marks(
    participant: Participant, judged: dict[str, Change], now: datetime
) -> tuple[charts.Mark, ...]:
    """Attended and missed sessions from a week before the first score to now."""
    firsts = [c.points[0].at for c in judged.values() if c.points]
    if not firsts:
        return ()
    rows = (
        Booking.objects.filter(
            participant=participant,
            status=Booking.Status.BOOKED,
            session__starts_at__gte=min(firsts) - timedelta(days=7),
            session__starts_at__lte=now,
            attendance__in=ATTENDED + MISSED,
        )
        .order_by("session__starts_at")
        .values_list("session__starts_at", "attendance")
    )
    return tuple(charts.Mark(at, attendance in ATTENDED) for at, attendance in rows)


def _rows(points: Sequence[Point], score: ScoreDefinition | None) -> tuple[Row, ...]:
    rows = []
    for index, point in enumerate(points):
        band = score.band_for(point.value) if score is not None else None
        rows.append(
            Row(
                at=point.at,
                value=point.value,
                band=band.label if band else "",
                change=point.value - points[0].value if index else None,
            )
        )
    return tuple(rows)


# "Not on track"


def _meets(value: float, objective: Objective) -> bool:
    target = objective.measure_target
    assert target is not None
    return value <= target if objective.measure_comparator == "lte" else value >= target


def trend(points: Sequence[Point]) -> tuple[float, float]:
    """Least-squares slope (points a day) and intercept (at the last point's time) of the
    last TREND_SCORES points."""
    last = points[-TREND_SCORES:]
    origin = last[-1].at
    xs = [(p.at - origin).total_seconds() / 86400 for p in last]
    ys = [float(p.value) for p in last]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:  # all on one instant: no direction to carry on
        return 0.0, mean_y
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    return slope, mean_y - slope * mean_x


def assess_target(objective: Objective, change: Change, *, today: date, zone: str) -> TargetStatus:
    points = change.points
    sign = SIGNS.get(objective.measure_comparator, "")
    goal = f"{sign} {objective.measure_target}"
    if not points:
        return TargetStatus(objective, Track.TOO_EARLY, ("No scores yet.",))
    latest = points[-1]
    if _meets(latest.value, objective):
        return TargetStatus(
            objective, Track.MET, (f"The latest score, {latest.value}, meets the target ({goal}).",)
        )
    by = datetime.combine(objective.target_date, time(23, 59), tzinfo=as_zone(zone))
    if today > objective.target_date:
        return TargetStatus(
            objective,
            Track.NOT_ON_TRACK,
            (
                f"The target date has passed and the latest score, {latest.value}, does not "
                f"meet the target ({goal}).",
            ),
        )
    reasons = []
    projection = None
    if len(points) >= MIN_TREND_SCORES:
        slope, level = trend(points)
        days = (by - latest.at).total_seconds() / 86400
        projected = level + slope * days
        projection = (Point(at=latest.at, value=round(level), response=latest.response), projected)
        used = min(len(points), TREND_SCORES)
        words = (
            f"The trend of the last {used} scores (about {slope * 7:+.1f} points a week) "
            f"reaches about {projected:.0f} by {format_date(objective.target_date)}"
        )
        if not _meets(projected, objective):
            reasons.append(f"{words}: short of the target ({goal}).")
    else:
        words = ""
    start = points[0].at
    halfway = start + (by - start) / 2
    past_half = datetime.combine(today, time(23, 59), tzinfo=as_zone(zone)) >= halfway
    if past_half and change.reliable is not None and change.reliable != Reliable.IMPROVED:
        reasons.append(
            "Half the time from the first score to the target date has passed without "
            "reliable improvement."
        )
    if reasons:
        return TargetStatus(objective, Track.NOT_ON_TRACK, tuple(reasons), projection)
    if words:
        return TargetStatus(
            objective, Track.ON_TRACK, (f"{words}: meets the target ({goal}).",), projection
        )
    return TargetStatus(
        objective,
        Track.TOO_EARLY,
        (f"A trend needs at least {MIN_TREND_SCORES} scores.",),
    )


# Charts


def clinician_chart(measure: MeasureProgress, *, zone: str) -> charts.Chart:
    change = measure.change
    targets = tuple(
        charts.Target(
            value=t.objective.measure_target or 0,
            by=t.objective.target_date,
            label=f"Target {t.text}",
        )
        for t in measure.targets
    )
    trend_line = None
    for status in measure.targets:
        if status.projection is not None:
            start, value = status.projection
            end = datetime.combine(status.objective.target_date, time(12), tzinfo=as_zone(zone))
            low, high = measure.low, measure.high
            trend_line = (
                charts.Score(start.at, start.value),
                charts.Score(end, round(min(max(value, low), high))),
            )
            break
    return charts.Chart(
        id=f"chart-{measure.key}",
        title=f"{measure.label} scores over time",
        description=clinician_summary(measure, zone=zone),
        low=measure.low,
        high=measure.high,
        zone=zone,
        scores=tuple(charts.Score(p.at, p.value) for p in change.points),
        bands=_bands(measure),
        reliable_band=measure.reliable_band,
        marks=measure.marks,
        targets=targets,
        trend=trend_line,
    )


def participant_chart(measure: MeasureProgress, *, zone: str) -> charts.Chart:
    """The same chart without the statistics: scores, bands, sessions and the plan's aim."""
    words = charts.Words(
        attended=_("Session you attended"),
        missed=_("Session you missed"),
        target=_("Your aim"),
    )
    targets = tuple(
        charts.Target(
            value=t.objective.measure_target or 0,
            by=t.objective.target_date,
            label=_("Your aim"),
        )
        for t in measure.targets
    )
    return charts.Chart(
        id=f"my-chart-{measure.key}",
        title=_("Your %(label)s scores over time") % {"label": measure.label},
        description=participant_summary(measure, zone=zone),
        low=measure.low,
        high=measure.high,
        zone=zone,
        scores=tuple(charts.Score(p.at, p.value) for p in measure.change.points),
        bands=_bands(measure),
        marks=measure.marks,
        targets=targets,
        words=words,
        width=360,
        height=260,
    )


def _bands(measure: MeasureProgress) -> tuple[charts.Band, ...]:
    if measure.score is None:
        return ()
    return tuple(charts.Band(b.min, b.max, b.label) for b in measure.score.bands)


def clinician_summary(measure: MeasureProgress, *, zone: str) -> str:
    change = measure.change
    baseline, latest = change.baseline, change.latest
    if baseline is None or latest is None:
        return f"No {measure.label} scores."
    first = format_datetime(baseline.at, zone, "date")
    if change.change is None:
        text = f"One {measure.label} score, {baseline.value} on {first}: no change yet."
    else:
        last = format_datetime(latest.at, zone, "date")
        text = (
            f"{len(change.points)} {measure.label} scores from {first} to {last}: baseline "
            f"{baseline.value}, latest {latest.value}, change {change.change:+d}."
        )
        if change.reliable_label:
            text += f" {change.reliable_label}."
    attended = sum(1 for m in measure.marks if m.attended)
    missed = len(measure.marks) - attended
    if measure.marks:
        text += f" Sessions: {attended} attended, {missed} missed."
    for status in measure.targets:
        text += f" Target {status.text}: {status.label.lower()}."
    return text


def participant_summary(measure: MeasureProgress, *, zone: str) -> str:
    """Plain words, no statistics: what the score did and whether that counts as real."""
    change = measure.change
    baseline, latest = change.baseline, change.latest
    name = plain_name(measure.key)
    if baseline is None or latest is None:
        return ""
    if change.change is None:
        return _(
            "Your %(name)s (%(label)s) score was %(score)s on %(date)s. There is no change "
            "yet: after your next one you will see how it has moved."
        ) % {
            "name": name,
            "label": measure.label,
            "score": baseline.value,
            "date": format_datetime(baseline.at, zone, "date"),
        }
    values = {
        "name": name,
        "label": measure.label,
        "baseline": baseline.value,
        "latest": latest.value,
    }
    text = _("Your %(name)s (%(label)s) score went from %(baseline)s to %(latest)s.") % values
    lower_is_better = change.rule.lower_is_better if change.rule else True
    if change.reliable == Reliable.IMPROVED:
        if lower_is_better:
            text += " " + _("That is a big enough drop to count as real improvement.")
        else:
            text += " " + _("That is a big enough rise to count as real improvement.")
    elif change.reliable == Reliable.DETERIORATED:
        text += " " + _(
            "That is a big enough change to count as getting worse. Your care team can see "
            "this too and will talk it through with you."
        )
    elif change.reliable == Reliable.UNCHANGED:
        text += " " + _(
            "That change is small enough that it could be ordinary ups and downs, so it does "
            "not count as a real change yet."
        )
    if change.remission:
        text += " " + _("Your score is now in the lowest range.")
    elif change.response:
        text += " " + _("Your score has come down by at least half since you started.")
    return text


def plain_name(key: str) -> str:
    names = {
        "phq-9": _("mood questionnaire"),
        "gad-7": _("anxiety questionnaire"),
        "pcl-5": _("stress after trauma questionnaire"),
    }
    return names.get(key, _("questionnaire"))
