"""Applications to store before a test begins: a complete form, a submitted or a restored case."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from tests.support.identities import (
    APPLICANT_BIN,
    APPLICANT_IIN,
    APPLICANT_NAME,
    APPLICANT_ORGANIZATION,
)

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    ActivityAddress,
    Actor,
    ApplicantKind,
    ApplicantRequisites,
    Application,
    ApplicationForm,
    ApplicationStatus,
    Attachment,
    AttachmentKind,
    PermitRole,
    Stage,
    StageBook,
    StageDeadline,
)
from kepil.domain.permits.app2 import app2_statements
from kepil.domain.permits.deadlines import ServiceSchedule
from kepil.domain.permits.documents import Provider
from kepil.services.permits.ports import StoredApplication


def application_form(applicant_bin: str = APPLICANT_BIN) -> ApplicationForm:
    """A complete Appendix 2 form of a legal entity, both documents listed, every consent given."""
    return ApplicationForm(
        requisites=ApplicantRequisites(
            address="г. Астана, пр. Мангилик Ел, 55/20",
            iin_or_bin=applicant_bin,
            phone="+7 701 123 45 67",
            email="office@test.kz",
        ),
        applicant_name=APPLICANT_ORGANIZATION,
        applicant_kind=ApplicantKind.LEGAL_ENTITY,
        platform_name="Kepil Grain Ledger",
        purpose="Выпуск и обращение ОЦА, удостоверяющих права на зерно",
        activity_addresses=(
            ActivityAddress(
                postal_code="010000", region="", city="Астана", street="Абая", building="1"
            ),
        ),
        attachments=(
            Attachment(
                AttachmentKind.CONTRACTING_CONTRACT,
                "contract.pdf",
                "application/pdf",
                1000,
                "1" * 64,
                valid_until=date(2027, 12, 31),
            ),
            Attachment(
                AttachmentKind.GUARANTEE_LETTER, "letter.pdf", "application/pdf", 500, "2" * 64
            ),
        ),
        truthfulness_confirmed=True,
        consents_to_protected_secrets_use=True,
        consents_to_personal_data_access=True,
        # App.2's words as the Russian page shows them, addressed to the default state body.
        language="ru",
        statements=tuple(app2_statements("ru", Provider().genitive["ru"]).items()),
    )


def director(applicant_bin: str = APPLICANT_BIN, iin: str = APPLICANT_IIN) -> Actor:
    """The applicant's director, who signs for it."""
    return Actor(PermitRole.APPLICANT, APPLICANT_NAME, iin, bin=applicant_bin)


def submitted(
    number: str, received_at: datetime, calendar: WorkingCalendar, applicant: Actor | None = None
) -> Application:
    """An application submitted at the moment by the director (or `applicant`), events pending."""
    actor = applicant or director()
    form = application_form(actor.bin or actor.iin)
    return Application.submit(number, form, actor, received_at, calendar)


def standing(
    number: str,
    received_at: datetime,
    calendar: WorkingCalendar,
    *,
    status: ApplicationStatus = ApplicationStatus.SUBMITTED,
    open_stages: Iterable[tuple[Stage, datetime]] = (),
    applicant_bin: str = APPLICANT_BIN,
) -> Application:
    """An application as a repository would restore it: in `status`, these stages open."""
    return Application.restore(
        number,
        application_form(applicant_bin),
        ServiceSchedule.compute(calendar, received_at),
        calendar,
        status=status,
        deadlines=StageBook(StageDeadline(stage, due) for stage, due in open_stages),
        preliminary_reasons=None,
        hearing_at=None,
        last_event_at=received_at,
    )


def stored(application: Application, version: int = 1) -> StoredApplication:
    """The application as the submission handler stores it, without state facts."""
    return StoredApplication(application, {}, b"test form", version)
