"""`/desk/staff`: an administrator keeps the staff table on a page (grant, revoke with a confirm
step, acting periods) and reads no case; a deputy recorded as acting for the head signs a permit
during the period, the document naming them as acting head, and is refused outside it."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from tests.integration.permits.portal import OFFICIALS, PDF, Portal
from tests.integration.web.cabinet_portal import CLERK, EXAMINER, portal_people
from tests.support.clock import MovableClock
from tests.support.pki import Person, b64, ministry_official, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

ADMIN_IIN = "880412401234"
ADMIN_NAME = "АДМИНОВА ЖАНАР"
DEPUTY_IIN = "750903304562"
DEPUTY_NAME = "ЗАМЕСТИТЕЛЕВ БОЛАТ"
ACTING_RU = "Исполняющий обязанности руководителя"


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["admin"] = ministry_official(ADMIN_IIN, ADMIN_NAME)
    found["deputy"] = ministry_official(DEPUTY_IIN, DEPUTY_NAME)
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    # Friday 20 March 2026 after hours, as in the other page tests.
    clock = MovableClock("2026-03-20T19:00")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    # The first administrator comes from the operator's terminal, as the README says.
    container.bus.handle(
        GrantRole(ADMIN_IIN, PermitRole.ADMINISTRATOR, ADMIN_NAME, "кадровик", "cli:root")
    )
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values(), people["admin"], people["deputy"]):
            found.login(someone)
        yield found


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _as_admin(portal: Portal, people: dict[str, Person], lang: str = "ru") -> str:
    """Sign the administrator in on the pages; the CSRF token of the staff page."""
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, people["admin"].auth, portal.clock.now())
    page = portal.client.get("/desk/staff", params={"lang": lang})
    assert page.status_code == 200, page.text
    return csrf(page.text)


def _post(portal: Portal, address: str, token: str, **fields: str) -> Response:
    return portal.client.post(address, data={"csrf_token": token, **fields})


def _grant(portal: Portal, token: str, iin: str, role: str, name: str, position: str = "") -> None:
    fields = {"iin": iin, "role": role, "name": name, "position": position}
    done = _post(portal, "/desk/staff/duties", token, **fields)
    assert done.status_code == 303, done.text
    assert done.headers["location"] == "/desk/staff?done=granted"


def _record(portal: Portal, token: str, first: str, last: str, **more: str) -> Response:
    fields = {"acting_iin": DEPUTY_IIN, "first_day": first, "last_day": last}
    return _post(
        portal, "/desk/staff/acting", token, **{"basis": "приказ № 15-к", **fields, **more}
    )


def _table(portal: Portal) -> str:
    return _text(portal.client.get("/desk/staff").text)


def test_the_administrator_grants_and_revokes_a_duty_with_a_confirm_step(
    portal: Portal, people: dict[str, Person]
) -> None:
    token = _as_admin(portal, people)
    _grant(portal, token, DEPUTY_IIN, "auditor", DEPUTY_NAME, "заместитель председателя")
    shown = _text(portal.client.get("/desk/staff?done=granted").text)
    assert "Роль назначена." in shown
    assert f"{DEPUTY_NAME} {DEPUTY_IIN} Аудитор заместитель председателя" in shown
    assert f"{ADMIN_NAME} ({ADMIN_IIN})" in shown, "the grant names the administrator"
    assert "Оператор, из терминала" in shown, "the first administrator came from the terminal"

    fields = {"iin": DEPUTY_IIN, "role": "auditor"}
    asked = _post(portal, "/desk/staff/duties/revoke", token, **fields)
    assert asked.status_code == 200
    assert "Да, отозвать роль" in asked.text
    assert DEPUTY_NAME in _table(portal), "asking is not revoking"
    revoked = _post(portal, "/desk/staff/duties/revoke", token, confirmed="yes", **fields)
    assert revoked.status_code == 303
    assert revoked.headers["location"] == "/desk/staff?done=revoked"
    assert DEPUTY_NAME not in _table(portal)


def test_bad_input_is_told_beside_each_control_in_the_persons_language(
    portal: Portal, people: dict[str, Person]
) -> None:
    token = _as_admin(portal, people, "kk")
    fields = {"iin": "750903304563", "role": "minister", "name": " ", "position": "<b>x</b>"}
    refused = _post(portal, "/desk/staff/duties", token, **fields)
    assert refused.status_code == 422
    assert refused.text.count('aria-invalid="true"') == 3
    assert "Бұл ЖСН-нің соңғы цифры қалғандарына сәйкес келмейді" in refused.text
    assert "Тізімнен рөлді таңдаңыз." in refused.text
    assert 'href="#iin"' in refused.text, "the summary at the top links to the control"
    assert "<b>x</b>" not in refused.text
    short = _post(portal, "/desk/staff/duties", token, iin="123", role="clerk", name="X")
    assert "ЖСН 12 цифрдан тұрады." in short.text
    assert "750903304563" not in _table(portal), "nothing was granted"


def test_the_only_administrator_may_not_give_up_their_own_duty_and_is_told_why(
    portal: Portal, people: dict[str, Person]
) -> None:
    token = _as_admin(portal, people)
    assert "Вы единственный администратор: прежде чем отказаться" in _table(portal)
    fields = {"iin": ADMIN_IIN, "role": "administrator", "confirmed": "yes"}
    refused = _post(portal, "/desk/staff/duties/revoke", token, **fields)
    assert refused.status_code == 409
    assert "без вашей роли никто не сможет вести список сотрудников" in refused.text
    _grant(portal, token, DEPUTY_IIN, "administrator", DEPUTY_NAME)
    given_up = _post(portal, "/desk/staff/duties/revoke", token, **fields)
    assert given_up.status_code == 303
    assert portal.client.get("/desk/staff").status_code == 403, "the duty is gone at once"


def test_officials_without_the_duty_and_applicants_are_turned_away(
    portal: Portal, people: dict[str, Person]
) -> None:
    sign_in_on_pages(portal.client, people[str(CLERK)].auth, portal.clock.now())
    page = portal.client.get("/desk/staff", params={"lang": "ru"})
    assert page.status_code == 403
    assert "Эта страница — для администраторов ролей сотрудников" in page.text
    forced = _post(portal, "/desk/staff/duties", csrf(page.text), iin=DEPUTY_IIN, role="head")
    assert forced.status_code == 403
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    assert portal.client.get("/desk/staff").status_code == 403
    portal.client.cookies.delete("kepil_session")
    assert portal.client.get("/desk/staff").status_code == 303


def test_the_administrator_reads_no_case(portal: Portal, people: dict[str, Person]) -> None:
    created = portal.submit()
    assert created.status_code == 201, created.text
    number = created.json()["number"]
    admin = people["admin"]
    assert (
        portal.client.get(f"/api/v1/applications/{number}", headers=admin.headers).status_code
        == 404
    )
    listed = portal.client.get("/api/v1/applications", headers=admin.headers).json()
    assert listed["total"] == 0
    address = f"/api/v1/applications/{number}/attachments/{hashlib.sha256(PDF).hexdigest()}"
    assert portal.client.get(address, headers=portal.applicant.headers).status_code == 200
    assert portal.client.get(address, headers=admin.headers).status_code == 404
    unknown = portal.client.get("/api/v1/applications/APP-2026-999999", headers=admin.headers)
    case = portal.client.get(f"/api/v1/applications/{number}", headers=admin.headers)
    assert case.json()["error"]["code"] == unknown.json()["error"]["code"]


def _draft(portal: Portal, person: Person, number: str) -> Response:
    return portal.client.post(
        f"/api/v1/applications/{number}/drafts",
        json={"document_type": "permit"},
        headers=person.headers,
    )


def _at(portal: Portal, people: dict[str, Person], moment: str) -> None:
    """Move the clock; everyone, the deputy too, signs in to the API again."""
    portal.at(moment)
    portal.login(people["deputy"])


def _in_review(portal: Portal, count: int = 1) -> list[str]:
    """File applications on Friday 20 March and take them to review by Friday 27 March."""
    numbers = []
    for _ in range(count):
        portal.clock.advance(60)  # a new signing time: each form is a new signed act
        created = portal.submit()
        assert created.status_code == 201, created.text
        numbers.append(str(created.json()["number"]))
    portal.at("2026-03-26T09:30")
    for number in numbers:
        assert portal.decide(CLERK, number, "register").status_code == 200
    portal.at("2026-03-27T11:00")
    for number in numbers:
        assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    return numbers


def test_the_acting_head_signs_a_permit_during_the_period_and_the_document_says_so(
    portal: Portal, people: dict[str, Person]
) -> None:
    token = _as_admin(portal, people)
    _grant(portal, token, DEPUTY_IIN, "auditor", DEPUTY_NAME, "заместитель председателя")
    recorded = _record(portal, token, "2026-03-30", "2026-03-31")
    assert recorded.status_code == 303, recorded.text
    listed = _table(portal)
    assert f"{DEPUTY_NAME} {DEPUTY_IIN} с 30 марта 2026 по 31 марта 2026 приказ № 15-к" in listed
    assert "Ещё не начался" in listed
    number, later = _in_review(portal, 2)
    deputy = people["deputy"]
    _at(portal, people, "2026-03-27T15:00")
    early = _draft(portal, deputy, number)
    assert early.status_code == 403
    assert early.json()["error"]["code"] == "acting_period_not_in_force"
    assert "from 2026-03-30 to 2026-03-31 (приказ № 15-к)" in early.json()["error"]["message"]

    _at(portal, people, "2026-03-30T16:00")
    draft = _draft(portal, deputy, number)
    assert draft.status_code == 200, draft.text
    content = base64.b64decode(draft.json()["content_b64"])
    signer: dict[str, Any] = json.loads(content)["signer"]
    assert signer == {
        "position": ACTING_RU,
        "name": DEPUTY_NAME,
        "iin": DEPUTY_IIN,
        "position_kk": "Басшының міндетін атқарушы",
    }
    issued = portal.client.post(
        f"/api/v1/applications/{number}/decisions",
        json={"cms": b64(portal.sign(deputy, content))},
        headers=deputy.headers,
    )
    assert issued.status_code == 200, issued.text
    document = portal.client.get(
        f"/api/v1/documents/{issued.json()['document_number']}", headers=portal.applicant.headers
    ).json()
    assert document["signer_iin"] == DEPUTY_IIN
    assert document["document"]["signer"]["position"] == ACTING_RU
    _as_admin(portal, people)
    assert "Действует сейчас" in _table(portal)

    _at(portal, people, "2026-04-01T09:00")
    after = _draft(portal, deputy, later)
    assert after.status_code == 403
    assert "from 2026-03-30 to 2026-03-31" in after.json()["error"]["message"]


def test_acting_periods_of_one_person_may_not_overlap_and_one_can_be_ended(
    portal: Portal, people: dict[str, Person]
) -> None:
    token = _as_admin(portal, people)
    _grant(portal, token, DEPUTY_IIN, "examiner", DEPUTY_NAME)
    assert _record(portal, token, "2026-03-30", "2026-04-03").status_code == 303
    overlapping = _record(portal, token, "2026-04-03", "2026-04-07")
    assert overlapping.status_code == 422
    assert "Периоды одного лица не могут пересекаться" in overlapping.text
    assert 'id="first_day-error"' in overlapping.text
    past = _record(portal, token, "2026-03-01", "2026-03-02")
    assert "Последний день уже прошёл" in past.text
    backwards = _record(portal, token, "2026-04-10", "2026-04-09")
    assert "Последний день раньше первого." in backwards.text
    unfounded = _record(portal, token, "2026-04-10", "2026-04-12", basis=" ", first_day="10.04")
    assert "Укажите основание: номер и дату приказа." in unfounded.text
    assert "Введите дату, например 2026-12-07." in unfounded.text

    page = portal.client.get("/desk/staff").text
    [address] = re.findall(r'action="(/desk/staff/acting/\d+/end)"', page)
    asked = _post(portal, address, token)
    assert asked.status_code == 200
    assert "Да, завершить период сейчас" in asked.text
    ended = _post(portal, address, token, confirmed="yes")
    assert ended.status_code == 303
    assert "Отменён до начала" in _table(portal)
    again = _post(portal, address, token, confirmed="yes")
    assert again.status_code == 409
    assert "Этот период исполнения обязанностей уже завершён." in again.text
    [number] = _in_review(portal)
    _at(portal, people, "2026-03-31T10:00")
    assert _draft(portal, people["deputy"], number).status_code == 403
