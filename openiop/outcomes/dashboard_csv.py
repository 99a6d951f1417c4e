"""The dashboard's figures as CSV: one row for the filtered program, then one per track,
group and primary clinician. Names typed by people (groups, tracks, clinicians) go through
`openiop.lib.csvcells`, so none of them runs as a spreadsheet formula."""

from typing import Any

from openiop.lib.csvcells import csv_text
from openiop.outcomes.dashboard import DIMENSION_LABELS, MEASURES, Dashboard, Rate, Row


def _percent(rate: Rate | None) -> Any:
    if rate is None or rate.percent is None:
        return ""
    return round(rate.percent, 1)


def _pair(rate: Rate | None) -> list[Any]:
    if rate is None:  # the measure's rule has no such judgement
        return ["", "", ""]
    return [rate.numerator, rate.denominator, _percent(rate)]


HEADER = [
    "program",
    "from",
    "to",
    "breakdown",
    "row",
    "in_care_during_period",
    "admissions",
    "census_at_end",
    "discharges",
    "average_length_of_stay_days",
    "sessions_attended",
    "sessions_attended_or_absent",
    "attendance_rate_pct",
    "sessions_excused",
    "sessions_unrecorded",
    "participant_weeks",
    "average_hours_per_week",
    "weekly_minimum_hours",
    "weeks_meeting_minimum",
    "weeks_meeting_minimum_pct",
    "with_deterioration_alert",
    "deterioration_rate_pct",
]
for _key, _label in MEASURES:
    _p = _key.replace("-", "")
    HEADER += [
        f"{_p}_with_baseline",
        f"{_p}_two_or_more_scores",
        f"{_p}_reliable_improvement",
        f"{_p}_reliable_improvement_of",
        f"{_p}_reliable_improvement_pct",
        f"{_p}_reliable_deterioration",
        f"{_p}_reliable_deterioration_of",
        f"{_p}_reliable_deterioration_pct",
        f"{_p}_response",
        f"{_p}_response_of",
        f"{_p}_response_pct",
        f"{_p}_remission",
        f"{_p}_remission_of",
        f"{_p}_remission_pct",
    ]


def _line(result: Dashboard, breakdown: str, row: Row) -> list[Any]:
    f = result.filters
    line: list[Any] = [
        result.program.name,
        f.start.isoformat(),
        f.end.isoformat(),
        breakdown,
        row.label,
        row.in_care,
        row.admissions,
        row.census,
        row.discharges,
        round(row.los_days, 1) if row.los_days is not None else "",
        row.attendance.numerator,
        row.attendance.denominator,
        _percent(row.attendance),
        row.excused,
        row.unrecorded,
        row.weeks,
        round(row.hours_per_week, 2) if row.hours_per_week is not None else "",
        result.minimum_hours,
        row.meeting_minimum.numerator,
        _percent(row.meeting_minimum),
        row.deterioration.numerator,
        _percent(row.deterioration),
    ]
    for key, _ in MEASURES:
        outcome = row.outcomes[key]
        line += [outcome.with_baseline, outcome.judged]
        for rate in (outcome.improved, outcome.deteriorated, outcome.response, outcome.remission):
            line += _pair(rate)
    return line


def dashboard_csv(result: Dashboard) -> str:
    lines: list[list[Any]] = [HEADER, _line(result, "all", result.total)]
    for name, rows in result.breakdowns.items():
        label = DIMENSION_LABELS[name].lower()
        lines += [_line(result, label, row) for row in rows]
    return csv_text(lines)
