from datetime import UTC, datetime, timedelta

from openiop.telehealth.attendance import EventKind, PresenceEvent, summarize

START = datetime(2026, 3, 2, 23, 0, tzinfo=UTC)  # 6 pm in New York
END = START + timedelta(hours=3)


def at(minutes: float, seconds: int = 0) -> datetime:
    return START + timedelta(minutes=minutes, seconds=seconds)


def ev(kind: str, minutes: float, seconds: int = 0) -> PresenceEvent:
    return PresenceEvent(EventKind(kind), at(minutes, seconds))


def beats(first: int, last: int) -> list[PresenceEvent]:
    """Heartbeats every 30 s from minute ``first`` to minute ``last``."""
    return [ev("heartbeat", m / 2) for m in range(first * 2, last * 2 + 1)]


def test_full_attendance_is_the_whole_session():
    events = [ev("joined", -2), *beats(0, 180), ev("left", 181)]
    summary = summarize(events, starts_at=START, ends_at=END)
    assert summary.minutes == 180
    assert not summary.late
    assert not summary.left_early
    assert summary.reconnects == 0


def test_a_reconnect_loses_only_the_gap():
    # Janus restarted at 60:00; the client lost it and was back at 62:30.
    events = [
        ev("joined", 0),
        *beats(0, 59),
        ev("lost", 60),
        ev("joined", 62, 30),
        *beats(63, 180),
        ev("left", 180),
    ]
    summary = summarize(events, starts_at=START, ends_at=END)
    assert summary.minutes == 177  # 60 + 117.5, rounded down
    assert summary.reconnects == 1
    assert summary.intervals[0] == (at(0), at(60))
    assert summary.intervals[1] == (at(62, 30), END)


def test_late_arrival_and_early_leave_are_detected():
    events = [ev("joined", 12), *beats(12, 150), ev("left", 150)]
    summary = summarize(events, starts_at=START, ends_at=END)
    assert summary.minutes == 138
    assert summary.late
    assert summary.left_early
    assert summary.first_seen == at(12)
    assert summary.last_seen == at(150)


def test_a_few_minutes_late_is_not_late():
    summary = summarize([ev("joined", 4), ev("left", 180)], starts_at=START, ends_at=END)
    assert not summary.late


def test_a_crashed_browser_counts_until_the_last_heartbeat_plus_grace():
    events = [ev("joined", 0), *beats(0, 30)]  # no leave: the laptop lid closed at 30:00
    summary = summarize(events, starts_at=START, ends_at=END, grace=timedelta(seconds=75))
    assert summary.intervals == [(at(0), at(31, 15))]
    assert summary.minutes == 31
    assert summary.left_early


def test_heartbeats_resuming_after_silence_start_a_new_interval():
    events = [ev("joined", 0), *beats(0, 10), *beats(20, 30), ev("left", 30)]
    summary = summarize(events, starts_at=START, ends_at=END, grace=timedelta(seconds=75))
    assert summary.intervals == [(at(0), at(11, 15)), (at(20), at(30))]
    assert summary.minutes == 21
    assert summary.reconnects == 1


def test_a_second_tab_does_not_double_count():
    events = [ev("joined", 0), ev("joined", 5), *beats(0, 60), ev("left", 60)]
    summary = summarize(events, starts_at=START, ends_at=END)
    assert summary.minutes == 60
    assert summary.reconnects == 0


def test_time_before_the_start_and_after_the_end_is_not_counted():
    events = [ev("joined", -15), *beats(-15, 200), ev("left", 200)]
    summary = summarize(events, starts_at=START, ends_at=END)
    assert summary.minutes == 180


def test_events_arriving_out_of_order_are_sorted():
    events = [ev("left", 90), ev("joined", 30), *beats(30, 90)]
    assert summarize(events, starts_at=START, ends_at=END).minutes == 60


def test_no_events_means_not_attended():
    summary = summarize([], starts_at=START, ends_at=END)
    assert summary.minutes == 0
    assert not summary.attended


def test_a_running_session_counts_up_to_now_and_does_not_flag_early_leave():
    events = [ev("joined", 0), *beats(0, 45)]
    summary = summarize(events, starts_at=START, ends_at=END, now=at(45, 10))
    assert summary.minutes == 45
    assert not summary.left_early
