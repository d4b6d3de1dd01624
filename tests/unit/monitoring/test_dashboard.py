"""The §10 dashboard's arithmetic: Almaty weeks, working time, medians, and the figures read
from the stores (here the in-memory ones; the database's own counting is tested on both)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from tests.support.applications import stored as stored_case
from tests.support.applications import submitted
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar
from kepil.domain.monitoring import ChainCheck
from kepil.domain.permits import Actor, ApplicationStatus, PermitRole, Stage
from kepil.services.permits.views.dashboard import (
    ChainState,
    dashboard,
    median,
    percentile,
    week_bounds,
    week_of,
    week_starts,
    working_days_late,
    working_seconds,
)

CLERK = Actor(PermitRole.CLERK, "Канцелярия", "850315400124")
EXAMINER = Actor(PermitRole.EXAMINER, "Эксперт", "781102303459")


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return kazakhstan_calendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


def test_weeks_begin_on_almaty_mondays_and_run_back_across_the_year_end() -> None:
    # Wednesday 7 January 2026, 03:00 in Almaty is still Tuesday 6 January in UTC.
    now = at("2026-01-07T03:00")
    starts = week_starts(now, 3)
    assert starts == [date(2025, 12, 22), date(2025, 12, 29), date(2026, 1, 5)]
    assert all(day.weekday() == 0 for day in starts)
    assert week_starts(now)[0] == date(2025, 10, 20)
    assert len(week_starts(now)) == 12


def test_a_moment_falls_in_the_almaty_week_even_when_utc_says_sunday() -> None:
    bounds = week_bounds([date(2025, 12, 22), date(2025, 12, 29), date(2026, 1, 5)])
    assert bounds[1] == at("2025-12-29T00:00")
    assert bounds[-1] == at("2026-01-12T00:00")
    sunday_evening_utc = datetime(2025, 12, 28, 19, 30, tzinfo=UTC)  # Monday 00:30 in Almaty
    assert week_of(sunday_evening_utc, bounds) == 1
    assert week_of(at("2025-12-28T23:59"), bounds) == 0
    assert week_of(at("2026-01-11T23:59"), bounds) == 2
    assert week_of(at("2026-01-12T00:00"), bounds) is None
    assert week_of(at("2025-12-21T23:59"), bounds) is None


def test_working_time_counts_office_hours_without_lunch_nights_weekends_or_holidays(
    cal: WorkingCalendar,
) -> None:
    hour = 3600
    # Thursday 10:00 to 12:00: two hours.
    assert working_seconds(cal, at("2026-03-19T10:00"), at("2026-03-19T12:00")) == 2 * hour
    # Across lunch: 12:00-13:00 and 14:30-15:00.
    assert working_seconds(cal, at("2026-03-19T12:00"), at("2026-03-19T15:00")) == 1.5 * hour
    # A whole working day is 8 hours.
    assert working_seconds(cal, at("2026-03-19T00:00"), at("2026-03-20T00:00")) == 8 * hour
    # Friday 18:00 before Nauryz to Thursday the 26th at 9:30: half an hour each side.
    assert working_seconds(cal, at("2026-03-20T18:00"), at("2026-03-26T09:30")) == hour
    # Received at night, registered next morning at 9:00: no working time at all.
    assert working_seconds(cal, at("2026-03-18T22:00"), at("2026-03-19T09:00")) == 0
    assert working_seconds(cal, at("2026-03-19T12:00"), at("2026-03-19T10:00")) == 0


def test_lateness_is_counted_in_working_days_begun_after_the_due_day(
    cal: WorkingCalendar,
) -> None:
    due = at("2026-03-20T18:30")
    assert working_days_late(cal, due, at("2026-03-20T20:00")) == 0
    assert working_days_late(cal, due, at("2026-03-26T10:00")) == 1
    assert working_days_late(cal, due, at("2026-03-30T10:00")) == 3


def test_median_and_nearest_rank_percentile() -> None:
    assert median([]) is None
    assert percentile([], 0.9) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5
    values = [float(n) for n in range(1, 11)]
    assert percentile(values, 0.9) == 9.0
    assert percentile([7.0], 0.9) == 7.0
    assert percentile([5.0, 1.0], 0.9) == 5.0


def _chain() -> ChainState:
    return ChainState(ChainCheck(0, None, None), at("2026-03-31T12:00"))


def test_the_dashboard_counts_statuses_stages_timings_and_weeks(cal: WorkingCalendar) -> None:
    uow = FakeUnitOfWork(cal)
    with uow.given():
        # Received Thursday 19 March 10:00, registered at 11:00 (one working hour), review
        # begun Thursday 26th 10:00 (after Nauryz), the completeness check late.
        first = submitted("APP-1", at("2026-03-19T10:00"), cal)
        first.register(CLERK, at("2026-03-19T11:00"))
        first.start_review(EXAMINER, at("2026-03-26T10:00"))
        # Received Wednesday 25th on a holiday, still waiting for registration.
        second = submitted("APP-2", at("2026-03-25T12:00"), cal)
        for case in (first, second):
            uow.applications.add(stored_case(case), [])
            uow.applications.record_events(case.pull_events(), None)
    now = at("2026-03-27T10:00")
    with uow:
        board = dashboard(uow, now, cal, _chain())
    counts = {item.status: item.count for item in board.statuses}
    assert counts[ApplicationStatus.UNDER_REVIEW] == 1
    assert counts[ApplicationStatus.SUBMITTED] == 1
    assert counts[ApplicationStatus.PERMIT_ISSUED] == 0
    assert board.total == 2
    stages = {item.stage: item for item in board.stages}
    assert stages[Stage.REGISTRATION].open == 1
    assert stages[Stage.REGISTRATION].overdue == 1  # due Thursday 26th 18:30
    assert stages[Stage.REGISTRATION].most_working_days_late == 1
    assert stages[Stage.REVIEW].open == 1
    assert stages[Stage.REVIEW].overdue == 0
    assert [o.application_number for o in board.overdue] == ["APP-2"]
    assert board.overdue[0].responsible is PermitRole.CLERK
    timings = {item.stage: item for item in board.timings}
    assert timings[Stage.REGISTRATION].settled == 1
    assert timings[Stage.REGISTRATION].median_hours == 1.0
    check = timings[Stage.COMPLETENESS_CHECK]
    # From registration 11:00 on the 19th: 6 h that day (no lunch), 8 on the 20th, 1 on the 26th.
    assert (check.settled, check.median_hours, check.p90_hours) == (1, 15.0, 15.0)
    assert check.late == 0  # due two working days after the 19th: Thursday the 26th
    assert timings[Stage.HEARING].median_hours is None
    assert board.weeks[-1].starts == date(2026, 3, 23)
    assert board.weeks[-2].received == 1
    assert board.weeks[-1].received == 1
    assert sum(week.decided for week in board.weeks) == 0
