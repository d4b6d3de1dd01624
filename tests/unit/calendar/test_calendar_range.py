"""The working calendar's years, and counting working days across many of them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kepil.domain.calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    DayOff,
    OutsideCalendarError,
    WorkingCalendar,
    kazakhstan_calendar,
    load_kazakhstan_schedule,
)

CAL = kazakhstan_calendar()


class CountingSchedule:
    """The real schedule, counting how often a year's days off are asked for."""

    def __init__(self) -> None:
        self.real = load_kazakhstan_schedule()
        self.asked = 0

    def days_off(self, year: int) -> dict[date, DayOff]:
        self.asked += 1
        return self.real.days_off(year)

    def working_weekend_days(self, year: int) -> dict[date, str]:
        return self.real.working_weekend_days(year)


def _day_by_day(start: date, end: date) -> int:
    return sum(
        CAL.is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1)
    )


@pytest.mark.parametrize(
    "day",
    [date(9999, 12, 31), date(1, 1, 1), date(FIRST_YEAR - 1, 12, 31), date(LAST_YEAR + 1, 1, 1)],
)
def test_a_day_outside_the_calendar_years_is_refused_with_the_range_named(day: date) -> None:
    with pytest.raises(OutsideCalendarError, match=f"years {FIRST_YEAR}-{LAST_YEAR}"):
        CAL.is_working_day(day)


def test_a_deadline_from_year_9999_is_refused_instead_of_overflowing() -> None:
    with pytest.raises(OutsideCalendarError):
        CAL.deadline(date(9999, 12, 31), 1)


def test_a_term_running_past_the_last_year_is_refused() -> None:
    with pytest.raises(OutsideCalendarError):
        CAL.add_working_days(date(LAST_YEAR, 12, 30), 5)


def test_working_days_between_across_the_whole_range_asks_once_per_year() -> None:
    schedule = CountingSchedule()
    calendar = WorkingCalendar(schedule)
    count = calendar.working_days_between(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))
    assert schedule.asked == LAST_YEAR - FIRST_YEAR + 1
    assert count == _day_by_day(date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31))


def test_working_days_between_refuses_a_range_outside_the_calendar() -> None:
    with pytest.raises(OutsideCalendarError):
        CAL.working_days_between(date(1, 1, 1), date(9999, 12, 31))


@given(
    start=st.dates(min_value=date(2012, 1, 1), max_value=date(2027, 12, 31)),
    length=st.integers(min_value=0, max_value=800),
)
def test_the_counted_working_days_equal_a_day_by_day_count(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    assert CAL.working_days_between(start, end) == _day_by_day(start, end)
    assert CAL.working_days_between(end, start) == -_day_by_day(start, end)
