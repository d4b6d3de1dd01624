"""The SLA summary (Rules §10): counts, lateness in working days, median durations."""

from __future__ import annotations

from datetime import datetime

import pytest

from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar
from kepil.domain.permits import PermitRole, Stage
from kepil.services.permits.ports import OpenDeadline
from kepil.services.permits.sla import sla_summary
from kepil.services.unit_of_work import UnitOfWork

# Friday before Nauryz: 21-25 March 2026 are days off, so Thursday the 26th is the next work day.
FRIDAY_DUE = datetime(2026, 3, 20, 18, 30, tzinfo=ALMATY)


class FakeClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class FakeApplications:
    def __init__(
        self,
        counts: dict[str, int] | None = None,
        deadlines: list[OpenDeadline] | None = None,
        durations: dict[str, list[float]] | None = None,
    ) -> None:
        self.counts = counts or {}
        self.deadlines = deadlines or []
        self.durations = durations or {}
        self.asked_at: datetime | None = None

    def stage_counts(self) -> dict[str, int]:
        return self.counts

    def open_deadlines(self, now: datetime) -> list[OpenDeadline]:
        self.asked_at = now
        return [d for d in self.deadlines if d.due < now]

    def settled_durations(self) -> dict[str, list[float]]:
        return self.durations


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, applications: FakeApplications) -> None:
        self.applications = applications

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return kazakhstan_calendar()


def test_p10_the_summary_counts_applications_per_status_and_in_total(
    cal: WorkingCalendar,
) -> None:
    store = FakeApplications(counts={"under_review": 2, "registered": 3, "permit_issued": 1})
    summary = sla_summary(FakeUnitOfWork(store), FakeClock(FRIDAY_DUE), cal)
    assert summary.total == 6
    assert summary.counts == {"permit_issued": 1, "registered": 3, "under_review": 2}


def test_p10_lateness_counts_working_days_so_nauryz_and_the_weekend_do_not_add_up(
    cal: WorkingCalendar,
) -> None:
    store = FakeApplications(deadlines=[OpenDeadline("APP-1", Stage.REVIEW, FRIDAY_DUE)])
    now = datetime(2026, 3, 26, 10, 0, tzinfo=ALMATY)
    summary = sla_summary(FakeUnitOfWork(store), FakeClock(now), cal)
    [item] = summary.overdue
    assert item.application_number == "APP-1"
    assert item.responsible is PermitRole.EXAMINER
    assert item.working_days_late == 1
    assert item.hours_late == 5 * 24 + 15.5


def test_p10_lateness_within_the_due_day_is_given_in_hours(cal: WorkingCalendar) -> None:
    store = FakeApplications(deadlines=[OpenDeadline("APP-1", Stage.REGISTRATION, FRIDAY_DUE)])
    now = datetime(2026, 3, 20, 20, 45, tzinfo=ALMATY)
    [item] = sla_summary(FakeUnitOfWork(store), FakeClock(now), cal).overdue
    assert item.working_days_late == 0
    assert item.hours_late == 2.25
    assert item.responsible is PermitRole.CLERK


def test_p10_median_durations_are_given_per_status(cal: WorkingCalendar) -> None:
    store = FakeApplications(
        durations={"submitted": [600.0, 60.0, 120.0], "registered": [3600.0, 7200.0]}
    )
    summary = sla_summary(FakeUnitOfWork(store), FakeClock(FRIDAY_DUE), cal)
    assert summary.median_seconds == {"registered": 5400.0, "submitted": 120.0}


def test_p10_the_summary_is_computed_at_the_clocks_moment(cal: WorkingCalendar) -> None:
    store = FakeApplications()
    summary = sla_summary(FakeUnitOfWork(store), FakeClock(FRIDAY_DUE), cal)
    assert summary.at == FRIDAY_DUE
    assert store.asked_at == FRIDAY_DUE
    assert (summary.total, summary.overdue, summary.median_seconds) == (0, (), {})
