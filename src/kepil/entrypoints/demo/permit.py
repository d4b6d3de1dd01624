"""Act 2: the permit procedure over HTTP with real CMS signatures, the positive path.

The applicant's director signs in and files the EDS-signed Appendix 2 form with its two
files; the clerk registers it (the completeness check passes), the examiner starts the review,
the head signs the permit. Everyone signs with the run's TEST PKI keys.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import Provider
from kepil.domain.permits.app2 import app2_statements
from kepil.entrypoints.demo.people import (
    APPLICANT_BIN,
    APPLICANT_ORGANIZATION,
    Cast,
    Person,
)
from kepil.entrypoints.demo.service import ServiceClient, ServiceError

PLATFORM_NAME: Final = "Kepil Demo Grain Ledger"
CONTRACT: Final = b"%PDF-1.7\n% kepil demo: TEST contracting contract\n" + b"x" * 2000
LETTER: Final = b"%PDF-1.7\n% kepil demo: TEST guarantee letter: 5 nodes, Raft\n"


@dataclass(frozen=True)
class IssuedPermit:
    """What the procedure produced: the numbers and the permit as the head signed it."""

    application_number: str
    permit_number: str
    registry_number: str
    cms: bytes  # the head's attached CMS over the permit's canonical JSON
    document: dict[str, Any]


def signing_moment() -> datetime:
    """A signing time just behind the server's clock, as a signer's workstation states it."""
    return datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1)


def sign_in(client: ServiceClient, person: Person) -> str:
    """Sign the server's challenge with the authentication key; the session's token."""
    nonce = client.expect(client.post_json("/api/v1/auth/challenge"), 201, "challenge")["nonce"]
    cms = person.authenticated(str(nonce).encode(), signing_moment())
    answer = client.post_json("/api/v1/auth/login", {"cms": _b64(cms)})
    person.token = str(client.expect(answer, 200, f"sign-in of {person.name}")["token"])
    return person.token


def application_form(today: date) -> dict[str, Any]:
    """The Appendix 2 form of the TEST applicant, listing the two files it uploads."""
    return {
        "schema": "kepil/app2-form/v1",
        "requisites": {
            "address": "г. Астана, пр. Мангилик Ел, 55/20",
            "iin_or_bin": APPLICANT_BIN,
            "phone": "+7 701 123 45 67",
            "email": "office@test.kz",
        },
        "applicant_name": APPLICANT_ORGANIZATION,
        "applicant_kind": "legal_entity",
        "platform_name": PLATFORM_NAME,
        "purpose": "Выпуск и обращение ОЦА, удостоверяющих права на зерно (TEST)",
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
            # The contract must be in force for the review: two years from today.
            _attachment("contracting_contract", "contract.pdf", CONTRACT, today + timedelta(730)),
            _attachment("guarantee_letter", "letter.pdf", LETTER, None),
        ],
        "truthfulness_confirmed": True,
        "consents_to_protected_secrets_use": True,
        "consents_to_personal_data_access": True,
        "language": "ru",
        "statements": app2_statements("ru", Provider().genitive["ru"]),
    }


def file_application(client: ServiceClient, applicant: Person) -> str:
    """The applicant files the signed form and its files; the application's number."""
    form = application_form(datetime.now(UTC).date())
    cms = applicant.signed(canonical_bytes(form), signing_moment())
    parts = [
        ("signed_form", "form.p7s", cms, "application/pkcs7-mime"),
        ("files", "contract.pdf", CONTRACT, "application/pdf"),
        ("files", "letter.pdf", LETTER, "application/pdf"),
    ]
    answer = client.post_multipart(
        "/api/v1/applications",
        parts,
        applicant.token,
        **{"Idempotency-Key": f"demo-{secrets.token_hex(8)}"},
    )
    return str(client.expect(answer, 201, "filing the application")["number"])


def decide(client: ServiceClient, official: Person, number: str, action: str) -> str:
    """An official's signed decision on application `number`; the status it leads to."""
    body = {"action": action, "application_number": number}
    cms = official.signed(canonical_bytes(body), signing_moment())
    answer = client.post_json(
        f"/api/v1/applications/{number}/decisions", {"cms": _b64(cms)}, official.token
    )
    return str(client.expect(answer, 200, f"{action} of {number}").get("status", ""))


def sign_permit(client: ServiceClient, head: Person, number: str) -> str:
    """The head asks for the permit's draft, signs exactly its bytes; the permit's number."""
    draft = client.post_json(
        f"/api/v1/applications/{number}/drafts", {"document_type": "permit"}, head.token
    )
    content = base64.b64decode(client.expect(draft, 200, "the permit's draft")["content_b64"])
    cms = head.signed(content, signing_moment())
    answer = client.post_json(
        f"/api/v1/applications/{number}/decisions", {"cms": _b64(cms)}, head.token
    )
    return str(client.expect(answer, 200, "signing the permit")["document_number"])


def status_of(client: ServiceClient, person: Person, number: str) -> str:
    """The application's status as `person` sees it."""
    answer = client.get(f"/api/v1/applications/{number}", person.token)
    return str(client.expect(answer, 200, f"application {number}")["status"])


def fetch_permit(client: ServiceClient, cast: Cast, application: str, permit: str) -> IssuedPermit:
    """The permit as its recipient receives it (content and CMS), and its registry entry."""
    answer = client.get(f"/api/v1/documents/{permit}", cast.applicant.token)
    found = client.expect(answer, 200, f"document {permit}")
    cms = base64.b64decode(found["signature_b64"])
    page = client.get(f"/api/v1/registry?iin_bin={APPLICANT_BIN}&limit=100")
    items = client.expect(page, 200, "the registry")["items"]
    numbers = [i["registry_number"] for i in items if i["permit_number"] == permit]
    if not numbers:
        raise ServiceError(f"permit {permit} is not in the state registry")
    return IssuedPermit(application, permit, str(numbers[0]), cms, dict(found["document"]))


def _attachment(kind: str, name: str, content: bytes, until: date | None) -> dict[str, Any]:
    return {
        "kind": kind,
        "file_name": name,
        "media_type": "application/pdf",
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
        "valid_until": None if until is None else until.isoformat(),
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
