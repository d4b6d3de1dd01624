"""A complaints desk for tests: the real app on a real database, people with TEST PKI keys."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from kepil.bootstrap import Container
from kepil.domain.calendar import ALMATY
from kepil.domain.canonical import canonical_bytes
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
from kepil.services.permits.ports import StoredApplication
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

PKI_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
APPLICANT_BIN = "120440056787"
MINISTRY_BIN = "210240044100"


def almaty(text: str) -> datetime:
    """An Almaty wall-clock moment."""
    return datetime.fromisoformat(text).replace(tzinfo=ALMATY)


@dataclass
class MovableClock:
    """The service's clock; tests move it, never sleep."""

    moment: datetime = field(default_factory=lambda: almaty("2026-03-20T10:00"))

    def now(self) -> datetime:
        return self.moment


@dataclass
class Person:
    """Someone with an authentication key, a signing key and, once signed in, a session."""

    iin: str
    name: str
    auth: SignerCredential
    sign: SignerCredential
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_person(pki: DevPki, profile: Profile, iin: str, name: str, bin_: str | None) -> Person:
    """A holder of both NCA keys, as every citizen and official has."""
    organization = None if bin_ is None else "ТОО «Тест»"
    keys = {
        usage: pki.issue(
            Holder(profile, iin=iin, name=name, bin=bin_, organization=organization, usage=usage),
            PKI_EPOCH,
            days=3 * 365,
        )
        for usage in (KeyKind.AUTH, KeyKind.SIGN)
    }
    return Person(iin, name, keys[KeyKind.AUTH], keys[KeyKind.SIGN])


def application_form() -> ApplicationForm:
    """A complete Appendix 2 form of the test applicant."""
    return ApplicationForm(
        requisites=ApplicantRequisites(
            address="г. Астана, пр. Мангилик Ел, 55/20",
            iin_or_bin=APPLICANT_BIN,
            phone="+7 701 123 45 67",
            email="office@test.kz",
        ),
        applicant_name="ТОО «Тест»",
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
    )


@dataclass
class Desk:
    """Drives the complaints and rule-change API as applicants and officials would."""

    client: TestClient
    container: Container
    clock: MovableClock
    people: dict[str, Person]

    def login(self, person: Person) -> None:
        nonce = self.client.post("/api/v1/auth/challenge").json()["nonce"]
        cms = sign_cms(nonce.encode(), [person.auth], signing_time=self.clock.now())
        response = self.client.post(
            "/api/v1/auth/login", json={"cms": base64.b64encode(cms).decode()}
        )
        assert response.status_code == 200, response.text
        person.token = response.json()["token"]

    def move_to(self, moment: str) -> None:
        """Set the clock to an Almaty moment; sessions are short, so everyone signs in again."""
        self.clock.moment = almaty(moment)
        for person in self.people.values():
            self.login(person)

    def signed(self, person: Person, document: dict[str, Any]) -> dict[str, str]:
        """The request body carrying the person's CMS over the canonical JSON."""
        at = self.clock.now() - timedelta(seconds=1)
        cms = sign_cms(canonical_bytes(document), [person.sign], signing_time=at)
        return {"cms": base64.b64encode(cms).decode()}

    def store_application(self, number: str = "APP-2026-000001") -> str:
        """An application of the test applicant, submitted now, straight into the database."""
        applicant = self.people["applicant"]
        actor = Actor(PermitRole.APPLICANT, applicant.name, applicant.iin, bin=APPLICANT_BIN)
        application = Application.submit(
            number, application_form(), actor, self.clock.now(), self.container.calendar
        )
        with self.container.uow() as uow:
            uow.applications.add(StoredApplication(application, {}, b"test form", 1), [])
            uow.commit()
        return number

    def file(self, person: Person | None = None, **changes: Any) -> Any:
        """File a complaint signed by the applicant (or `person`) about the stored application."""
        person = person or self.people["applicant"]
        complaint = {
            "application_number": "APP-2026-000001",
            "subject": "inaction",
            "filed_with": "provider",
            "target": "Заявление не рассмотрено в срок",
            "text": "Прошу рассмотреть заявление и выдать разрешение.",
            **changes,
        }
        return self.client.post(
            "/api/v1/complaints", json=self.signed(person, complaint), headers=person.headers
        )

    def decide(self, who: str, number: str, action: str, decision: str = "") -> Any:
        """A signed step on a complaint by the named person."""
        person = self.people[who]
        body = {"complaint_number": number, "action": action, "decision": decision}
        return self.client.post(
            f"/api/v1/complaints/{number}/decisions",
            json=self.signed(person, body),
            headers=person.headers,
        )
