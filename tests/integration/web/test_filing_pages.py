"""Filing from the cabinet: the App.2 form as a page, checked by the domain's rules beside each
field in Kazakh and Russian, its canonical bytes signed and filed with the files, once."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, applicant_director, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
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
