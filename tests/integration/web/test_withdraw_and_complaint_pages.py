"""Withdrawing an application and filing a complaint from the cabinet: the act shown as it will
be signed, its exact bytes prepared by the server, signed with the signing key and applied."""

from __future__ import annotations

import base64
import html
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.integration.permits.portal import FILES, form_json
from tests.support.clock import MovableClock
from tests.support.pki import Person, applicant_director, sign_bytes, sign_in, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.entrypoints.api.app import create_app

CLOCK = MovableClock("2026-12-07T10:00")
JSON = {"Accept": "application/json"}


@pytest.fixture(scope="module")
def applicant() -> Person:
    return applicant_director()


@pytest.fixture
def client(database_url: str, tmp_path: Path, applicant: Person) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    with TestClient(create_app(bootstrap(settings, clock=CLOCK)), follow_redirects=False) as c:
        sign_in_on_pages(c, applicant.auth, CLOCK.now())
        yield c


def bearer(client: TestClient, applicant: Person) -> dict[str, str]:
    """An API session of the same person, to check what the pages did."""
    return {"Authorization": f"Bearer {sign_in(client, applicant.auth, CLOCK.now())}"}


def signed(applicant: Person, content: bytes) -> str:
    """A CMS over the bytes by the signing key, as NCALayer answers it (base64)."""
    cms = sign_bytes(applicant.sign, content, CLOCK.now() - timedelta(seconds=1))
    return base64.b64encode(cms).decode()


@pytest.fixture
def number(client: TestClient, applicant: Person) -> str:
    """An application of ТОО «Тест», filed through the API."""
    cms = base64.b64decode(signed(applicant, canonical_bytes(form_json())))
    parts = [("signed_form", ("form.p7s", cms, "application/pkcs7-mime"))]
    parts += [("files", (name, content, "application/pdf")) for name, content in FILES]
    answer = client.post(
        "/api/v1/applications",
        files=parts,
        headers={**bearer(client, applicant), "Idempotency-Key": "filed-by-api"},
    )
    assert answer.status_code == 201, answer.text
    return str(answer.json()["number"])


def post_json(client: TestClient, address: str, token: str, data: dict[str, str]) -> Any:
    """A request as sign-and-send.js makes it."""
    return client.post(
        address, data={**data, "csrf_token": token}, headers={**JSON, "X-CSRF-Token": token}
    )


def test_withdrawing_shows_the_act_signs_its_exact_bytes_and_closes_the_case(
    client: TestClient, applicant: Person, number: str
) -> None:
    page = client.get(f"/cabinet/applications/{number}/withdraw", params={"lang": "ru"})
    assert page.status_code == 200
    assert f"Отзыв заявления {number}" in page.text
    shown = html.unescape(page.text)
    assert '"action": "withdraw"' in shown
    assert f'"application_number": "{number}"' in shown
    token = csrf(page.text)
    base = f"/cabinet/applications/{number}/withdraw"
    reason = "Передумали <b>сейчас</b>"
    ready = post_json(client, base + "/prepare", token, {"reason": reason})
    assert ready.status_code == 200, ready.text
    content = base64.b64decode(ready.json()["data_b64"])
    expected = {"action": "withdraw", "application_number": number, "reason": reason}
    assert content == canonical_bytes(expected)
    cms = signed(applicant, content)
    done = post_json(client, base + "/send", token, {"cms": cms})
    assert done.status_code == 200, done.text
    assert done.json()["location"] == f"/cabinet/applications/{number}?withdrawn=1"
    case = client.get(f"/api/v1/applications/{number}", headers=bearer(client, applicant))
    assert case.json()["status"] == "withdrawn"
    told = client.get(done.json()["location"] + "&lang=ru")
    assert "Ваше заявление отозвано" in told.text
    closed = client.get(base, params={"lang": "ru"})
    assert closed.status_code == 409
    assert "больше нельзя отозвать" in closed.text
    again = post_json(client, base + "/send", token, {"cms": cms})
    assert again.status_code == 409
    assert again.json()["problems"][0]["field"] == "form"


def test_the_withdraw_act_of_a_case_one_cannot_see_is_not_found(client: TestClient) -> None:
    assert client.get("/cabinet/applications/APP-2026-999999/withdraw").status_code == 404


def test_withdrawing_is_refused_without_the_pages_csrf_token(
    client: TestClient, applicant: Person, number: str
) -> None:
    base = f"/cabinet/applications/{number}/withdraw"
    content = canonical_bytes({"action": "withdraw", "application_number": number})
    refused = client.post(base + "/send", data={"cms": signed(applicant, content)}, headers=JSON)
    assert refused.status_code == 403
    case = client.get(f"/api/v1/applications/{number}", headers=bearer(client, applicant))
    assert case.json()["status"] == "submitted"


def test_a_complaint_with_every_field_missing_shows_each_problem_beside_its_field(
    client: TestClient, number: str
) -> None:
    page = client.get(f"/cabinet/applications/{number}/complaints/new", params={"lang": "ru"})
    assert page.status_code == 200
    assert f"Жалоба по заявлению {number}" in page.text
    data = {"csrf_token": csrf(page.text), "fixed": number, "application_number": number}
    answer = client.post("/cabinet/complaints/new", data={**data, "target": "<i>x</i>"})
    assert answer.status_code == 422
    for control in ("subject", "filed_with", "text"):
        assert f'id="{control}-error"' in answer.text, control
    assert 'id="target-error"' not in answer.text
    assert 'value="&lt;i&gt;x&lt;/i&gt;"' in answer.text
    assert "Выберите, на что подается жалоба." in answer.text
    assert "Напишите текст жалобы" in answer.text


def test_a_complaint_is_signed_as_prepared_and_filed_then_shown_at_its_address(
    client: TestClient, applicant: Person, number: str
) -> None:
    page = client.get("/cabinet/complaints/new", params={"lang": "kk"})
    assert f'<option value="{number}">' in page.text
    token = csrf(page.text)
    typed = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": "provider",
        "target": "Өтініш 5 жұмыс күнінде қаралмады",
        "text": "Өтінішімді заңда белгіленген мерзімде қарауды сұраймын.",
    }
    ready = post_json(client, "/cabinet/complaints/prepare", token, typed)
    assert ready.status_code == 200, ready.text
    content = base64.b64decode(ready.json()["data_b64"])
    assert json.loads(content) == typed
    assert content == canonical_bytes(typed)
    filed = post_json(client, "/cabinet/complaints", token, {"cms": signed(applicant, content)})
    assert filed.status_code == 201, filed.text
    complaint = filed.json()["number"]
    assert filed.json()["location"] == f"/cabinet/complaints/{complaint}"
    shown = client.get(f"/api/v1/complaints/{complaint}", headers=bearer(client, applicant))
    assert shown.json()["text"] == typed["text"]
    assert shown.json()["application_number"] == number


def test_a_complaint_about_an_application_not_ones_own_is_refused_beside_the_choice(
    client: TestClient, applicant: Person
) -> None:
    token = csrf(client.get("/cabinet/complaints/new", params={"lang": "ru"}).text)
    typed = {
        "application_number": "APP-2026-999999",
        "subject": "decision",
        "filed_with": "quality_control_agency",
        "target": "Уведомление",
        "text": "Текст",
    }
    ready = post_json(client, "/cabinet/complaints/prepare", token, typed)
    content = base64.b64decode(ready.json()["data_b64"])
    refused = post_json(client, "/cabinet/complaints", token, {"cms": signed(applicant, content)})
    assert refused.status_code == 404
    assert refused.json()["problems"] == [
        {"field": "application_number", "message": "Среди ваших заявлений такого нет."}
    ]


def test_prepare_of_a_complaint_names_every_wrong_field(client: TestClient) -> None:
    token = csrf(client.get("/cabinet/complaints/new", params={"lang": "ru"}).text)
    refused = post_json(
        client, "/cabinet/complaints/prepare", token, {"subject": "mood", "text": "x" * 20_001}
    )
    assert refused.status_code == 422
    fields = [p["field"] for p in refused.json()["problems"]]
    assert fields == ["application_number", "subject", "filed_with", "target", "text"]
