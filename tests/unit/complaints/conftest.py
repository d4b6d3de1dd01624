"""Fakes for the complaint handlers: a unit of work in memory, a verifier of fake signatures."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from kepil.domain.auth import Principal
from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.monitoring import GENESIS_HASH, ChainedEntry, StageRecord, chain
from kepil.domain.permits import (
    ActivityAddress,
    Actor,
    ApplicantKind,
    ApplicantRequisites,
    Application,
    ApplicationForm,
    Attachment,
    AttachmentKind,
    PermitRole,
)
from kepil.services.errors import SignatureRefusedError
from kepil.services.permits.complaint_ports import (
    ComplaintRecord,
    ComplaintSummary,
    StoredComplaint,
)
from kepil.services.permits.context import PermitContext
from kepil.services.permits.ports import (
    Notification,
    SignedContent,
    StaffMember,
    StoredApplication,
)
from kepil.services.unit_of_work import UnitOfWork

BIN = "120440056787"
CALENDAR = kazakhstan_calendar()

GRANTED = datetime(2026, 1, 5, tzinfo=UTC)


def principal(iin: str, bin_: str | None = None) -> Principal:
    """A verified person."""
    return Principal(iin, bin_, f"Person {iin}", None, None, "01", "CN=fake CA")


class FakeVerifier:
    """A 'CMS' here is JSON {signer, bin, content}; anything else is refused."""

    def verify(self, cms: bytes, at: datetime) -> SignedContent:
        try:
            wrapper = json.loads(cms)
        except json.JSONDecodeError:
            raise SignatureRefusedError("invalid_signature", "not a fake CMS") from None
        signer = principal(wrapper["signer"], wrapper.get("bin"))
        return SignedContent(signer, json.dumps(wrapper["content"]).encode())


def fake_cms(signer: Principal, content: dict[str, Any]) -> bytes:
    """What FakeVerifier accepts as signed by `signer`."""
    return json.dumps({"signer": signer.iin, "bin": signer.bin, "content": content}).encode()


class FakeComplaints:
    def __init__(self) -> None:
        self.rows: dict[str, StoredComplaint] = {}
        self.lines: dict[str, list[ComplaintRecord]] = {}

    def add(self, stored: StoredComplaint) -> None:
        self.rows[stored.complaint.number] = stored

    def get(self, number: str) -> StoredComplaint | None:
        return self.rows.get(number)

    def find_by_signature(self, sha256: str) -> str | None:
        return next(
            (
                n
                for n, s in self.rows.items()
                if hashlib.sha256(s.signed_complaint).hexdigest() == sha256
            ),
            None,
        )

    def save(self, stored: StoredComplaint, expected_version: int) -> int:
        self.rows[stored.complaint.number] = replace(stored, version=expected_version + 1)
        return expected_version + 1

    def record(
        self, number: str, records: Sequence[ComplaintRecord], signature: bytes | None
    ) -> None:
        self.lines.setdefault(number, []).extend(records)

    def history(self, number: str) -> list[ComplaintRecord]:
        return list(self.lines.get(number, []))

    def summaries(
        self, *, complainant: str | None, status: str | None, limit: int, offset: int
    ) -> tuple[list[ComplaintSummary], int]:
        raise NotImplementedError


class FakeApplications:
    def __init__(self) -> None:
        self.rows: dict[str, StoredApplication] = {}

    def get(self, number: str) -> StoredApplication | None:
        return self.rows.get(number)


class FakeNumbers:
    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, name: str) -> int:
        self.values[name] = self.values.get(name, 0) + 1
        return self.values[name]


@dataclass
class FakeStageLog:
    entries: list[ChainedEntry] = field(default_factory=list)

    def append(self, record: StageRecord) -> ChainedEntry:
        previous = self.entries[-1].hash if self.entries else GENESIS_HASH
        entry = chain(len(self.entries) + 1, record, previous)
        self.entries.append(entry)
        return entry


class FakeStaff:
    def __init__(self, duties: dict[str, PermitRole]) -> None:
        self.duties = duties

    def roles_of(self, iin: str) -> list[StaffMember]:
        role = self.duties.get(iin)
        if role is None:
            return []
        return [StaffMember(iin, role, "Official", "", GRANTED, "test")]


class FakeNotifications:
    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def add(self, notification: Notification) -> None:
        self.sent.append(notification)


class FakeUnitOfWork(UnitOfWork):
    """Holds state across transactions; counts commits."""

    def __init__(self, duties: dict[str, PermitRole]) -> None:
        self.complaints = FakeComplaints()  # type: ignore[assignment]
        self.applications: FakeApplications = FakeApplications()  # type: ignore[assignment]
        self.numbers = FakeNumbers()
        self.stage_log = FakeStageLog()  # type: ignore[assignment]
        self.staff = FakeStaff(duties)  # type: ignore[assignment]
        self.notifications = FakeNotifications()  # type: ignore[assignment]
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass


@dataclass
class FixedClock:
    moment: datetime

    def now(self) -> datetime:
        return self.moment


def _form() -> ApplicationForm:
    return ApplicationForm(
        requisites=ApplicantRequisites("г. Астана, ул. Абая, 1", BIN, "+7 701 000 00 00", "a@b.kz"),
        applicant_name="ТОО «Тест»",
        applicant_kind=ApplicantKind.LEGAL_ENTITY,
        platform_name="Ledger",
        purpose="ОЦА на зерно",
        activity_addresses=(
            ActivityAddress(
                postal_code="010000", region="", city="Астана", street="Абая", building="1"
            ),
        ),
        attachments=(
            Attachment(
                AttachmentKind.CONTRACTING_CONTRACT,
                "c.pdf",
                "application/pdf",
                10,
                "1" * 64,
                valid_until=date(2027, 1, 1),
            ),
            Attachment(AttachmentKind.GUARANTEE_LETTER, "l.pdf", "application/pdf", 10, "2" * 64),
        ),
        truthfulness_confirmed=True,
        consents_to_protected_secrets_use=True,
        consents_to_personal_data_access=True,
    )


@pytest.fixture
def people() -> dict[str, Principal]:
    """The applicant's director, three officials and a stranger."""
    return {
        "applicant": principal("900101300126", BIN),
        "clerk": principal("850315400124"),
        "examiner": principal("781102303459"),
        "head": principal("900101300136"),
        "stranger": principal("800502312347"),
    }


@pytest.fixture
def uow(people: dict[str, Principal]) -> FakeUnitOfWork:
    """Officials with their duties and one application of the applicant, filed 1 April 2026."""
    unit = FakeUnitOfWork({people[r].iin: PermitRole(r) for r in ("clerk", "examiner", "head")})
    applicant = people["applicant"]
    actor = Actor(PermitRole.APPLICANT, applicant.name, applicant.iin, bin=BIN)
    moment = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
    application = Application.submit("APP-2026-000001", _form(), actor, moment, CALENDAR)
    unit.applications.rows[application.number] = StoredApplication(application, {}, b"", 1)
    return unit


@pytest.fixture
def context() -> PermitContext:
    """Monday 13 April 2026, 10:00 in Almaty."""
    clock = FixedClock(datetime(2026, 4, 13, 10, 0, tzinfo=ALMATY))
    return PermitContext(clock, CALENDAR, FakeVerifier(), egov=None)  # type: ignore[arg-type]


@pytest.fixture
def sign() -> Any:
    """Make a fake CMS: `sign(principal, content)`."""
    return fake_cms
