"""Browser tests flush the database again when a late request deadlocks the first flush."""

from itertools import pairwise

import psycopg
from django.core.management.base import CommandError
from django.db import OperationalError

from openiop.testing import _is_deadlock


def chained(*errors: BaseException) -> BaseException:
    """The outermost error, each one raised from the next (as `flush` wraps the driver's)."""
    for outer, inner in pairwise(errors):
        outer.__cause__ = inner
    return errors[0]


def test_a_deadlock_under_flushs_error_is_recognised():
    error = chained(
        CommandError("Database test_openiop couldn't be flushed."),
        OperationalError("deadlock detected"),
        psycopg.errors.DeadlockDetected("deadlock detected"),
    )
    assert _is_deadlock(error)


def test_other_flush_failures_are_not_retried():
    assert not _is_deadlock(CommandError("Database test_openiop couldn't be flushed."))
    assert not _is_deadlock(
        chained(OperationalError("no such table"), psycopg.errors.UndefinedTable("x"))
    )
