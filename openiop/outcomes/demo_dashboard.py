"""The demo's outcomes: admissions, discharges, weekly PHQ-9 and GAD-7 scores and deterioration
alerts, so the program outcomes dashboard has something true to say. Synthetic data only.

The schedule demo seats people in groups without running intake. Here each of those stays
gets what intake and discharge would have left: a referral and an episode of care; a stay
that ended gets a signed discharge summary (the chart is then discharged). Each stay of
someone not yet scored (by the measurement-schedule or progress demo) has a weekly PHQ-9 and
GAD-7 from the day before admission to now, following one of a few courses (most improve,
some do not, a few get worse and raise a deterioration alert, a few answer only at admission
so they are discharged without a final score). Written in bulk: the demo is not a
clinical record, so it is not audited row by row, but each score's JSON is what the scoring
engine writes for such answers.

`load_responses` is the benchmark's option (`load_demo --responses N`): N more submitted
responses spread over the demo's stays, with PostgreSQL's COPY (bulk_create elsewhere).
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import DateTimeField, ExpressionWrapper, OuterRef, Subquery
from django.utils import timezone

from openiop.accounts.models import User
from openiop.assessments import actions as assessments
from openiop.assessments.models import Assignment, InstrumentDefinition, Response
from openiop.assessments.scoring import score
from openiop.discharge.models import DischargeSummary
from openiop.intake.models import EpisodeOfCare, Referral
from openiop.lib.integrity import content_hash
from openiop.participants.models import Participant
from openiop.programs.models import Program
from openiop.safety.models import SafetyAlert
from openiop.scheduling.models import Enrollment

# Answer codes of the PHQ-9 and GAD-7 items, scored 0-3.
CODES = ["LA6568-5", "LA6569-3", "LA6570-1", "LA6571-9"]
# (key, scored items, largest total the demo gives: item 9 of the PHQ-9 stays at 0, so no
# demo score raises a critical-item alert).
MEASURES = (("phq-9", 8, 24), ("gad-7", 7, 21))
# Courses of a stay: (weight, share of the baseline left at the end, extra points at the end).
COURSES = {
    "improves": (55, (0.25, 0.55), 0),
    "some": (20, (0.7, 0.95), 0),
    "flat": (12, (1.0, 1.0), 0),
    "worse": (8, (1.0, 1.0), 7),
    "stops_answering": (5, (0.6, 0.9), 0),
}


@dataclass(frozen=True)
class Scored:
    """The fields of a submitted response with a given total, as the scoring engine fills them."""

    answers: dict[str, str]
    complete: bool
    missing_items: list[str]
    scores: dict[str, Any]
    findings: dict[str, Any]
    critical_items: list[Any]


def _answers(items: int, total: int) -> dict[str, str]:
    """Answers to items 1..items summing to `total` (spread evenly), item 9 of the PHQ-9 at 0."""
    answers = {}
    for n in range(items):
        share = total // items + (1 if n < total % items else 0)
        answers[str(n + 1)] = CODES[min(3, share)]
    if items == 8:
        answers["9"] = CODES[0]
    return answers


def scored_fields(instrument: InstrumentDefinition, items: int, total: int) -> Scored:
    """Score canonical answers for `total` with the real engine; the demo reuses the result
    for every response with that total (scoring each of a million would add nothing)."""
    answers = _answers(items, total)
    response = Response()
    assessments._apply_result(response, score(instrument.definition, answers))
    return Scored(
        answers=answers,
        complete=response.complete,
        missing_items=response.missing_items,
        scores=response.scores,
        findings=response.findings,
        critical_items=response.critical_items,
    )


def _table(instrument: InstrumentDefinition, items: int, top: int) -> list[Scored]:
    return [scored_fields(instrument, items, total) for total in range(top + 1)]


def _course(rng: random.Random) -> tuple[str, float, int]:
    names = list(COURSES)
    name = rng.choices(names, weights=[COURSES[n][0] for n in names])[0]
    low, high = COURSES[name][1]
    return name, rng.uniform(low, high), COURSES[name][2]


def _series(
    rng: random.Random, start: datetime, end: datetime, baseline: int, top: int, course: tuple
) -> list[tuple[datetime, int]]:
    """Weekly scores from `start` to `end`, moving from `baseline` along `course`."""
    name, share, extra = course
    weeks = max(1, (end - start).days // 7)
    final = baseline * share + extra
    points = []
    for week in range(weeks + 1):
        if name == "stops_answering" and week >= 1:  # discharged without a final score
            break
        if start + timedelta(weeks=week) > end:  # a stay younger than a week: no score ahead
            break
        expected = baseline + (final - baseline) * week / weeks
        value = round(expected + rng.uniform(-1.5, 1.5)) if week else baseline
        points.append((start + timedelta(weeks=week), max(0, min(top, value))))
    return points


def _local(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=zone).astimezone(UTC)


@transaction.atomic
def load(program: Program, *, now: datetime | None = None, seed: int = 2026) -> int:
    """Give every stay the schedule demo made (and intake did not) its episode, scores and,
    when it ended, its signed discharge. Returns the number of discharges written."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    zone = ZoneInfo(program.timezone)
    director = User.objects.filter(
        program_memberships__program=program, role=User.Role.PROGRAM_DIRECTOR
    ).first()
    if director is None:
        return 0
    taken = set(Referral.objects.values_list("participant_id", flat=True)) | set(
        EpisodeOfCare.objects.values_list("participant_id", flat=True)
    )
    stays = [
        e
        for e in Enrollment.objects.filter(
            group__track__program=program,
            status__in=[Enrollment.Status.SEATED, Enrollment.Status.ENDED],
            episode__isnull=True,
        )
        .select_related("participant")
        .order_by("participant_id", "-starts_on")
        if e.participant_id not in taken
    ]
    # One stay per participant (the demo seats each person once).
    stays = list({e.participant_id: e for e in reversed(stays)}.values())
    referrals = Referral.objects.bulk_create(
        Referral(
            participant_id=e.participant_id,
            program=program,
            source=rng.choice(list(Referral.Source)),
            referrer="Synthetic referrer",
            reason="Synthetic referral for the demo",
            consent_to_contact=True,
            stage=Referral.Stage.ADMITTED,
            outcome_by=director,
            outcome_at=e.seated_at,
            created_by=director,
        )
        for e in stays
    )
    episodes = []
    for enrollment, referral in zip(stays, referrals, strict=True):
        ended = enrollment.status == Enrollment.Status.ENDED
        end_day = enrollment.expected_end_on
        assert enrollment.seated_at is not None  # seated and ended stays were seated
        episodes.append(
            EpisodeOfCare(
                participant_id=enrollment.participant_id,
                program=program,
                referral=referral,
                level_of_care="iop",
                status="finished" if ended else "active",
                admitted_at=enrollment.seated_at,
                admitted_by=director,
                ended_at=_local(end_day, 17, zone) if ended else None,
                end_reason=(
                    rng.choices(
                        ["completed", "stepped_down", "left_against_advice", "stepped_up"],
                        weights=[70, 18, 8, 4],
                    )[0]
                    if ended
                    else ""
                ),
            )
        )
    episodes = EpisodeOfCare.objects.bulk_create(episodes)
    # The stay's score window opens at the referral, three days before admission.
    Referral.objects.filter(pk__in=[r.pk for r in referrals]).update(
        created_at=ExpressionWrapper(
            Subquery(
                EpisodeOfCare.objects.filter(referral=OuterRef("pk")).values("admitted_at")[:1]
            )
            - timedelta(days=3),
            output_field=DateTimeField(),
        )
    )
    for enrollment, episode in zip(stays, episodes, strict=True):
        enrollment.episode = episode
    Enrollment.objects.bulk_update(stays, ["episode"], batch_size=1000)

    summaries = []
    for enrollment, episode in zip(stays, episodes, strict=True):
        if episode.ended_at is None:
            continue
        code = uuid.uuid4()
        summaries.append(
            DischargeSummary(
                code=code,
                participant_id=enrollment.participant_id,
                episode=episode,
                status=DischargeSummary.Status.SIGNED,
                reason=episode.end_reason,
                admitted_on=enrollment.starts_on,
                discharged_on=enrollment.expected_end_on,
                computed_at=episode.ended_at,
                course="Synthetic stay for the demo.",
                author=director,
                signed_by=director,
                signed_at=episode.ended_at,
                # Not a signed clinical record: a digest that says so.
                content_hash=content_hash({"summary": str(code), "demo": True}),
            )
        )
    DischargeSummary.objects.bulk_create(summaries, batch_size=1000)
    discharged = {s.participant_id: s.signed_at for s in summaries}
    people = list(Participant.objects.filter(pk__in=discharged))
    for person in people:
        person.discharged_at = discharged[person.pk]
    Participant.objects.bulk_update(people, ["discharged_at"], batch_size=1000)

    _load_scores(program, stays, episodes, director, now=now, rng=rng)
    return len(summaries)


def _load_scores(
    program: Program,
    stays: list[Enrollment],
    episodes: list[EpisodeOfCare],
    director: User,
    *,
    now: datetime,
    rng: random.Random,
) -> None:
    instruments = {key: assessments.shipped_instrument(key) for key, _, _ in MEASURES}
    tables = {key: _table(instruments[key], items, top) for key, items, top in MEASURES}
    # Someone the measurement-schedule or progress demo already scored keeps that history
    # alone: a second course woven into it would turn its story into noise.
    scored = set(
        Response.objects.filter(
            participant__program=program, status=Response.Status.SUBMITTED
        ).values_list("participant_id", flat=True)
    )
    rows: list[tuple[Participant | int, str, datetime, int]] = []
    alerts = []
    for enrollment, episode in zip(stays, episodes, strict=True):
        if enrollment.participant_id in scored:
            continue
        start = episode.admitted_at - timedelta(days=1)
        end = min(episode.ended_at or now, now) - timedelta(hours=2)
        course = _course(rng)
        worse_at = None
        for key, _, top in MEASURES:
            baseline = rng.randint(8, 22) if key == "phq-9" else rng.randint(6, 18)
            points = _series(rng, start, end, min(baseline, top), top, course)
            rows += [(enrollment.participant_id, key, at, value) for at, value in points]
            if key == "phq-9" and course[0] == "worse":
                worse_at = next((at for at, v in points if v - points[0][1] >= 6), None)
        if worse_at is not None:
            alerts.append(
                SafetyAlert(
                    participant_id=enrollment.participant_id,
                    kind=SafetyAlert.Kind.DETERIORATION,
                    status=SafetyAlert.Status.ACKNOWLEDGED,
                    opened_at=worse_at,
                    last_triggered_at=worse_at,
                    acknowledged_by=director,
                    acknowledged_at=worse_at + timedelta(hours=3),
                    action=SafetyAlert.Action.CONTACTED,
                    action_note="Synthetic: reached the participant, plan reviewed.",
                    owner=director,
                )
            )
    _write_responses(rows, instruments, tables, director)
    SafetyAlert.objects.bulk_create(alerts, batch_size=1000)


def _write_responses(
    rows: list[tuple[Any, str, datetime, int]],
    instruments: dict[str, InstrumentDefinition],
    tables: dict[str, list[Scored]],
    director: User,
) -> None:
    users = dict(Participant.objects.values_list("pk", "user_id"))
    batch = 2000
    for offset in range(0, len(rows), batch):
        chunk = rows[offset : offset + batch]
        assignments = Assignment.objects.bulk_create(
            Assignment(
                participant_id=pid,
                instrument=instruments[key],
                status=Assignment.Status.COMPLETED,
                assigned_by=director,
                completed_at=at,
            )
            for pid, key, at, _ in chunk
        )
        responses = []
        for assignment, (pid, key, at, value) in zip(assignments, chunk, strict=True):
            fields = tables[key][value]
            user_id = users.get(pid) or director.pk
            responses.append(
                Response(
                    assignment=assignment,
                    participant_id=pid,
                    instrument=instruments[key],
                    status=Response.Status.SUBMITTED,
                    source=Response.Source.PARTICIPANT,
                    answers=fields.answers,
                    started_by_id=user_id,
                    submitted_at=at,
                    submitted_by_id=user_id,
                    complete=fields.complete,
                    missing_items=fields.missing_items,
                    scores=fields.scores,
                    findings=fields.findings,
                    critical_items=fields.critical_items,
                )
            )
        Response.objects.bulk_create(responses)


# The benchmark's million ---------------------------------------------------------------------


def _copy_rows(table: str, columns: list[str], rows: Iterator[tuple[Any, ...]]) -> None:
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg's own cursor, for COPY
        with raw.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def _next_ids(table: str, count: int) -> int:
    """Reserve `count` ids of `table`'s sequence; returns the first."""
    with connection.cursor() as cursor:
        # `table` is one of two constants of this module, never input.
        sql = f"SELECT setval(pg_get_serial_sequence(%s, 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + %s)"  # noqa: S608, E501
        cursor.execute(sql, [table, count])
        (last,) = cursor.fetchone()
    return int(last) - count + 1


def load_responses(
    program: Program, *, total: int, seed: int = 7, now: datetime | None = None
) -> int:
    """`total` more submitted PHQ-9 and GAD-7 responses, spread at random over the demo's stays
    (from the day before admission to the end of the stay). PostgreSQL only (COPY); the
    scores JSON is the engine's for each total. Returns the number written."""
    if connection.vendor != "postgresql":
        raise RuntimeError("load_responses writes with COPY: run it on PostgreSQL.")
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    director = User.objects.get(
        program_memberships__program=program,
        program_memberships__role="director",
        role=User.Role.PROGRAM_DIRECTOR,
    )
    instruments = {key: assessments.shipped_instrument(key) for key, _, _ in MEASURES}
    tables = {key: _table(instruments[key], items, top) for key, items, top in MEASURES}
    encoded = {
        key: [
            (
                json.dumps(s.answers),
                json.dumps(s.missing_items),
                json.dumps(s.scores),
                json.dumps(s.findings),
                json.dumps(s.critical_items),
            )
            for s in table
        ]
        for key, table in tables.items()
    }
    windows = [
        (pid, user_id, admitted, min(ended or now, now))
        for pid, user_id, admitted, ended in EpisodeOfCare.objects.filter(
            program=program
        ).values_list("participant_id", "participant__user_id", "admitted_at", "ended_at")
    ]
    if not windows:
        return 0
    plan = []
    for _ in range(total):
        pid, user_id, admitted, ended = windows[rng.randrange(len(windows))]
        start = admitted - timedelta(days=1)
        seconds = max(3600, int((ended - start).total_seconds()))
        at = start + timedelta(seconds=rng.randrange(seconds))
        key, _, top = MEASURES[rng.randrange(2)]
        plan.append((pid, user_id or director.pk, key, at, rng.randint(0, top)))

    first_assignment = _next_ids("assessments_assignment", total)
    first_response = _next_ids("assessments_response", total)
    _copy_rows(
        "assessments_assignment",
        ["id", "code", "participant_id", "instrument_id", "status", "assigned_by_id",
         "assigned_at", "completed_at"],
        (
            (first_assignment + i, uuid.uuid4(), pid, instruments[key].pk, "completed",
             director.pk, at, at)
            for i, (pid, _, key, at, _) in enumerate(plan)
        ),
    )  # fmt: skip
    _copy_rows(
        "assessments_response",
        ["id", "code", "assignment_id", "participant_id", "instrument_id", "status", "source",
         "answers", "started_by_id", "started_at", "updated_at", "submitted_at",
         "submitted_by_id", "complete", "missing_items", "scores", "findings",
         "critical_items", "correction_reason"],
        (
            (first_response + i, uuid.uuid4(), first_assignment + i, pid, instruments[key].pk,
             "submitted", "participant", encoded[key][value][0], user_id, at, at, at, user_id,
             True, encoded[key][value][1], encoded[key][value][2], encoded[key][value][3],
             encoded[key][value][4], "")
            for i, (pid, user_id, key, at, value) in enumerate(plan)
        ),
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE assessments_assignment")
        cursor.execute("ANALYZE assessments_response")
    return total
