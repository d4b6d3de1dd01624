"""Every moment in every answer is Almaty time with its offset, whatever the database returns."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from httpx2 import Response
from tests.integration.permits.portal import Portal
from tests.support.pki import b64

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD
MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
# Exactly the bytes that were signed or hashed: re-rendering a moment there would break them.
SIGNED_OR_HASHED = {"document", "record"}


def _moments(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key not in SIGNED_OR_HASHED:
                yield from _moments(item, f"{where}.{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _moments(item, f"{where}[{index}]")
    elif isinstance(value, str) and MOMENT.fullmatch(value):
        yield where, value


class _Answers:
    """Every JSON answer of the scenario, by what was asked."""

    def __init__(self, portal: Portal) -> None:
        self.portal = portal
        self.seen: dict[str, Any] = {}

    def keep(self, label: str, response: Response, status: int = 200) -> Any:
        assert response.status_code == status, f"{label}: {response.text}"
        self.seen[label] = response.json()
        return self.seen[label]

    def get(self, path: str, role: PermitRole | None = None) -> Any:
        person = self.portal.officials[role] if role else self.portal.applicant
        return self.keep(f"GET {path}", self.portal.client.get(path, headers=person.headers))

    def signed(self, path: str, role: PermitRole | None, act: dict[str, Any], status: int) -> Any:
        person = self.portal.officials[role] if role else self.portal.applicant
        cms = self.portal.sign(person, canonical_bytes(act))
        response = self.portal.client.post(path, json={"cms": b64(cms)}, headers=person.headers)
        return self.keep(f"POST {path}", response, status)


def _scenario(portal: Portal) -> dict[str, Any]:
    answers = _Answers(portal)
    client = portal.client
    answers.keep("challenge", client.post("/api/v1/auth/challenge"), 201)
    answers.get("/api/v1/auth/session")
    number = answers.keep("submit", portal.submit(), 201)["number"]
    answers.keep("register", portal.decide(CLERK, number, "register"))
    answers.keep("review", portal.decide(EXAMINER, number, "start_review"))
    document = answers.keep("permit", portal.sign_document(number, "permit"))["document_number"]
    answers.get(f"/api/v1/applications/{number}")
    answers.get("/api/v1/applications")
    answers.get(f"/api/v1/documents/{document}")
    answers.get("/api/v1/cabinet/notifications")
    listed = answers.get("/api/v1/registry")["items"][0]
    entry = listed["registry_number"]
    change = {
        "document_type": "permit_status_change",
        "registry_number": entry,
        "permit_number": listed["permit_number"],
        "action": "suspend",
        "reason": "проверка",
    }
    answers.signed(f"/api/v1/registry/{entry}/status", HEAD, change, 200)
    answers.get(f"/api/v1/registry/{entry}")
    complaint = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": "provider",
        "target": "Заявление рассмотрено не в срок",
        "text": "Прошу проверить сроки.",
    }
    filed = answers.signed("/api/v1/complaints", None, complaint, 201)["number"]
    step = {"complaint_number": filed, "action": "register", "decision": ""}
    answers.signed(f"/api/v1/complaints/{filed}/decisions", CLERK, step, 200)
    answers.get(f"/api/v1/complaints/{filed}")
    answers.get("/api/v1/complaints")
    version = {
        "identifier": "130/НҚ-2026-1",
        "adopted_on": "2026-03-19",
        "effective_on": "2026-05-01",
        "summary": "Срок уточнён",
    }
    recorded = client.post(
        "/api/v1/rule-changes", json=version, headers=portal.officials[HEAD].headers
    )
    change_id = answers.keep("rule change", recorded, 201)["id"]
    sent = f"/api/v1/rule-changes/{change_id}/tasks/unified_contact_centre/sent"
    answers.keep("sent", client.post(sent, headers=portal.officials[HEAD].headers))
    answers.get("/api/v1/rule-changes", HEAD)
    answers.get("/api/v1/monitoring/sla", HEAD)
    answers.get("/api/v1/monitoring/events", HEAD)
    return answers.seen


def test_every_moment_in_every_answer_is_almaty_time_with_its_offset(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    seen = _scenario(portal)
    moments = [(label, where, value) for label, body in seen.items()
               for where, value in _moments(body)]  # fmt: skip
    # The scenario reaches every kind of moment: the test cannot pass by finding none.
    assert len({label for label, _, _ in moments}) >= 15, json.dumps(seen)[:2000]
    # The same moment, not only the offset: everyone signed in at 10:00 in Almaty.
    assert seen["GET /api/v1/auth/session"]["created_at"] == "2026-04-06T10:00:00+05:00"
    elsewhere = [m for m in moments if not m[2].endswith("+05:00")]
    assert elsewhere == [], "\n".join(map(str, elsewhere))
