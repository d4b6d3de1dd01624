"""The SLA summary (Rules §10): counts, lateness in working days, median durations."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tests.support.applications import standing, stored, submitted
from tests.support.clock import MovableClock
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar
from kepil.domain.permits import Actor, ApplicationStatus, PermitRole, Stage
from kepil.services.permits.sla import sla_summary

# Friday before Nauryz: 21-25 March 2026 are days off, so Thursday the 26th is the next work day.
FRIDAY_DUE = datetime(2026, 3, 20, 18, 30, tzinfo=ALMATY)


CLERK = Actor(PermitRole.CLERK, "Канцелярия", "850315400124")
EXAMINER = Actor(PermitRole.EXAMINER, "Эксперт", "781102303459")


def _standing(
    cal: WorkingCalendar,
    statuses: dict[ApplicationStatus, int] | None = None,
    open_stages: list[tuple[Stage, datetime]] | None = None,
) -> FakeUnitOfWork:
    """Applications in the given statuses, and one (APP-1) with the given stages open."""
    uow = FakeUnitOfWork(cal)
    received = datetime(2026, 3, 16, 10, 0, tzinfo=ALMATY)
    with uow.given():
        if open_stages is not None:
            case = standing("APP-1", received, cal, open_stages=open_stages)
            uow.applications.add(stored(case), [])
        for status, count in (statuses or {}).items():
            for n in range(count):
                case = standing(f"APP-{status}-{n}", received, cal, status=status)
                uow.applications.add(stored(case), [])
    return uow


def _moved_on(cal: WorkingCalendar, steps: list[tuple[int, int | None]]) -> FakeUnitOfWork:
    """Applications with their history: seconds until registration, then until review began."""
    uow = FakeUnitOfWork(cal)
    received = datetime(2026, 3, 16, 10, 0, tzinfo=ALMATY)
    with uow.given():
        for n, (to_registration, to_review) in enumerate(steps):
            application = submitted(f"APP-{n}", received, cal)
            registered = received + timedelta(seconds=to_registration)
            application.register(CLERK, registered)
            if to_review is not None:
                application.start_review(EXAMINER, registered + timedelta(seconds=to_review))
            uow.applications.add(stored(application), [])
            uow.applications.record_events(application.pull_events(), None)
    return uow


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return kazakhstan_calendar()


def test_p10_the_summary_counts_applications_per_status_and_in_total(
    cal: WorkingCalendar,
) -> None:
    statuses = {
        ApplicationStatus.UNDER_REVIEW: 2,
        ApplicationStatus.REGISTERED: 3,
        ApplicationStatus.PERMIT_ISSUED: 1,
    }
    summary = sla_summary(_standing(cal, statuses), MovableClock(FRIDAY_DUE), cal)
    assert summary.total == 6
    assert summary.counts == {"permit_issued": 1, "registered": 3, "under_review": 2}


def test_p10_lateness_counts_working_days_so_nauryz_and_the_weekend_do_not_add_up(
    cal: WorkingCalendar,
) -> None:
    uow = _standing(cal, open_stages=[(Stage.REVIEW, FRIDAY_DUE)])
    now = datetime(2026, 3, 26, 10, 0, tzinfo=ALMATY)
    summary = sla_summary(uow, MovableClock(now), cal)
    [item] = summary.overdue
    assert item.application_number == "APP-1"
    assert item.responsible is PermitRole.EXAMINER
    assert item.working_days_late == 1
    assert item.hours_late == 5 * 24 + 15.5


def test_p10_lateness_within_the_due_day_is_given_in_hours(cal: WorkingCalendar) -> None:
    uow = _standing(cal, open_stages=[(Stage.REGISTRATION, FRIDAY_DUE)])
    now = datetime(2026, 3, 20, 20, 45, tzinfo=ALMATY)
    [item] = sla_summary(uow, MovableClock(now), cal).overdue
    assert item.working_days_late == 0
    assert item.hours_late == 2.25
    assert item.responsible is PermitRole.CLERK


def test_p10_median_durations_are_given_per_status(cal: WorkingCalendar) -> None:
    uow = _moved_on(cal, [(600, 3600), (60, None), (120, 7200)])
    summary = sla_summary(uow, MovableClock(FRIDAY_DUE), cal)
    assert summary.median_seconds == {"registered": 5400.0, "submitted": 120.0}


def test_p10_the_summary_is_computed_at_the_clocks_moment(cal: WorkingCalendar) -> None:
    uow = _standing(cal, open_stages=[(Stage.REVIEW, FRIDAY_DUE)])
    before = sla_summary(uow, MovableClock(FRIDAY_DUE), cal)
    assert before.at == FRIDAY_DUE
    assert (before.total, before.overdue, before.median_seconds) == (1, (), {})
    after = sla_summary(uow, MovableClock(FRIDAY_DUE + timedelta(minutes=1)), cal)
    assert [item.application_number for item in after.overdue] == ["APP-1"]
    empty = sla_summary(FakeUnitOfWork(cal), MovableClock(FRIDAY_DUE), cal)
    assert (empty.at, empty.total, empty.overdue, empty.median_seconds) == (FRIDAY_DUE, 0, (), {})
