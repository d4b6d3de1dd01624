"""`/contact-centre`: an operator of the Unified contact centre learns a case's status from its
number and the applicant's IIN/BIN, and nothing else; everyone else is turned away."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.integration.permits.portal import OFFICIALS, Portal
from tests.integration.web.cabinet_portal import CLERK, portal_people
from tests.support.clock import MovableClock
from tests.support.identities import APPLICANT_BIN
from tests.support.pki import Person, ministry_official, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

OPERATOR_IIN = "910505400329"


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["operator"] = ministry_official(OPERATOR_IIN, "ОПЕРАТОРОВА АЙЖАН")
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    clock = MovableClock("2026-03-20T19:00")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    container.bus.handle(
        GrantRole(OPERATOR_IIN, PermitRole.CONTACT_CENTRE, "ОПЕРАТОРОВА АЙЖАН", "оператор", "test")
    )
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values(), people["operator"]):
            found.login(someone)
        yield found


def _filed(portal: Portal) -> str:
    created = portal.submit()
    assert created.status_code == 201, created.text
    return str(created.json()["number"])


def _ask(portal: Portal, number: str, iin_bin: str, lang: str = "ru") -> tuple[int, str]:
    page = portal.client.get("/contact-centre", params={"lang": lang})
    assert page.status_code == 200
    answer = portal.client.post(
        "/contact-centre",
        data={"number": number, "iin_bin": iin_bin, "csrf_token": csrf(page.text)},
    )
    return answer.status_code, re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


def test_the_operator_tells_the_status_when_number_and_iin_bin_match(
    portal: Portal, people: dict[str, Person]
) -> None:
    number = _filed(portal)
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    sign_in_on_pages(portal.client, people["operator"].auth, portal.clock.now())
    status, russian = _ask(portal, number, APPLICANT_BIN)
    assert status == 200
    assert "Статус Зарегистрировано" in russian
    assert "Текущий этап Проверка полноты документов" in russian
    _, kazakh = _ask(portal, number.lower(), APPLICANT_BIN, "kk")
    assert number in kazakh
    assert "ТОО «Тест»" not in russian, "the applicant's name is not for the contact centre"


def test_a_wrong_iin_bin_is_answered_as_an_unknown_number(
    portal: Portal, people: dict[str, Person]
) -> None:
    number = _filed(portal)
    sign_in_on_pages(portal.client, people["operator"].auth, portal.clock.now())
    _, wrong_bin = _ask(portal, number, "990140004654")
    _, unknown = _ask(portal, "APP-2026-999999", APPLICANT_BIN)
    assert "Заявления с таким номером и таким ИИН или БИН нет" in wrong_bin
    assert "Заявления с таким номером и таким ИИН или БИН нет" in unknown


def test_bad_input_is_told_beside_each_field_and_kept_as_text(
    portal: Portal, people: dict[str, Person]
) -> None:
    sign_in_on_pages(portal.client, people["operator"].auth, portal.clock.now())
    page = portal.client.get("/contact-centre")
    answer = portal.client.post(
        "/contact-centre",
        data={"number": "<b>x</b>", "iin_bin": "12", "csrf_token": csrf(page.text)},
        params={"lang": "ru"},
    )
    assert answer.status_code == 422
    assert 'aria-invalid="true"' in answer.text
    assert "Номер заявления имеет вид APP-2026-000001." in answer.text
    assert "ИИН или БИН состоит из 12 цифр." in answer.text
    assert "<b>x</b>" not in answer.text


def test_the_operator_reads_no_case_and_others_may_not_use_the_page(
    portal: Portal, people: dict[str, Person]
) -> None:
    number = _filed(portal)
    operator = people["operator"]
    api = portal.client.get(f"/api/v1/applications/{number}", headers=operator.headers)
    assert api.status_code == 404
    listed = portal.client.get("/api/v1/applications", headers=operator.headers).json()
    assert listed["total"] == 0
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    assert portal.client.get("/contact-centre").status_code == 403
    portal.client.cookies.delete("kepil_session")
    assert portal.client.get("/contact-centre").status_code == 303
