"""`--frozen-now` runs a whole pytest session as if now were a chosen instant.

The session cases run a small pytest in a subprocess, without Django, loading the plugin with
`-p` as scripts/test.sh does.
"""

from pathlib import Path

import pytest
from django.conf import settings

from openiop.testing_clock import parse_instant

NEW_YEARS_EVE = "2026-12-31T23:30:00-05:00"

CLOCK_TEST = """
import time
from datetime import UTC, datetime, timedelta

def test_the_session_starts_at_the_frozen_now_and_ticks():
    now = datetime.now(UTC)
    assert datetime(2027, 1, 1, 4, 30, tzinfo=UTC) <= now < datetime(2027, 1, 1, 4, 35, tzinfo=UTC)
    time.sleep(0.01)
    assert datetime.now(UTC) > now
"""


@pytest.fixture
def clock_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("OPENIOP_FROZEN_NOW", raising=False)
    monkeypatch.setenv("PYTHONPATH", str(Path(settings.BASE_DIR)))
    pytester.makepyfile(test_clock=CLOCK_TEST)

    def run(*args: str) -> pytest.RunResult:
        return pytester.runpytest_subprocess(
            "-p", "no:django", "-p", "no:cacheprovider", "-p", "openiop.testing_clock", *args
        )

    return run


def test_the_option_moves_the_clock_for_the_session(clock_run):
    result = clock_run(f"--frozen-now={NEW_YEARS_EVE}")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([f"frozen now: {NEW_YEARS_EVE} *"])


def test_the_environment_moves_the_clock_too(clock_run, monkeypatch):
    monkeypatch.setenv("OPENIOP_FROZEN_NOW", NEW_YEARS_EVE)
    clock_run().assert_outcomes(passed=1)


def test_an_instant_without_an_offset_is_refused():
    with pytest.raises(pytest.UsageError, match="has no UTC offset"):
        parse_instant("2026-12-31T23:30:00")


def test_a_malformed_instant_is_refused():
    with pytest.raises(pytest.UsageError, match="is not an ISO 8601 date and time"):
        parse_instant("New Year's Eve")
