"""Stored applications on a moving clock, for the §10 sweeper and monitoring API tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import Engine
from tests.support.applications import application_form, stored
from tests.support.clock import MovableClock, almaty

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
from kepil.domain.permits import Application, ApplicationForm
from kepil.domain.permits.roles import Actor, PermitRole

APPLICANT_BIN = "150640123452"
APPLICANT = Actor(PermitRole.APPLICANT, "Сейткали А.", "850314312344", bin=APPLICANT_BIN)
CLERK = Actor(PermitRole.CLERK, "Канцелярия", "900101400428")


def form() -> ApplicationForm:
    """A complete Appendix 2 form of the monitored applicant."""
    return application_form(APPLICANT_BIN)


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return kazakhstan_calendar()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock("2026-03-20T19:00")


@pytest.fixture
def migrated(engine: Engine) -> Engine:
    migrate.upgrade(engine)
    return engine


Submit = Callable[[str, str], Application]


def store(engine: Engine, calendar: WorkingCalendar, number: str, received: str) -> Application:
    """Submit the form at an Almaty moment and store it as the submission handler would."""
    application = Application.submit(number, form(), APPLICANT, almaty(received), calendar)
    uow = SqlUnitOfWork(engine, calendar)
    with uow:
        uow.applications.add(stored(application), [])
        uow.applications.record_events(application.pull_events(), None)
        uow.commit()
    return application


@pytest.fixture
def submit(migrated: Engine, calendar: WorkingCalendar) -> Submit:
    """Store an application received at an Almaty moment in the test database."""
    return lambda number, received: store(migrated, calendar, number, received)
