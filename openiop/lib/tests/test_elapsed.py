from datetime import timedelta

from openiop.lib.elapsed import format_elapsed


def test_a_span_reads_in_at_most_two_units_rounded_down():
    assert format_elapsed(timedelta(seconds=59)) == "under 1 min"
    assert format_elapsed(timedelta(minutes=45, seconds=59)) == "45 min"
    assert format_elapsed(timedelta(hours=2, minutes=5)) == "2 h 5 min"
    assert format_elapsed(timedelta(hours=3)) == "3 h"
    assert format_elapsed(timedelta(days=3, hours=4, minutes=59)) == "3 d 4 h"
    assert format_elapsed(timedelta(days=40)) == "40 d"


def test_a_negative_span_reads_as_no_time():
    assert format_elapsed(timedelta(seconds=-30)) == "under 1 min"
