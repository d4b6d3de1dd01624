"""Registration days, deadlines and working hours as the Rules count them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar

CAL = kazakhstan_calendar()
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2027, 12, 31))
terms = st.integers(min_value=1, max_value=30)


def almaty(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def test_p5_application_before_1830_on_a_working_day_is_registered_that_day() -> None:
    assert CAL.registration_day(almaty("2026-04-10T18:29:59")) == date(2026, 4, 10)


def test_p5_application_at_1830_exactly_is_registered_the_next_working_day() -> None:
    assert CAL.registration_day(almaty("2026-04-10T18:30:00")) == date(2026, 4, 13)


def test_p5_application_before_opening_hours_counts_for_that_working_day() -> None:
    assert CAL.registration_day(almaty("2026-04-13T06:00:00")) == date(2026, 4, 13)


def test_p5_application_on_a_saturday_is_registered_on_monday() -> None:
    assert CAL.registration_day(almaty("2026-04-11T10:00:00")) == date(2026, 4, 13)


def test_p5_application_during_nauryz_is_registered_after_the_holidays() -> None:
    assert CAL.registration_day(almaty("2026-03-20T19:00:00")) == date(2026, 3, 26)


def test_p5_application_on_a_transferred_working_saturday_is_registered_that_day() -> None:
    assert CAL.registration_day(almaty("2024-05-04T11:00:00")) == date(2024, 5, 4)


def test_p5_registration_counts_in_almaty_time_whatever_the_sender_offset() -> None:
    # 13:35 UTC is 18:35 in Almaty (UTC+5 since 2024-03-01): after hours.
    assert CAL.registration_day(datetime(2026, 4, 10, 13, 35, tzinfo=UTC)) == date(2026, 4, 13)


def test_registration_uses_utc_plus_6_before_the_2024_time_zone_switch() -> None:
    # 12:45 UTC on 28 Feb 2024 was 18:45 in Almaty (UTC+6): after hours, so the next day.
    assert CAL.registration_day(datetime(2024, 2, 28, 12, 45, tzinfo=UTC)) == date(2024, 2, 29)


def test_registration_uses_utc_plus_5_after_the_2024_time_zone_switch() -> None:
    # 13:15 UTC on 4 March 2024 is 18:15 in Almaty (UTC+5): still working hours.
    assert CAL.registration_day(datetime(2024, 3, 4, 13, 15, tzinfo=UTC)) == date(2024, 3, 4)


def test_deadline_offset_follows_the_almaty_offset_of_its_day() -> None:
    assert CAL.deadline(date(2024, 2, 27), 2).isoformat() == "2024-02-29T18:30:00+06:00"
    assert CAL.deadline(date(2024, 2, 28), 2).isoformat() == "2024-03-01T18:30:00+05:00"


def test_deadline_of_two_working_days_from_friday_ends_tuesday_at_1830() -> None:
    assert CAL.deadline(date(2026, 4, 10), 2).isoformat() == "2026-04-14T18:30:00+05:00"


def test_deadline_skips_nauryz_holidays() -> None:
    # Registered Friday 20 March 2026; 21–25 March are days off.
    assert CAL.deadline(date(2026, 3, 20), 2).date() == date(2026, 3, 27)


def test_app1_4_five_working_day_term_spans_the_new_year_holidays() -> None:
    # 31 Dec 2025 (Wed) + 5 working days: 1, 2 Jan off, 3–4 weekend, 5, 6 worked, 7 off, 8, 9.
    assert CAL.deadline(date(2025, 12, 31), 5).date() == date(2026, 1, 12)


def test_p6_completeness_deadline_counts_a_transferred_saturday() -> None:
    # Registered Friday 3 May 2024: Saturday 4 May is worked, 7–9 May are off.
    assert CAL.deadline(date(2024, 5, 3), 2).date() == date(2024, 5, 6)


def test_p8_hearing_notice_day_is_three_working_days_before_the_term_ends() -> None:
    assert CAL.subtract_working_days(date(2026, 3, 27), 3) == date(2026, 3, 19)


def test_a_term_of_zero_working_days_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        CAL.deadline(date(2026, 4, 10), 0)


def test_app1_8_lunch_break_is_not_working_time() -> None:
    assert CAL.is_working_time(almaty("2026-04-13T12:59:00"))
    assert not CAL.is_working_time(almaty("2026-04-13T13:00:00"))
    assert not CAL.is_working_time(almaty("2026-04-13T14:29:00"))
    assert CAL.is_working_time(almaty("2026-04-13T14:30:00"))
    assert not CAL.is_working_time(almaty("2026-04-13T08:59:00"))
    assert not CAL.is_working_time(almaty("2026-04-13T18:30:00"))
    assert not CAL.is_working_time(almaty("2026-04-11T10:00:00"))  # Saturday


def test_working_days_between_counts_the_end_but_not_the_start() -> None:
    assert CAL.working_days_between(date(2026, 4, 10), date(2026, 4, 14)) == 2
    assert CAL.working_days_between(date(2026, 4, 14), date(2026, 4, 10)) == -2
    assert CAL.working_days_between(date(2026, 4, 10), date(2026, 4, 10)) == 0


@given(start=days, n=terms)
def test_deadline_falls_on_a_working_day_exactly_n_working_days_later(start: date, n: int) -> None:
    end = CAL.deadline(start, n)
    assert CAL.is_working_day(end.date())
    assert CAL.working_days_between(start, end.date()) == n
    assert (end.hour, end.minute) == (18, 30)


@given(start=days, n=terms)
def test_subtracting_undoes_adding_working_days(start: date, n: int) -> None:
    later = CAL.add_working_days(start, n)
    assert CAL.subtract_working_days(later, n) == (
        start if CAL.is_working_day(start) else CAL.subtract_working_days(start, 1)
    )


@given(moment=st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2027, 12, 31)))
def test_registration_day_is_a_working_day_not_before_the_moment(moment: datetime) -> None:
    local = moment.replace(tzinfo=ALMATY)
    day = CAL.registration_day(local)
    assert CAL.is_working_day(day)
    assert day >= local.date()
    assert CAL.working_days_between(local.date(), day) <= 1


def test_a_calendar_whose_every_day_is_off_reports_an_error_instead_of_looping() -> None:
    class Closed:
        def days_off(self, year: int) -> dict[date, object]:
            first = date(year, 1, 1)
            return {first + timedelta(days=n): object() for n in range(366)}

        def working_weekend_days(self, year: int) -> dict[date, str]:
            return {}

    closed = WorkingCalendar(Closed())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no 1 working days"):
        closed.next_working_day(date(2026, 1, 1))
