"""Filing from the cabinet: the App.2 form as a page, checked by the domain's rules beside each
field in Kazakh and Russian, its canonical bytes signed and filed with the files, once."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, applicant_director, sign_bytes, sign_in, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import Provider
from kepil.domain.permits.app2 import app2_statements
from kepil.domain.permits.codec import form_from_dict, form_to_dict
from kepil.entrypoints.api.app import create_app

CLOCK = MovableClock("2026-12-07T10:00")
NEW = "/cabinet/applications/new"
CONTRACT = b"%PDF-1.7\n% contracting contract\n" + b"x" * 3000
LETTER = b"%PDF-1.7\n% guarantee letter: 5 nodes\n"


@pytest.fixture(scope="module")
def applicant() -> Person:
    return applicant_director()


@pytest.fixture
def client(database_url: str, tmp_path: Path, applicant: Person) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=CLOCK)
    with TestClient(create_app(container), follow_redirects=False) as test_client:
        sign_in_on_pages(test_client, applicant.auth, CLOCK.now())
        yield test_client


def fields(page: str, **changes: str) -> dict[str, str]:
    """A correctly filled form for ТОО «Тест», with the page's CSRF token and key."""
    data = {
        "csrf_token": csrf(page),
        "idempotency_key": _hidden(page, "idempotency_key"),
        "address_count": "1",
        "attachment_count": "2",
        "applicant_kind": "legal_entity",
        "applicant_name": "ТОО «Тест»",
        "iin_or_bin": APPLICANT_BIN,
        "address": "г. Астана, пр. Мангилик Ел, 55/20",
        "phone": "+7 701 123 45 67",
        "email": "office@test.kz",
        "platform_name": "Kepil Grain Ledger",
        "purpose": "Выпуск и обращение ОЦА на зерно",
        "addresses-0-postal_code": "010000",
        "addresses-0-city": "Астана",
        "addresses-0-street": "пр. Мангилик Ел",
        "addresses-0-building": "55/20",
        "attachments-0-kind": "contracting_contract",
        "attachments-0-valid_until": "2027-12-31",
        "attachments-1-kind": "guarantee_letter",
        "truthfulness_confirmed": "yes",
        "consents_to_protected_secrets_use": "yes",
        "consents_to_personal_data_access": "yes",
    }
    for index, (name, content) in enumerate((("contract.pdf", CONTRACT), ("letter.pdf", LETTER))):
        data |= facts(index, name, content)
    data.update(changes)
    return data


def facts(
    index: int, name: str, content: bytes, media_type: str = "application/pdf"
) -> dict[str, str]:
    """What filing.js states about a chosen file: its name, type, size and SHA-256."""
    return {
        f"attachments-{index}-file_name": name,
        f"attachments-{index}-media_type": media_type,
        f"attachments-{index}-size": str(len(content)),
        f"attachments-{index}-sha256": hashlib.sha256(content).hexdigest(),
    }


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, f"no hidden {name}"
    return found.group(1)


def test_the_filing_page_is_prefilled_with_the_bin_of_the_organisation_the_director_signs_for(
    client: TestClient,
) -> None:
    page = client.get(NEW, params={"lang": "ru"})
    assert page.status_code == 200
    assert f'id="iin_or_bin" name="iin_or_bin" type="text" value="{APPLICANT_BIN}"' in page.text
    assert 'value="legal_entity" id="applicant_kind-legal_entity" checked' in page.text
    assert "Подтверждаю достоверность представленной информации" in page.text
    assert '<script src="/static/filing.js"></script>' in page.text
    assert 'data-max-file-bytes="10485760"' in page.text


def prepared(client: TestClient, data: dict[str, str], **headers: str) -> Any:
    """The prepare endpoint's answer, sent as filing.js sends it."""
    return client.post(
        "/cabinet/applications/prepare",
        data=data,
        headers={"Accept": "application/json", "X-CSRF-Token": data["csrf_token"], **headers},
    )


def signed_prepared(client: TestClient, applicant: Person, data: dict[str, str]) -> bytes:
    """Prepare, and sign the prepared bytes with the signing key as NCALayer would."""
    answer = prepared(client, data)
    assert answer.status_code == 200, answer.text
    content = base64.b64decode(answer.json()["data_b64"])
    return sign_bytes(applicant.sign, content, CLOCK.now() - timedelta(seconds=1))


def file_through_pages(
    client: TestClient,
    applicant: Person,
    data: dict[str, str],
    files: list[tuple[str, bytes, str]] | None = None,
    cms: bytes | None = None,
) -> Any:
    """Prepare, sign (or reuse a CMS, as sign-and-send.js does on a retry), send the files."""
    cms = cms or signed_prepared(client, applicant, data)
    parts = [
        ("files", (name, body, media_type))
        for name, body, media_type in files
        or [
            ("contract.pdf", CONTRACT, "application/pdf"),
            ("letter.pdf", LETTER, "application/pdf"),
        ]
    ]
    return client.post(
        "/cabinet/applications",
        data={
            "cms": base64.b64encode(cms).decode(),
            "csrf_token": data["csrf_token"],
            "idempotency_key": data["idempotency_key"],
        },
        files=parts,
        headers={"Accept": "application/json", "X-CSRF-Token": data["csrf_token"]},
    )


def api_applications(client: TestClient, applicant: Person) -> dict[str, Any]:
    """The applicant's applications as the API lists them, through a bearer session."""
    token = sign_in(client, applicant.auth, CLOCK.now())
    answer = client.get("/api/v1/applications", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


WRONG = {
    "applicant_kind": "individual_entrepreneur",
    "applicant_name": " ",
    "iin_or_bin": "12345",
    "address": "",
    "phone": "call <me>",
    "email": "not-an-address",
    "platform_name": "",
    "purpose": "",
    "addresses-0-postal_code": "01",
    "addresses-0-city": "",
    "addresses-0-street": "",
    "addresses-0-building": "",
    "attachments-1-kind": "",
}


@pytest.mark.parametrize(
    ("language", "words"),
    [
        (
            "ru",
            [
                "Укажите наименование индивидуального предпринимателя",
                "неверный ИИН или БИН",
                "Укажите адрес заявителя.",
                "номер телефона из 10–15 цифр",
                "адрес электронной почты",
                "Укажите наименование цифровой платформы.",
                "Опишите цель",
                "Почтовый индекс состоит из 6 цифр.",
                "Укажите улицу.",
                "Укажите номер дома или здания.",
                "Укажите город или населенный пункт",
                "Выберите вид документа.",
            ],
        ),
        (
            "kk",
            [
                "атауын енгізіңіз",
                "жарамды ЖСН немесе БСН емес",
                "Өтініш берушінің мекенжайын көрсетіңіз.",
                "телефон нөмірін",
                "электрондық пошта мекенжайын",
                "Цифрлық платформаның атауын енгізіңіз.",
                "мақсатын сипаттаңыз",
                "Пошта индексі 6 цифрдан тұрады.",
                "Көшені көрсетіңіз.",
                "Үйдің немесе ғимараттың нөмірін көрсетіңіз.",
                "Қаланы немесе елді мекенді",
                "Бұл қандай құжат екенін таңдаңыз.",
            ],
        ),
    ],
)
def test_a_form_with_every_field_wrong_shows_every_problem_beside_its_field_and_keeps_the_typing(
    client: TestClient, language: str, words: list[str]
) -> None:
    page = client.get(NEW, params={"lang": language}).text
    answer = client.post(NEW, data=fields(page, **WRONG))
    assert answer.status_code == 422
    text = html.unescape(answer.text)
    for expected in words:
        assert expected in text, expected
    for control in (
        "applicant_name",
        "iin_or_bin",
        "address",
        "phone",
        "email",
        "platform_name",
        "purpose",
        "addresses-0-postal_code",
        "addresses-0-street",
        "addresses-0-building",
        "addresses-0-city",
        "attachments-1-kind",
    ):
        assert f'id="{control}-error"' in answer.text, control
        assert f'href="#{control}"' in answer.text, control  # the summary links to it
        described = re.search(rf'id="{control}"[^>]*aria-describedby="([^"]*)"', answer.text)
        assert described, control
        assert f"{control}-error" in described.group(1), control
    assert 'value="12345"' in answer.text
    assert 'value="call &lt;me&gt;"' in answer.text
    assert 'value="not-an-address"' in answer.text
    assert 'aria-invalid="true"' in answer.text


def test_markup_typed_into_a_field_comes_back_escaped(client: TestClient) -> None:
    page = client.get(NEW).text
    typed = '"><script>alert(1)</script>'
    answer = client.post(NEW, data=fields(page, platform_name=typed, purpose=typed, phone="x"))
    assert "<script>alert(1)</script>" not in answer.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in answer.text


def test_add_another_address_without_javascript_adds_a_block_and_keeps_everything_typed(
    client: TestClient,
) -> None:
    page = client.get(NEW, params={"lang": "ru"}).text
    data = fields(page, add="address", purpose="Зерно <ОЦА>")
    answer = client.post(NEW, data=data)
    assert answer.status_code == 200
    assert 'id="addresses-1-postal_code"' in answer.text
    assert re.search(r'id="addresses-1-postal_code"[^>]*autofocus', answer.text)  # back in place
    assert 'name="address_count" value="2"' in answer.text
    assert (
        'id="addresses-0-street" name="addresses-0-street" type="text" value="пр. Мангилик Ел"'
        in answer.text
    )
    assert "Зерно &lt;ОЦА&gt;</textarea>" in answer.text
    assert _hidden(answer.text, "idempotency_key") == data["idempotency_key"]
    assert 'id="platform_name-error"' not in answer.text


def test_a_correct_form_checked_without_javascript_says_it_is_ready_to_sign(
    client: TestClient,
) -> None:
    page = client.get(NEW, params={"lang": "ru"}).text
    answer = client.post(NEW, data=fields(page))
    assert answer.status_code == 200
    assert "В форме нет ошибок." in answer.text
    assert "Для подписания нужен NCALayer" in answer.text


def test_prepare_answers_exactly_the_bytes_the_domains_encoder_makes(client: TestClient) -> None:
    data = fields(client.get(NEW).text)
    answer = prepared(client, data)
    assert answer.status_code == 200, answer.text
    content = base64.b64decode(answer.json()["data_b64"])
    form = form_from_dict(json.loads(content))
    assert content == canonical_bytes(form_to_dict(form))
    assert form.requisites.iin_or_bin == APPLICANT_BIN
    assert [a.sha256 for a in form.attachments] == [
        hashlib.sha256(CONTRACT).hexdigest(),
        hashlib.sha256(LETTER).hexdigest(),
    ]
    assert form.attachments[0].valid_until is not None
    assert answer.json()["warnings"] == []


def test_prepare_answers_every_problem_in_words_and_warns_of_what_section_6_would_refuse(
    client: TestClient,
) -> None:
    page = client.get(NEW, params={"lang": "ru"}).text
    refused = prepared(client, fields(page, email="nope", phone="1"))
    assert refused.status_code == 422
    problems = {p["field"]: p["message"] for p in refused.json()["problems"]}
    assert set(problems) == {"email", "phone"}
    assert "электронной почты" in problems["email"]
    data = fields(page, truthfulness_confirmed="", **{"attachments-1-kind": "other"})
    warned = prepared(client, data)
    assert warned.status_code == 200
    fields_warned = {w["field"] for w in warned.json()["warnings"]}
    assert fields_warned == {"truthfulness_confirmed", "attachments"}


def test_filing_through_the_pages_files_the_application_with_its_files_byte_for_byte(
    client: TestClient, applicant: Person
) -> None:
    data = fields(client.get(NEW).text)
    filed = file_through_pages(client, applicant, data)
    assert filed.status_code == 201, filed.text
    number = filed.json()["number"]
    assert filed.json()["location"] == f"/cabinet/applications/{number}"
    token = sign_in(client, applicant.auth, CLOCK.now())
    bearer = {"Authorization": f"Bearer {token}"}
    case = client.get(f"/api/v1/applications/{number}", headers=bearer).json()
    assert case["platform_name"] == "Kepil Grain Ledger"
    for content in (CONTRACT, LETTER):
        sha = hashlib.sha256(content).hexdigest()
        got = client.get(f"/api/v1/applications/{number}/attachments/{sha}", headers=bearer)
        assert got.content == content


def test_the_same_idempotency_key_twice_files_once(client: TestClient, applicant: Person) -> None:
    data = fields(client.get(NEW).text)
    cms = signed_prepared(client, applicant, data)
    first = file_through_pages(client, applicant, data, cms=cms)
    again = file_through_pages(client, applicant, data, cms=cms)  # a click again, or a retry
    assert first.status_code == 201, first.text
    assert again.status_code == 200, again.text
    assert again.json() == {**first.json(), "replayed": True}
    # Signed anew with the page's key: refused in words, not filed a second time.
    resigned = file_through_pages(client, applicant, data)
    assert resigned.status_code == 409
    assert "уже подано другое заявление" in resigned.json()["problems"][0]["message"] or (
        "басқа өтініш берілген" in resigned.json()["problems"][0]["message"]
    )
    assert api_applications(client, applicant)["total"] == 1


def test_a_file_of_a_wrong_type_is_refused_with_words_beside_it(
    client: TestClient, applicant: Person
) -> None:
    page = client.get(NEW, params={"lang": "ru"}).text
    assert "Файлы этого типа не принимаются." in page  # what filing.js shows before upload
    assert 'data-media-types="application/pdf' in page
    data = fields(page, **facts(1, "letter.txt", LETTER, "text/plain"))
    sent = file_through_pages(
        client,
        applicant,
        data,
        [("contract.pdf", CONTRACT, "application/pdf"), ("letter.txt", LETTER, "text/plain")],
    )
    assert sent.status_code == 422
    problems = sent.json()["problems"]
    assert {"field": "files[letter.txt]", "message": problems[0]["message"]} in problems
    assert "отличаются от указанных" in problems[0]["message"]
    assert api_applications(client, applicant)["total"] == 0


def test_a_file_too_large_is_refused_with_words_and_nothing_is_filed(
    client: TestClient, applicant: Person
) -> None:
    page = client.get(NEW, params={"lang": "ru"}).text
    assert "Этот файл больше 10 МБ." in page
    huge = b"%PDF" + b"0" * (10 * 1024 * 1024)
    data = fields(page, **facts(0, "contract.pdf", huge))
    sent = file_through_pages(
        client,
        applicant,
        data,
        [("contract.pdf", huge, "application/pdf"), ("letter.pdf", LETTER, "application/pdf")],
    )
    assert sent.status_code == 413
    assert sent.json()["problems"][0]["field"] == "files[contract.pdf]"
    assert "больше, чем принимает" in sent.json()["problems"][0]["message"]
    assert api_applications(client, applicant)["total"] == 0


def test_a_forged_or_missing_csrf_token_is_refused_and_files_nothing(
    client: TestClient, applicant: Person
) -> None:
    data = fields(client.get(NEW).text)
    good = prepared(client, data)
    cms = sign_bytes(applicant.sign, base64.b64decode(good.json()["data_b64"]), CLOCK.now())
    body = {"cms": base64.b64encode(cms).decode(), "idempotency_key": data["idempotency_key"]}
    parts = [("files", ("contract.pdf", CONTRACT, "application/pdf"))]
    parts.append(("files", ("letter.pdf", LETTER, "application/pdf")))
    for token in ("", "0" * 64):
        refused = client.post(
            "/cabinet/applications",
            data={**body, "csrf_token": token},
            files=parts,
            headers={"Accept": "application/json"},
        )
        assert refused.status_code == 403
        assert prepared(client, {**data, "csrf_token": token}).status_code == 403
        assert client.post(NEW, data={**data, "csrf_token": token}).status_code == 403
    assert api_applications(client, applicant)["total"] == 0


def test_the_filing_page_sends_a_person_who_is_not_signed_in_to_sign_in_and_back(
    database_url: str, tmp_path: Path
) -> None:
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    with TestClient(create_app(bootstrap(settings, clock=CLOCK)), follow_redirects=False) as anon:
        answer = anon.get(NEW)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/cabinet/applications/new"


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_applicant_signs_the_form_s_words_as_the_page_shows_them_in_their_language(
    client: TestClient, applicant: Person, language: str
) -> None:
    page = client.get(NEW, params={"lang": language}).text
    data = fields(page)
    answer = prepared(client, data)
    assert answer.status_code == 200, answer.text
    signed = json.loads(base64.b64decode(answer.json()["data_b64"]))
    provider = Provider()
    expected = app2_statements(language, provider.genitive[language])
    assert signed["language"] == language
    assert signed["statements"] == expected
    shown = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page)))
    for key, text in expected.items():
        assert text in shown, key
    filed = file_through_pages(client, applicant, data)
    assert filed.status_code == 201, filed.text
