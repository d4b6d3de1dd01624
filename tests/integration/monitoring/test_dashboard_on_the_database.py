"""The §10 dashboard read from SQLite and PostgreSQL: the database's counting per status, stage
and Almaty week gives the figures the in-memory stores give, and the ones worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine
from tests.support.applications import stored
from tests.support.clock import almaty
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.calendar import WorkingCalendar
from kepil.domain.monitoring import ChainCheck
from kepil.domain.permits import Application, ApplicationStatus, Stage
from kepil.domain.permits.roles import Actor, PermitRole
from kepil.services.permits.views.dashboard import ChainState, Dashboard, dashboard
from kepil.services.unit_of_work import UnitOfWork

from .conftest import APPLICANT, CLERK, form

EXAMINER = Actor(PermitRole.EXAMINER, "Эксперт", "781102303459")
NOW = almaty("2026-01-14T12:00")  # Wednesday; the window begins Monday 27 October 2025


def _cases(calendar: WorkingCalendar) -> list[Application]:
    """Four applications around the year's end, each a step further than the last."""
    waiting = Application.submit("APP-1", form(), APPLICANT, almaty("2025-12-26T10:00"), calendar)
    registered = Application.submit(
        "APP-2", form(), APPLICANT, almaty("2025-12-29T10:00"), calendar
    )
    registered.register(CLERK, almaty("2025-12-29T15:00"))
    reviewed = Application.submit("APP-3", form(), APPLICANT, almaty("2026-01-05T09:30"), calendar)
    reviewed.register(CLERK, almaty("2026-01-05T10:30"))
    reviewed.start_review(EXAMINER, almaty("2026-01-12T10:00"))  # completeness check late
    withdrawn = Application.submit("APP-4", form(), APPLICANT, almaty("2026-01-12T11:00"), calendar)
    withdrawn.withdraw(APPLICANT, almaty("2026-01-13T11:00"))
    return [waiting, registered, reviewed, withdrawn]


def _fill(uow: UnitOfWork, cases: list[Application]) -> None:
    for case in cases:
        uow.applications.add(stored(case), [])
        uow.applications.record_events(case.pull_events(), None)


def _read(uow: UnitOfWork, calendar: WorkingCalendar) -> Dashboard:
    chain = ChainState(ChainCheck(0, None, None), NOW)
    with uow:
        return dashboard(uow, NOW, calendar, chain)


def test_the_database_counts_the_dashboard_as_the_stores_of_the_unit_tests_do(
    migrated: Engine, calendar: WorkingCalendar
) -> None:
    sql = SqlUnitOfWork(migrated, calendar)
    with sql:
        _fill(sql, _cases(calendar))
        sql.commit()
    fake = FakeUnitOfWork(calendar)
    with fake.given():
        _fill(fake, _cases(calendar))
    assert _read(sql, calendar) == _read(fake, calendar)


def test_the_dashboard_on_the_database_matches_the_figures_worked_out_by_hand(
    migrated: Engine, calendar: WorkingCalendar
) -> None:
    uow = SqlUnitOfWork(migrated, calendar)
    with uow:
        _fill(uow, _cases(calendar))
        uow.commit()
    board = _read(uow, calendar)

    counts = {item.status: item.count for item in board.statuses}
    assert counts[ApplicationStatus.SUBMITTED] == 1
    assert counts[ApplicationStatus.REGISTERED] == 1
    assert counts[ApplicationStatus.UNDER_REVIEW] == 1
    assert counts[ApplicationStatus.WITHDRAWN] == 1
    assert board.total == 4

    stages = {item.stage: item for item in board.stages}
    assert stages[Stage.REGISTRATION].open == 1
    assert stages[Stage.REGISTRATION].overdue == 1
    # APP-1 was due on Friday 26 December; the New Year days off do not count as days late.
    assert board.overdue[0].application_number == "APP-1"
    assert board.overdue[0].working_days_late == calendar.working_days_between(
        date(2025, 12, 26), date(2026, 1, 14)
    )
    assert stages[Stage.REVIEW].open == 1
    assert stages[Stage.SERVICE_TERM].open == 3  # the withdrawn case's clock was cancelled

    timings = {item.stage: item for item in board.timings}
    assert timings[Stage.REGISTRATION].settled == 2
    assert timings[Stage.REGISTRATION].median_hours == 2.25  # 3.5 h (lunch out) and 1 h
    assert timings[Stage.COMPLETENESS_CHECK].settled == 1
    assert timings[Stage.COMPLETENESS_CHECK].late == 1

    weeks = {week.starts: week for week in board.weeks}
    assert board.weeks[0].starts == date(2025, 10, 27)
    assert weeks[date(2025, 12, 22)].received == 1
    assert weeks[date(2025, 12, 29)].received == 1
    assert weeks[date(2026, 1, 5)].received == 1
    assert weeks[date(2026, 1, 12)].received == 1
    assert weeks[date(2026, 1, 12)].withdrawn == 1
    assert weeks[date(2026, 1, 12)].decided == 1
    assert weeks[date(2026, 1, 12)].stages_late == 1
    assert sum(week.received for week in board.weeks) == 4
