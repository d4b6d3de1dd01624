"""Issue 20 on the pages: the document page lays out the legal basis and the state body's
requisites (or says they are not configured); the examiner records on the desk why a reported
court ban does not concern the activity, and the head's permit draft shows the record. (The
filing page's App.2 words: test_filing_pages.)"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.permits.portal import OFFICIALS, Portal, form_json
from tests.integration.web.cabinet_portal import (
    EXAMINER,
    HEAD,
    issue_permit,
    open_portal,
    portal_people,
)
from tests.integration.web.test_desk_action_pages import (
    act,
    address,
    document_page,
    on_pages,
    under_review,
)
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, trust_dir
from tests.support.provider import TEST_PROVIDER
from tests.support.web import csrf, sign_in_on_pages

from kepil.adapters.egov import local
from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits.app2 import app2_statements
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


@pytest.fixture
def banned(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    """State systems that report a court ban for the applicant; the requisites configured."""
    sample = json.loads((Path(local.__file__).parent / "sample_registry.json").read_text("utf-8"))
    sample["court_decisions"].append(
        {
            "subject": APPLICANT_BIN,
            "restriction": "activity_ban",
            "court": "ТЕСТ суд",
            "case_number": "TEST-2",
            "in_force_from": "2025-01-01",
            "in_force_until": None,
        }
    )
    egov = tmp_path / "egov.json"
    egov.write_text(json.dumps(sample, ensure_ascii=False), encoding="utf-8")
    clock = MovableClock("2026-04-06T10:00")
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        trust_dir=trust_dir(tmp_path / "trust"),
        egov_data=egov,
        **TEST_PROVIDER,  # type: ignore[arg-type]
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values()):
            found.login(someone)
        found.submit = _addressed(found)  # type: ignore[method-assign]
        yield found


def _addressed(portal: Portal):  # type: ignore[no-untyped-def]
    # This portal's state body is the configured one: the form is addressed to it.
    submit = portal.submit

    def filed(form=None, **rest):  # type: ignore[no-untyped-def]
        said = app2_statements("ru", TEST_PROVIDER["provider_name_ru_genitive"])
        return submit(form or form_json(statements=said), **rest)

    return filed


def _text(page: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))


def test_without_requisites_the_document_page_says_they_are_not_configured(
    portal: Portal,
) -> None:
    _, permit = issue_permit(portal)
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    russian = _text(portal.client.get(f"/cabinet/documents/{permit}", params={"lang": "ru"}).text)
    assert "Реквизиты государственного органа не настроены" in russian
    assert "Правовое основание в соответствии со статьей 6 Закона Республики Казахстан" in russian
    kazakh = _text(portal.client.get(f"/cabinet/documents/{permit}", params={"lang": "kk"}).text)
    assert "Мемлекеттік органның деректемелері бапталмаған" in kazakh
    assert "6-бабына және «Рұқсаттар және хабарламалар туралы»" in kazakh


def test_the_examiner_records_on_the_desk_why_a_ban_does_not_apply_and_the_draft_shows_it(
    banned: Portal,
) -> None:
    number = under_review(banned)
    on_pages(banned, EXAMINER)
    case = banned.client.get(f"/desk/applications/{number}", params={"lang": "ru"})
    assert case.status_code == 200, case.text
    assert address(number, "clear_reported_ground") in case.text
    form = banned.client.get(address(number, "clear_reported_ground"), params={"lang": "ru"})
    assert form.status_code == 200, form.text
    assert 'name="ground" value="3"' in form.text
    assert 'name="ground" value="4"' not in form.text
    content = act(
        banned,
        EXAMINER,
        number,
        "clear_reported_ground",
        ground="3",
        reason="Запрет касается торговли алкоголем.",
    )
    assert json.loads(content)["ground"] == 3
    on_pages(banned, HEAD)
    draft = _text(document_page(banned, number, "issue_permit", {}).text)
    assert "Запрет касается торговли алкоголем." in draft
    assert "БИН 210240044100" in draft
    assert TEST_PROVIDER["provider_address_ru"] in draft


def test_the_desk_refuses_a_record_without_a_reason_beside_the_box(banned: Portal) -> None:
    number = under_review(banned)
    on_pages(banned, EXAMINER)
    page = banned.client.get(address(number, "clear_reported_ground"), params={"lang": "ru"})
    token = csrf(page.text)
    refused = banned.client.post(
        address(number, "clear_reported_ground") + "/prepare",
        data={"csrf_token": token, "ground": "3", "reason": " "},
        headers={"Accept": "application/json", "X-CSRF-Token": token},
    )
    assert refused.status_code == 422
    problems = refused.json()["problems"]
    assert [p["field"] for p in problems] == ["reason"]


def test_with_nothing_reported_the_record_page_says_so_before_anything_is_typed(
    portal: Portal,
) -> None:
    portal.at("2026-04-06T10:00")
    number = under_review(portal)
    on_pages(portal, EXAMINER)
    page = portal.client.get(address(number, "clear_reported_ground"), params={"lang": "ru"})
    assert page.status_code == 409
    assert "не сообщают о решениях суда по основаниям 3–4" in _text(page.text)


def test_once_recorded_the_desk_reads_the_cleared_ground_from_the_aggregate_and_offers_none(
    banned: Portal,
) -> None:
    number = under_review(banned)
    on_pages(banned, EXAMINER)
    act(banned, EXAMINER, number, "clear_reported_ground", ground="3", reason="Не касается.")
    page = banned.client.get(address(number, "clear_reported_ground"), params={"lang": "ru"})
    assert page.status_code == 409
    assert "не сообщают о решениях суда по основаниям 3–4" in _text(page.text)


def test_the_kazakh_document_page_names_the_signers_position_in_kazakh(portal: Portal) -> None:
    _, permit = issue_permit(portal)
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    signer = json.loads(portal.client.get(f"/cabinet/documents/{permit}/content").content)["signer"]
    assert signer["position_kk"], signer
    kazakh = _text(portal.client.get(f"/cabinet/documents/{permit}", params={"lang": "kk"}).text)
    russian = _text(portal.client.get(f"/cabinet/documents/{permit}", params={"lang": "ru"}).text)
    assert f"{signer['position_kk']} {signer['name']}" in kazakh
    assert f"{signer['position']} {signer['name']}" in russian
