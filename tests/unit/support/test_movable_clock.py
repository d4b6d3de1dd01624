"""The tests' one clock reads the moments tests give it as the service would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from tests.support.clock import MovableClock, almaty


def test_local_text_is_read_as_almaty_time() -> None:
    assert MovableClock("2026-03-20T10:00").now() == datetime(2026, 3, 20, 5, 0, tzinfo=UTC)


def test_unix_seconds_and_aware_moments_stand_as_given() -> None:
    clock = MovableClock(0)
    assert clock.now() == datetime(1970, 1, 1, tzinfo=UTC)
    clock.set(datetime(2026, 1, 2, tzinfo=UTC))
    clock.advance(90)
    clock.advance(timedelta(minutes=1))
    assert clock.now() == datetime(2026, 1, 2, 0, 2, 30, tzinfo=UTC)


def test_a_naive_moment_is_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        MovableClock(datetime(2026, 1, 1))


def test_almaty_text_names_the_same_moment_the_clock_would_stand_at() -> None:
    assert almaty("2026-03-20T18:30") == MovableClock("2026-03-20T18:30").now()
    assert almaty("2026-03-20T18:30").utcoffset() == timedelta(hours=5)
