"""Run the test suite as if "now" were a chosen instant.

    pytest --frozen-now=2026-12-06T23:30:00-05:00 openiop/scheduling
    OPENIOP_FROZEN_NOW=2026-12-31T23:30:00-05:00 pytest openiop/lib

The clock is moved with `time_machine.travel(instant, tick=True)` for the whole session, so it
keeps running from that instant: timeouts, TOTP periods and the live server behave as usual,
while every date the code derives ("today", "this week", the hour of day) is the chosen one.
A test that freezes time itself still wins inside its own `time_machine.travel`.

Caveats, each checked when the browser tests were run under a moved clock:

1. The in-process live server, the ORM and the tests all read the moved clock; PostgreSQL's
   own `now()` does not, so application code never asks the database for the time.
2. Chromium keeps the real clock. The session cookie has no expiry (it ends with the browser)
   and the CSRF cookie carries `Max-Age`, which browsers count from their own clock, so a clock
   moved into the past or the future does not expire either of them early.
3. Janus checks the expiry of signed tokens against the real clock, so `-m janus` tests only
   work under an instant in the near future; CI runs them with the real clock only.

Loaded from the root conftest.py, the clock moves in `pytest_configure`, after pytest-django has
populated the app registry (nothing in the code reads the clock while importing) and before any
test is collected or the test database is created. Loaded with `-p openiop.testing_clock`, it
moves earlier still, before Django is set up.
"""

import os
from datetime import datetime

import pytest
import time_machine

ENV_VAR = "OPENIOP_FROZEN_NOW"

_travel: time_machine.travel | None = None
_instant: datetime | None = None


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--frozen-now",
        metavar="ISO8601",
        default=None,
        help=(
            "run as if now were this instant (with a UTC offset), the clock still ticking; "
            f"default: ${ENV_VAR}"
        ),
    )


def parse_instant(value: str) -> datetime:
    """An aware datetime from ISO 8601; a naive one would silently mean the machine's zone."""
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        raise pytest.UsageError(
            f"--frozen-now: {value!r} is not an ISO 8601 date and time, "
            "e.g. 2026-12-06T23:30:00-05:00"
        ) from None
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise pytest.UsageError(
            f"--frozen-now: {value!r} has no UTC offset, e.g. 2026-12-06T23:30:00-05:00"
        )
    return instant


def frozen_now_value(option: str | None) -> str | None:
    return option or os.environ.get(ENV_VAR) or None


def start(value: str | None) -> None:
    global _travel, _instant
    if _travel is not None or value is None:
        return
    _instant = parse_instant(value)
    _travel = time_machine.travel(_instant, tick=True)
    _travel.start()


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    # Only reached when loaded with `-p`: conftest plugins arrive after this hook has run.
    start(frozen_now_value(getattr(early_config.known_args_namespace, "frozen_now", None)))


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    start(frozen_now_value(config.getoption("frozen_now")))


def pytest_report_header(config: pytest.Config) -> str | None:
    if _instant is None:
        return None
    return f"frozen now: {_instant.isoformat()} (the clock ticks on from there)"


def pytest_unconfigure(config: pytest.Config) -> None:
    global _travel, _instant
    if _travel is not None:
        _travel.stop()
    _travel = None
    _instant = None
