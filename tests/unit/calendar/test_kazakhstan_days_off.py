"""Every non-working day of 2024–2026 against the official calendars."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from kepil.domain.calendar import DayOffKind, kazakhstan_calendar

# Weekday holidays, observed days and transferred rest days; weekends are checked separately.
WEEKDAYS_OFF = {
    2024: [
        "2024-01-01",
        "2024-01-02",  # New Year
        "2024-03-08",
        "2024-03-21",
        "2024-03-22",
        "2024-03-25",  # Nauryz; 23rd (Sat) observed on Monday 25th
        "2024-05-01",
        "2024-05-07",
        "2024-05-08",  # rest day moved from Saturday 4 May
        "2024-05-09",
        "2024-07-08",  # Capital Day (Sat 6th) observed
        "2024-08-30",
        "2024-10-25",
        "2024-12-16",
    ],
    2025: [
        "2025-01-01",
        "2025-01-02",
        "2025-01-03",  # rest day moved from Sunday 5 January
        "2025-01-07",
        "2025-03-10",  # Women's Day (Sat 8th) observed
        "2025-03-21",
        "2025-03-24",
        "2025-03-25",  # Nauryz 22nd, 23rd on the weekend
        "2025-05-01",
        "2025-05-07",
        "2025-05-09",
        "2025-06-06",  # Kurban Ait
        "2025-07-07",  # Capital Day (Sun 6th) observed
        "2025-09-01",  # Constitution Day (Sat 30 Aug) observed
        "2025-10-27",  # Republic Day (Sat 25th) observed
        "2025-12-16",
    ],
    2026: [
        "2026-01-01",
        "2026-01-02",
        "2026-01-07",
        "2026-03-09",  # Women's Day (Sun 8th) observed
        "2026-03-23",
        "2026-03-24",
        "2026-03-25",  # Nauryz 21st, 22nd on the weekend
        "2026-05-01",
        "2026-05-07",
        "2026-05-11",  # Victory Day (Sat 9th) observed
        "2026-05-27",  # Kurban Ait
        "2026-07-06",
        "2026-10-26",  # Republic Day (Sun 25th) observed
        "2026-12-16",
    ],
}
WORKING_WEEKEND_DAYS = {2024: ["2024-05-04"], 2025: ["2025-01-05"], 2026: []}


def _days(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range((date(year + 1, 1, 1) - first).days)]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
def test_every_non_working_day_of_the_year_matches_the_official_calendar(year: int) -> None:
    calendar = kazakhstan_calendar()
    expected_weekdays = {date.fromisoformat(d) for d in WEEKDAYS_OFF[year]}
    working_weekends = {date.fromisoformat(d) for d in WORKING_WEEKEND_DAYS[year]}
    for day in _days(year):
        weekend = day.weekday() >= 5
        expected_off = (weekend and day not in working_weekends) or day in expected_weekdays
        assert calendar.is_working_day(day) is not expected_off, day


def test_nauryz_on_a_weekend_moves_both_days_off_to_the_following_working_days() -> None:
    calendar = kazakhstan_calendar()
    kinds = {d: calendar.day_off(date(2026, 3, d)) for d in range(21, 26)}
    assert [kinds[d].kind for d in range(21, 26)] == [  # type: ignore[union-attr]
        DayOffKind.HOLIDAY,
        DayOffKind.HOLIDAY,
        DayOffKind.HOLIDAY,
        DayOffKind.OBSERVED,
        DayOffKind.OBSERVED,
    ]
    assert calendar.is_working_day(date(2026, 3, 26))


def test_orthodox_christmas_on_a_sunday_is_not_moved_to_monday() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.day_off(date(2024, 1, 7)) is not None
    assert calendar.is_working_day(date(2024, 1, 8))


def test_kurban_ait_on_a_sunday_is_not_moved_to_monday() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.day_off(date(2024, 6, 16)).name == "Kurban Ait"  # type: ignore[union-attr]
    assert calendar.is_working_day(date(2024, 6, 17))


def test_transferred_saturday_is_a_working_day_and_its_rest_day_is_off() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.is_working_day(date(2024, 5, 4))
    rest = calendar.day_off(date(2024, 5, 8))
    assert rest is not None
    assert rest.kind is DayOffKind.TRANSFER
    assert "№ 109" in rest.source


def test_transferred_sunday_2025_january_5_is_a_working_day() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.is_working_day(date(2025, 1, 5))
    assert not calendar.is_working_day(date(2025, 1, 3))


def test_constitution_day_is_not_a_holiday_in_2026_and_moves_to_march_15_from_2027() -> None:
    calendar = kazakhstan_calendar()
    assert calendar.is_working_day(date(2026, 8, 31))
    assert calendar.day_off(date(2026, 8, 30)).kind is DayOffKind.WEEKEND  # type: ignore[union-attr]
    assert calendar.day_off(date(2027, 3, 15)).name == "Constitution Day"  # type: ignore[union-attr]


def test_every_day_off_names_its_legal_source() -> None:
    calendar = kazakhstan_calendar()
    for year in (2024, 2025, 2026):
        for day in _days(year):
            off = calendar.day_off(day)
            if off is not None and off.kind is not DayOffKind.WEEKEND:
                assert off.source, day
