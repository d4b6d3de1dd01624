"""A test portal: the real app on a real database, people with TEST PKI keys, a movable clock."""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, b64, sign_bytes, sign_in

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole, Provider
from kepil.domain.permits.app2 import app2_statements

OFFICIALS = {
    PermitRole.CLERK: ("850315400124", "КАНЦЕЛЯРОВА АЙГУЛЬ"),
    PermitRole.EXAMINER: ("781102303459", "ЭКСПЕРТОВ АРМАН"),
    PermitRole.HEAD: ("900101300136", "РУКОВОДИТЕЛЕВ ЕРЛАН"),
}
PDF = b"%PDF-1.7\n% test contract\n" + b"x" * 2000
LETTER = b"%PDF-1.7\n% guarantee letter: 5 nodes, Raft\n"


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
        # App.2's words as the Russian page shows them, addressed to the default state body.
        "language": "ru",
        "statements": app2_statements("ru", Provider().genitive["ru"]),
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
        return sign_bytes(person.sign, data, self.clock.now() - timedelta(seconds=1))

    def login(self, person: Person) -> None:
        person.token = sign_in(self.client, person.auth, self.clock.now())

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
            json={"cms": b64(cms)},
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
            json={"cms": b64(cms)},
            headers=person.headers,
        )

    def application(self, number: str, person: Person | None = None) -> dict[str, Any]:
        person = person or self.applicant
        response = self.client.get(f"/api/v1/applications/{number}", headers=person.headers)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def at(self, text: str) -> None:
        """Move the clock; sessions are short, so everyone signs in again."""
        self.clock.set(text)
        for person in (self.applicant, *self.officials.values()):
            self.login(person)


def day(text: str) -> date:
    return date.fromisoformat(text)


def body(response: Response) -> dict[str, Any]:
    return dict(json.loads(response.text))
