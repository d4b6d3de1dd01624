"""Issue 20 over HTTP: App.2's words signed and checked, the state body's requisites on the
permit, and a reported court ban (App.1 §10 ground 3) that blocks the permit's draft until the
examiner records, signed, why it does not concern the activity."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, trust_dir
from tests.support.provider import TEST_PROVIDER

from kepil.adapters.egov import local
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole, Provider
from kepil.domain.permits.app2 import app2_statements
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

from .conftest import _position
from .portal import OFFICIALS, Portal, form_json

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD
BAN = {
    "subject": APPLICANT_BIN,
    "restriction": "activity_ban",
    "court": "ТЕСТ Специализированный межрайонный экономический суд г. Астаны",
    "case_number": "TEST-1",
    "in_force_from": "2025-01-01",
    "in_force_until": None,
}


def _egov_with_a_ban(path: Path) -> Path:
    sample = json.loads((Path(local.__file__).parent / "sample_registry.json").read_text("utf-8"))
    sample["court_decisions"].append(BAN)
    path.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def banned(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """A portal whose state systems report a court ban for the applicant, with the state body's
    requisites configured."""
    clock = MovableClock("2026-03-20T10:00")
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        trust_dir=trust_dir(tmp_path / "trust"),
        egov_data=_egov_with_a_ban(tmp_path / "egov.json"),
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, _position(role), "test"))
    with TestClient(create_app(container)) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        result = Portal(client, clock, people["applicant"], officials)
        for person in (result.applicant, *officials.values()):
            result.login(person)
        yield result


def _form() -> dict[str, object]:
    # The page would address the configured state body.
    return form_json(statements=app2_statements("ru", TEST_PROVIDER["provider_name_ru_genitive"]))


def _under_review(portal: Portal) -> str:
    portal.at("2026-04-06T10:00")
    filed = portal.submit(_form())
    assert filed.status_code == 201, filed.text
    number = str(filed.json()["number"])
    assert portal.decide(CLERK, number, "register").status_code == 200
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    return number


def _draft(portal: Portal, number: str) -> tuple[int, dict[str, object]]:
    response = portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=portal.officials[HEAD].headers,
    )
    if response.status_code != 200:
        return response.status_code, dict(response.json())
    return 200, dict(json.loads(base64.b64decode(response.json()["content_b64"])))


def test_a_permit_cannot_be_drafted_over_a_reported_court_ban_until_the_examiner_clears_it(
    banned: Portal,
) -> None:
    number = _under_review(banned)
    status, refused = _draft(banned, number)
    assert status == 409
    assert "ground(s) 3" in json.dumps(refused, ensure_ascii=False)
    cleared = banned.decide(
        EXAMINER,
        number,
        "clear_reported_ground",
        ground=3,
        reason="Запрет касается розничной торговли алкоголем, не выпуска ОЦА.",
    )
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["status"] == "under_review"
    status, draft = _draft(banned, number)
    assert status == 200, draft
    records = draft["ground_clearances"]
    assert isinstance(records, list)
    assert records[0]["ground"] == 3
    assert records[0]["reason"].startswith("Запрет касается розничной торговли")
    assert records[0]["examiner"]["iin"] == OFFICIALS[EXAMINER][0]
    issued = banned.sign_document(number, "permit")
    assert issued.status_code == 200, issued.text


def test_the_examiner_s_record_is_itself_a_signed_decision_kept_in_the_history(
    banned: Portal,
) -> None:
    number = _under_review(banned)
    unreported = banned.decide(EXAMINER, number, "clear_reported_ground", ground=4, reason="x")
    assert unreported.status_code == 409
    assert "no court decision for ground 4" in unreported.text
    by_head = banned.decide(HEAD, number, "clear_reported_ground", ground=3, reason="x")
    assert by_head.status_code == 403
    banned.decide(EXAMINER, number, "clear_reported_ground", ground=3, reason="Иной вид.")
    history = banned.application(number, banned.officials[EXAMINER])["history"]
    assert [h["kind"] for h in history][-1] == "reported_ground_cleared"


def test_the_issued_permit_carries_the_state_body_requisites_and_the_legal_basis(
    banned: Portal,
) -> None:
    number = _under_review(banned)
    banned.decide(EXAMINER, number, "clear_reported_ground", ground=3, reason="Иной вид.")
    _, draft = _draft(banned, number)
    provider = draft["provider"]
    assert isinstance(provider, dict)
    assert provider["bin"] == TEST_PROVIDER["provider_bin"]
    assert provider["name_ru"] == TEST_PROVIDER["provider_name_ru"]
    assert provider["configured"] is True
    assert provider["address"] == {
        "kk": TEST_PROVIDER["provider_address_kk"],
        "ru": TEST_PROVIDER["provider_address_ru"],
    }
    legal_basis = draft["legal_basis"]
    assert isinstance(legal_basis, dict)
    assert legal_basis["ru"].startswith("в соответствии со статьей 6 Закона")


def test_an_application_signed_with_an_altered_statement_is_refused_naming_it(
    portal: Portal,
) -> None:
    portal.at("2026-04-06T10:00")
    statements = app2_statements("ru", Provider().genitive["ru"])
    statements["consents_to_protected_secrets_use"] = "Согласен."
    refused = portal.submit(form_json(statements=statements))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "stale_statement"
    assert "consents_to_protected_secrets_use" in refused.json()["error"]["message"]
    assert "truthfulness_confirmed" not in refused.json()["error"]["message"]


def test_an_application_without_the_form_s_words_is_refused(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    form = form_json()
    del form["statements"], form["language"]
    refused = portal.submit(form)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["code"] == "stale_statement"


def test_an_application_in_kazakh_signs_the_kazakh_words(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    kazakh = app2_statements("kk", Provider().genitive["kk"])
    filed = portal.submit(form_json(language="kk", statements=kazakh))
    assert filed.status_code == 201, filed.text
    form = portal.application(str(filed.json()["number"]))["form"]
    assert form["language"] == "kk"
    assert form["statements"]["request"].startswith("«Қазақстан Республикасындағы цифрлық")
