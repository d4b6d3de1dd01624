"""App.1 §10 items 3-4 judged when the permit is drafted and signed, not only as of filing: the
service asks the court records again, keeps every answer (the §4 history), and a ban that came
into force after filing blocks the permit until the examiner records why it does not apply."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, b64, trust_dir
from tests.support.provider import TEST_PROVIDER

from kepil.adapters.egov import local
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.domain.permits.app2 import app2_statements
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

from .conftest import _position
from .portal import OFFICIALS, Portal, form_json

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD
# In force two days after the application is filed (2026-04-06).
LATE_BAN = {
    "subject": APPLICANT_BIN,
    "restriction": "activity_ban",
    "court": "ТЕСТ Специализированный межрайонный экономический суд г. Астаны",
    "case_number": "TEST-LATE",
    "in_force_from": "2026-04-08",
    "in_force_until": None,
}


@pytest.fixture
def late(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """State systems that report no ban at filing and one from 2026-04-08 on."""
    sample = json.loads((Path(local.__file__).parent / "sample_registry.json").read_text("utf-8"))
    sample["court_decisions"].append(LATE_BAN)
    egov = tmp_path / "egov.json"
    egov.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        trust_dir=trust_dir(tmp_path / "trust"),
        egov_data=egov,
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    clock = MovableClock("2026-03-20T10:00")
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, _position(role), "test"))
    with TestClient(create_app(container)) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for person in (found.applicant, *officials.values()):
            found.login(person)
        yield found


def _under_review(portal: Portal) -> str:
    portal.at("2026-04-06T10:00")
    statements = app2_statements("ru", TEST_PROVIDER["provider_name_ru_genitive"])
    filed = portal.submit(form_json(statements=statements))
    assert filed.status_code == 201, filed.text
    number = str(filed.json()["number"])
    assert portal.decide(CLERK, number, "register").status_code == 200
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    return number


def _draft(portal: Portal, number: str) -> tuple[int, bytes]:
    response = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=portal.officials[HEAD].headers,
    )
    if response.status_code != 200:
        return response.status_code, response.content
    return 200, base64.b64decode(response.json()["content_b64"])


def _sign(portal: Portal, number: str, content: bytes) -> Any:
    head = portal.officials[HEAD]
    return portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": b64(portal.sign(head, content))},
        headers=head.headers,
    )


def _facts(portal: Portal, number: str) -> dict[str, Any]:
    facts = portal.application(number, portal.officials[EXAMINER])["state_facts"]
    assert isinstance(facts, dict)
    return facts


def test_a_ban_in_force_after_filing_blocks_the_draft_until_the_examiner_records_why(
    late: Portal,
) -> None:
    number = _under_review(late)
    assert _facts(late, number)["suggested_grounds"] == []
    late.at("2026-04-08T10:00")
    status, refused = _draft(late, number)
    assert status == 409, refused
    assert b"ground(s) 3" in refused
    facts = _facts(late, number)
    assert facts["suggested_grounds"] == [3]
    assert [(c["stage"], c["checked_on"], c["grounds"]) for c in facts["court_checks"]] == [
        ("filing", "2026-04-06", []),
        ("permit_draft", "2026-04-08", [3]),
    ]
    assert facts["court_checks"][1]["court_decisions"][0]["case_number"] == "TEST-LATE"
    assert facts["court_checks"][1]["subject"] == APPLICANT_BIN
    cleared = late.decide(
        EXAMINER, number, "clear_reported_ground", ground=3, reason="Иной вид деятельности."
    )
    assert cleared.status_code == 200, cleared.text
    status, content = _draft(late, number)
    assert status == 200, content
    assert json.loads(content)["ground_clearances"][0]["reason"] == "Иной вид деятельности."
    issued = _sign(late, number, content)
    assert issued.status_code == 200, issued.text
    stages = [c["stage"] for c in _facts(late, number)["court_checks"]]
    assert stages == ["filing", "permit_draft", "permit_signing"]


def test_a_ban_in_force_by_the_head_s_signing_refuses_the_permit_and_is_kept_for_the_examiner(
    late: Portal,
) -> None:
    number = _under_review(late)
    late.at("2026-04-07T17:00")
    status, content = _draft(late, number)
    assert status == 200, content
    late.at("2026-04-08T09:00")
    refused = _sign(late, number, content)
    assert refused.status_code == 409, refused.text
    assert "ground(s) 3" in refused.text
    case = late.application(number, late.officials[EXAMINER])
    assert case["status"] == "under_review"
    assert case["documents"] == []
    facts = case["state_facts"]
    assert facts["suggested_grounds"] == [3]
    assert [c["stage"] for c in facts["court_checks"]] == [
        "filing",
        "permit_draft",
        "permit_signing",
    ]


def test_without_any_ban_the_permit_is_issued_with_every_answer_on_record(
    portal: Portal,
) -> None:
    portal.at("2026-04-06T10:00")
    filed = portal.submit()
    assert filed.status_code == 201, filed.text
    number = str(filed.json()["number"])
    assert portal.decide(CLERK, number, "register").status_code == 200
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    issued = portal.sign_document(number, "permit")
    assert issued.status_code == 200, issued.text
    facts = portal.application(number, portal.officials[EXAMINER])["state_facts"]
    assert [(c["stage"], c["grounds"]) for c in facts["court_checks"]] == [
        ("filing", []),
        ("permit_draft", []),
        ("permit_signing", []),
    ]
    assert facts["suggested_grounds"] == []
