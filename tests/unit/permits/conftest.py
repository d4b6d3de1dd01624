"""Shared material for the permit domain tests: a valid form, officials, Almaty moments."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime

import pytest
from tests.support.clock import almaty

from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
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

APPLICANT_BIN = "150640123452"  # a resident legal entity, head office
APPLICANT_IIN = "850314312344"  # the director who signs for it
OTHER_IIN = "900101400428"


def _sha(n: int) -> str:
    return f"{n:064x}"


def valid_form() -> ApplicationForm:
    """A complete Appendix 2 form with every consent given."""
    return ApplicationForm(
        requisites=ApplicantRequisites(
            address="г. Астана, пр. Мангилик Ел, 55/20",
            iin_or_bin=APPLICANT_BIN,
            phone="+7 (701) 123-45-67",
            email="office@kepil.kz",
        ),
        applicant_name="ТОО «Кепіл Платформа»",
        applicant_kind=ApplicantKind.LEGAL_ENTITY,
        platform_name="Kepil Ledger",
        purpose="Выпуск и обращение ОЦА, удостоверяющих права на зерно",
        activity_addresses=(
            ActivityAddress(
                postal_code="010000",
                region="",
                city="Астана",
                district="Есильский",
                street="пр. Мангилик Ел",
                building="55/20",
            ),
        ),
        attachments=(
            Attachment(
                AttachmentKind.CONTRACTING_CONTRACT,
                "contract.pdf",
                "application/pdf",
                120_000,
                _sha(1),
                valid_until=date(2027, 12, 31),
            ),
            Attachment(
                AttachmentKind.GUARANTEE_LETTER, "letter.pdf", "application/pdf", 40_000, _sha(2)
            ),
        ),
        truthfulness_confirmed=True,
        consents_to_protected_secrets_use=True,
        consents_to_personal_data_access=True,
    )


@pytest.fixture(scope="session")
def cal() -> WorkingCalendar:
    return kazakhstan_calendar()


@pytest.fixture
def form() -> ApplicationForm:
    return valid_form()


@pytest.fixture
def make_form() -> Callable[..., ApplicationForm]:
    def make(**changes: object) -> ApplicationForm:
        return replace(valid_form(), **changes)  # type: ignore[arg-type]

    return make


@pytest.fixture
def at() -> Callable[[str], datetime]:
    return almaty


@pytest.fixture
def applicant() -> Actor:
    return Actor(PermitRole.APPLICANT, "Сейткали А.", APPLICANT_IIN, bin=APPLICANT_BIN)


@pytest.fixture
def stranger() -> Actor:
    return Actor(PermitRole.APPLICANT, "Посторонний", OTHER_IIN)


@pytest.fixture
def clerk() -> Actor:
    return Actor(PermitRole.CLERK, "Канцелярия", "900101400428")


@pytest.fixture
def examiner() -> Actor:
    return Actor(PermitRole.EXAMINER, "Исполнитель", "900101400428")


@pytest.fixture
def head() -> Actor:
    return Actor(PermitRole.HEAD, "Иванов И.И.", "850314312344", position="Вице-министр")


@pytest.fixture
def reviewer() -> Actor:
    return Actor(PermitRole.COMPLAINT_REVIEWER, "Агентство", "900101400428")


@pytest.fixture
def submitted(
    form: ApplicationForm, applicant: Actor, cal: WorkingCalendar
) -> Callable[..., Application]:
    """Submit the valid form (or another) at an Almaty moment."""

    def submit(
        when: str = "2026-04-13T10:00", the_form: ApplicationForm | None = None
    ) -> Application:
        return Application.submit("A-1", the_form or form, applicant, almaty(when), cal)

    return submit
