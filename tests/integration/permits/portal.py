"""A test portal: the real app on a real database, people with TEST PKI keys, a movable clock."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response

from kepil.domain.calendar import ALMATY
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

PKI_EPOCH = datetime(2025, 6, 1, tzinfo=UTC)
APPLICANT_BIN = "120440056787"  # ТОО «Тест» in the local e-gov sample
APPLICANT_IIN = "900101300126"
MINISTRY_BIN = "210240044100"
OFFICIALS = {
    PermitRole.CLERK: ("850315400124", "КАНЦЕЛЯРОВА АЙГУЛЬ"),
    PermitRole.EXAMINER: ("781102303459", "ЭКСПЕРТОВ АРМАН"),
    PermitRole.HEAD: ("900101300136", "РУКОВОДИТЕЛЕВ ЕРЛАН"),
}
PDF = b"%PDF-1.7\n% test contract\n" + b"x" * 2000
LETTER = b"%PDF-1.7\n% guarantee letter: 5 nodes, Raft\n"


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
    """Someone with an authentication and a signing key, and a session once signed in."""

    auth: SignerCredential
    sign: SignerCredential
    iin: str
    token: str = ""

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_person(pki: DevPki, profile: Profile, iin: str, name: str, bin_: str | None) -> Person:
    keys = {}
    for usage in (KeyKind.AUTH, KeyKind.SIGN):
        holder = Holder(
            profile,
            iin=iin,
            name=name,
            bin=bin_,
            organization="ТОО «Тест»" if bin_ == APPLICANT_BIN else "МЦРИАП РК",
            usage=usage,
        )
        keys[usage] = pki.issue(holder, PKI_EPOCH, days=3 * 365)
    return Person(keys[KeyKind.AUTH], keys[KeyKind.SIGN], iin)


def form_json(**changes: Any) -> dict[str, Any]:
    """An Appendix 2 form of ТОО «Тест» listing the two files it uploads."""
    form: dict[str, Any] = {
        "schema": "kepil/app2-form/v1",
        "requisites": {
            "address": "г. Астана, пр. Мангилик Ел, 55/20",
            "iin_or_bin": APPLICANT_BIN,
            "phone": "+7 701 123 45 67",
            "email": "office@test.kz",
        },
        "applicant_name": "ТОО «Тест»",
        "applicant_kind": "legal_entity",
        "platform_name": "Kepil Grain Ledger",
        "purpose": "Выпуск и обращение ОЦА, удостоверяющих права на зерно",
        "activity_addresses": [
            {
                "postal_code": "010000",
                "region": "",
                "city": "Астана",
                "district": "Есильский",
                "settlement": "",
                "street": "пр. Мангилик Ел",
                "building": "55/20",
            }
        ],
        "attachments": [
            _attachment("contracting_contract", "contract.pdf", PDF, "2027-12-31"),
            _attachment("guarantee_letter", "letter.pdf", LETTER, None),
        ],
        "truthfulness_confirmed": True,
        "consents_to_protected_secrets_use": True,
        "consents_to_personal_data_access": True,
    }
    form.update(changes)
    return form


def _attachment(kind: str, name: str, content: bytes, valid_until: str | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "file_name": name,
        "media_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "valid_until": valid_until,
    }


FILES = [("contract.pdf", PDF), ("letter.pdf", LETTER)]


@dataclass
class Portal:
    """Drives the API as applicants and officials would."""

    client: TestClient
    clock: MovableClock
    applicant: Person
    officials: dict[PermitRole, Person]
    keys: int = 0

    def sign(self, person: Person, data: bytes) -> bytes:
        return sign_cms(data, [person.sign], signing_time=self.clock.now() - timedelta(seconds=1))

    def login(self, person: Person) -> None:
        nonce = self.client.post("/api/v1/auth/challenge").json()["nonce"]
        cms = sign_cms(nonce.encode(), [person.auth], signing_time=self.clock.now())
        response = self.client.post(
            "/api/v1/auth/login", json={"cms": base64.b64encode(cms).decode()}
        )
        assert response.status_code == 200, response.text
        person.token = response.json()["token"]

    def submit(
        self,
        form: dict[str, Any] | None = None,
        files: list[tuple[str, bytes]] | None = None,
        key: str | None = None,
        signer: Person | None = None,
    ) -> Response:
        signer = signer or self.applicant
        self.keys += 1
        cms = self.sign(signer, canonical_bytes(form or form_json()))
        parts = [("signed_form", ("form.p7s", cms, "application/pkcs7-mime"))]
        parts += [
            ("files", (name, content, "application/pdf")) for name, content in (files or FILES)
        ]
        return self.client.post(
            "/api/v1/applications",
            files=parts,
            headers={**self.applicant.headers, "Idempotency-Key": key or f"k-{self.keys}"},
        )

    def decide(self, role: PermitRole, number: str, action: str, **params: Any) -> Response:
        person = self.officials[role] if role is not PermitRole.APPLICANT else self.applicant
        body = {"action": action, "application_number": number, **params}
        cms = self.sign(person, canonical_bytes(body))
        return self.client.post(
            f"/api/v1/applications/{number}/decisions",
            json={"cms": base64.b64encode(cms).decode()},
            headers=person.headers,
        )

    def sign_document(
        self, number: str, document_type: str, person: Person | None = None, **params: Any
    ) -> Response:
        person = person or self.officials[PermitRole.HEAD]
        draft = self.client.post(
            f"/api/v1/applications/{number}/drafts",
            json={"document_type": document_type, **params},
            headers=person.headers,
        )
        assert draft.status_code == 200, draft.text
        content = base64.b64decode(draft.json()["content_b64"])
        cms = self.sign(person, content)
        return self.client.post(
            f"/api/v1/applications/{number}/decisions",
            json={"cms": base64.b64encode(cms).decode()},
            headers=person.headers,
        )

    def application(self, number: str, person: Person | None = None) -> dict[str, Any]:
        person = person or self.applicant
        response = self.client.get(f"/api/v1/applications/{number}", headers=person.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def at(self, text: str) -> None:
        """Move the clock; sessions are short, so everyone signs in again."""
        self.clock.moment = almaty(text)
        for person in (self.applicant, *self.officials.values()):
            self.login(person)


def day(text: str) -> date:
    return date.fromisoformat(text)


def body(response: Response) -> dict[str, Any]:
    return dict(json.loads(response.text))
