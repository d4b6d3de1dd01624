"""Stored applications on a moving clock, for the §10 sweeper and monitoring API tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from sqlalchemy import Engine

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar
from kepil.domain.permits import (
    ActivityAddress,
    ApplicantKind,
    ApplicantRequisites,
    Application,
    ApplicationForm,
    Attachment,
    AttachmentKind,
)
from kepil.domain.permits.roles import Actor, PermitRole
from kepil.services.permits.ports import StoredApplication

APPLICANT_BIN = "150640123452"
APPLICANT = Actor(PermitRole.APPLICANT, "Сейткали А.", "850314312344", bin=APPLICANT_BIN)
CLERK = Actor(PermitRole.CLERK, "Канцелярия", "900101400428")


def almaty(text: str) -> datetime:
    """An Almaty wall-clock moment."""
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@dataclass
class MovableClock:
    """A clock the test moves by hand."""

    moment: datetime

    def now(self) -> datetime:
        return self.moment

    def set(self, text: str) -> None:
        self.moment = almaty(text)


def form() -> ApplicationForm:
    """A complete Appendix 2 form from a legal entity, every consent given."""
    return ApplicationForm(
        requisites=ApplicantRequisites(
            address="г. Алматы, ул. Сатпаева, 90",
            iin_or_bin=APPLICANT_BIN,
            phone="+7 (727) 300-00-00",
            email="office@example.kz",
        ),
        applicant_name="ТОО «Мониторинг»",
        applicant_kind=ApplicantKind.LEGAL_ENTITY,
        platform_name="Sweep Ledger",
        purpose="Выпуск ОЦА",
        activity_addresses=(
            ActivityAddress(postal_code="050000", city="Алматы", street="Сатпаева", building="90"),
        ),
        attachments=(
            Attachment(
                AttachmentKind.CONTRACTING_CONTRACT,
                "contract.pdf",
                "application/pdf",
                1000,
                "a" * 64,
                valid_until=date(2028, 1, 1),
            ),
            Attachment(
                AttachmentKind.GUARANTEE_LETTER, "letter.pdf", "application/pdf", 500, "b" * 64
            ),
        ),
        truthfulness_confirmed=True,
        consents_to_protected_secrets_use=True,
        consents_to_personal_data_access=True,
    )


@pytest.fixture(scope="session")
def calendar() -> WorkingCalendar:
    return kazakhstan_calendar()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(almaty("2026-03-20T19:00"))


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
        uow.applications.add(StoredApplication(application, {}, b"cms", 1), [])
        uow.applications.record_events(application.pull_events(), None)
        uow.commit()
    return application


@pytest.fixture
def submit(migrated: Engine, calendar: WorkingCalendar) -> Submit:
    """Store an application received at an Almaty moment in the test database."""
    return lambda number, received: store(migrated, calendar, number, received)
