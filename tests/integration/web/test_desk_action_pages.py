"""`/desk/applications/{number}/actions/{action}`: an official signs each declared action of the
procedure on a page (the act shown exactly as signed, or the result document as the applicant
will read it), with real TEST PKI signatures by officials holding the duty; and the bad input:
an action the status does not allow, a duty not held, two officials at once, a reused act and a
signature over other bytes than the document shown."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from httpx2 import Response
from tests.integration.permits.portal import Portal, form_json
from tests.integration.web.cabinet_portal import CLERK, EXAMINER, HEAD, open_portal, portal_people
from tests.support.pki import Person, b64, ministry_official
from tests.support.signatures import principal
from tests.support.web import csrf, sign_in_on_pages

from kepil.adapters.db.application_repository import SqlApplicationRepository
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.services.permits.decisions import DecideOnApplication, decide
from kepil.services.permits.officials import GrantRole

JSON = {"Accept": "application/json"}
_SHA256 = re.compile(r'name="sha256" value="([0-9a-f]{64})"')


SECOND_CLERK = "910505400329"
_REGISTER = {"action": "register"}


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["second_clerk"] = ministry_official(SECOND_CLERK, "ЕКІНШІ КЕҢСЕ")
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        found.at("2026-04-06T10:00")  # Monday
        yield found


def words(text: str) -> str:
    """A page's text without its markup, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def filed(portal: Portal) -> str:
    created = portal.submit()
    assert created.status_code == 201, created.text
    return str(created.json()["number"])


def on_pages(portal: Portal, role: PermitRole) -> Person:
    """The official signs in on the pages (the browser's session is theirs from now)."""
    person = portal.officials[role]
    portal.client.cookies.clear()  # a browser where no one is signed in
    sign_in_on_pages(portal.client, person.auth, portal.clock.now())
    return person


def address(number: str, action: str) -> str:
    return f"/desk/applications/{number}/actions/{action}"


def post_json(portal: Portal, where: str, token: str, data: dict[str, Any]) -> Response:
    """A request as sign-and-send.js makes it."""
    return portal.client.post(
        where, data={**data, "csrf_token": token}, headers={**JSON, "X-CSRF-Token": token}
    )


def prepared(portal: Portal, number: str, action: str, data: dict[str, Any]) -> tuple[str, bytes]:
    """The page's CSRF token and the exact bytes the server gives to sign."""
    page = portal.client.get(address(number, action), params={"lang": "ru"})
    assert page.status_code == 200, page.text
    token = csrf(page.text)
    ready = post_json(portal, address(number, action) + "/prepare", token, data)
    assert ready.status_code == 200, ready.text
    return token, base64.b64decode(ready.json()["data_b64"])


def send(
    portal: Portal, person: Person, number: str, action: str, token: str, content: bytes
) -> Response:
    cms = b64(portal.sign(person, content))
    return post_json(portal, address(number, action) + "/send", token, {"cms": cms})


def act(portal: Portal, role: PermitRole, number: str, action: str, **data: Any) -> bytes:
    """The official signs the step on its page; the case page is where they land."""
    person = on_pages(portal, role)
    token, content = prepared(portal, number, action, data)
    done = send(portal, person, number, action, token, content)
    assert done.status_code == 200, done.text
    assert done.json() == {"location": f"/desk/applications/{number}?done={action}"}
    return content


def document_page(portal: Portal, number: str, action: str, data: dict[str, Any]) -> Response:
    """The head's page with the document drafted: at once, or after "Show the document"."""
    if not data:
        return portal.client.get(address(number, action), params={"lang": "ru"})
    page = portal.client.get(address(number, action), params={"lang": "ru"})
    return portal.client.post(
        address(number, action) + "?lang=ru", data={**data, "csrf_token": csrf(page.text)}
    )


def sign_document(portal: Portal, number: str, action: str, **data: Any) -> tuple[Response, bytes]:
    """The head reads the rendered document, signs exactly its bytes and sends them."""
    head = on_pages(portal, HEAD)
    page = document_page(portal, number, action, data)
    assert page.status_code == 200, page.text
    shown = _SHA256.search(page.text)
    assert shown, "the page shows no document to sign"
    token = csrf(page.text)
    ready = post_json(
        portal, address(number, action) + "/prepare", token, {**data, "sha256": shown.group(1)}
    )
    assert ready.status_code == 200, ready.text
    content = base64.b64decode(ready.json()["data_b64"])
    assert hashlib.sha256(content).hexdigest() == shown.group(1)
    return send(portal, head, number, action, token, content), content


def under_review(portal: Portal) -> str:
    number = filed(portal)
    act(portal, CLERK, number, "register")
    act(portal, EXAMINER, number, "start_review")
    return number


# Rules §8: the notice of the preliminary decision carries the hearing's time and place.
HEARING = {"hearing_date": "2026-04-08", "hearing_time": "15:00", "place": "онлайн"}


def heard(portal: Portal) -> str:
    """A case with a preliminary refusal on ground 2 and a hearing held."""
    number = under_review(portal)
    portal.at("2026-04-07T10:00")
    act(
        portal,
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=["2"],
        motivation="нет 5 узлов",
        **HEARING,
    )
    portal.at("2026-04-08T15:30")
    act(
        portal,
        EXAMINER,
        number,
        "hold_hearing",
        applicant_attended="yes",
        applicant_position="Не согласны",
    )
    return number


def test_the_clerk_registers_on_the_page_signing_the_act_shown(portal: Portal) -> None:
    number = filed(portal)
    on_pages(portal, CLERK)
    page = portal.client.get(address(number, "register"), params={"lang": "ru"})
    assert page.status_code == 200
    shown = html.unescape(page.text)
    assert '"action": "register"' in shown
    assert f'"application_number": "{number}"' in shown
    assert 'data-iin="850315400124"' in page.text
    kazakh = portal.client.get(address(number, "register"), params={"lang": "kk"})
    assert f"{number} өтінішін тіркеу" in words(kazakh.text)
    assert "ЭЦҚ-мен қол қойып, тіркеу" in kazakh.text
    content = act(portal, CLERK, number, "register")
    assert content == canonical_bytes({"action": "register", "application_number": number})
    assert portal.application(number)["status"] == "registered"


def test_the_examiner_starts_the_review(portal: Portal) -> None:
    number = filed(portal)
    act(portal, CLERK, number, "register")
    act(portal, EXAMINER, number, "start_review")
    assert portal.application(number)["status"] == "under_review"


def test_the_examiner_signs_a_preliminary_refusal_with_the_grounds_chosen(portal: Portal) -> None:
    number = under_review(portal)
    on_pages(portal, EXAMINER)
    page = portal.client.get(address(number, "issue_preliminary_refusal"), params={"lang": "ru"})
    for ground in range(1, 6):
        assert f'name="grounds" value="{ground}"' in page.text
    content = act(
        portal,
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=["2", "1"],
        motivation="  Гарантийное письмо не подтверждает 5 узлов  ",
        **HEARING,
    )
    assert json.loads(content) == {
        "action": "issue_preliminary_refusal",
        "application_number": number,
        "grounds": [1, 2],
        "motivation": "Гарантийное письмо не подтверждает 5 узлов",
        "hearing_at": "2026-04-08T15:00:00+05:00",
        "place": "онлайн",
    }
    assert portal.application(number)["status"] == "hearing_scheduled"


def test_the_preliminary_refusal_without_grounds_or_motivation_is_refused_beside_them(
    portal: Portal,
) -> None:
    number = under_review(portal)
    on_pages(portal, EXAMINER)
    page = portal.client.get(address(number, "issue_preliminary_refusal"), params={"lang": "ru"})
    where = address(number, "issue_preliminary_refusal")
    refused = post_json(portal, where + "/prepare", csrf(page.text), {"motivation": " "})
    assert refused.status_code == 422
    fields = [p["field"] for p in refused.json()["problems"]]
    assert fields == ["grounds", "motivation", "hearing_date", "place"]
    assert (
        refused.json()["problems"][0]["message"]
        == "Выберите хотя бы одно основание из пункта 10 приложения 1."
    )
    # Without JavaScript the page comes back with what was typed and each problem beside it.
    again = portal.client.post(
        where + "?lang=ru", data={"csrf_token": csrf(page.text), "motivation": "<b>почему</b>"}
    )
    assert again.status_code == 422
    assert 'id="grounds-error"' in again.text
    assert "&lt;b&gt;почему&lt;/b&gt;" in again.text
    assert portal.application(number)["status"] == "under_review"


def test_the_notice_sets_the_hearing_which_moves_once_and_is_held_on_almaty_time(
    portal: Portal,
) -> None:
    number = under_review(portal)
    portal.at("2026-04-07T10:00")
    on_pages(portal, EXAMINER)
    where = address(number, "issue_preliminary_refusal")
    page = portal.client.get(where, params={"lang": "ru"})
    # The limits of §8 are shown before the examiner acts (2 working days from the notice).
    assert "Заслушивание проводится не позднее 9 апреля 2026" in words(page.text)
    # Without JavaScript "Check the act" shows the act with what was typed, Almaty time.
    typed = {**HEARING, "grounds": "2", "motivation": "нет"}
    checked = portal.client.post(
        where + "?lang=ru", data={**typed, "check": "yes", "csrf_token": csrf(page.text)}
    )
    assert checked.status_code == 200
    assert '"hearing_at": "2026-04-08T15:00:00+05:00"' in html.unescape(checked.text)
    act(
        portal,
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=["2"],
        motivation="нет",
        **HEARING,
    )
    assert portal.application(number)["status"] == "hearing_scheduled"
    portal.at("2026-04-08T09:00")
    content = act(
        portal,
        EXAMINER,
        number,
        "schedule_hearing",
        hearing_date="2026-04-09",
        hearing_time="11:00",
        place="г. Астана, пр. Мангилик Ел, 55/20, каб. 301",
    )
    assert json.loads(content)["hearing_at"] == "2026-04-09T11:00:00+05:00"
    # One move only: the page says so before the examiner tries again.
    again = portal.client.get(address(number, "schedule_hearing"), params={"lang": "ru"})
    assert "Заслушивание уже переносилось; Правила допускают один перенос." in words(again.text)
    portal.at("2026-04-09T11:30")
    content = act(
        portal, EXAMINER, number, "hold_hearing", applicant_attended="no", applicant_position=""
    )
    assert json.loads(content)["applicant_attended"] is False
    assert portal.application(number)["status"] == "hearing_held"


def test_a_hearing_set_in_the_past_is_refused_beside_its_date(portal: Portal) -> None:
    number = under_review(portal)
    portal.at("2026-04-07T10:00")
    on_pages(portal, EXAMINER)
    where = address(number, "issue_preliminary_refusal")
    page = portal.client.get(where, params={"lang": "ru"})
    typed = {"grounds": "2", "motivation": "нет", "place": ""}
    refused = post_json(
        portal,
        where + "/prepare",
        csrf(page.text),
        {**typed, "hearing_date": "2026-04-06", "hearing_time": "15:00"},
    )
    assert refused.status_code == 422
    assert [p["field"] for p in refused.json()["problems"]] == ["hearing_date", "place"]


def test_a_hearing_beyond_two_working_days_is_refused_with_the_limit_named(
    portal: Portal,
) -> None:
    number = under_review(portal)
    portal.at("2026-04-07T10:00")
    examiner = on_pages(portal, EXAMINER)
    beyond = {"grounds": "2", "motivation": "нет", "place": "онлайн"}
    beyond |= {"hearing_date": "2026-04-13", "hearing_time": "10:00"}
    token, content = prepared(portal, number, "issue_preliminary_refusal", beyond)
    refused = send(portal, examiner, number, "issue_preliminary_refusal", token, content)
    assert refused.status_code == 409
    [problem] = refused.json()["problems"]
    assert problem["field"] == "hearing_date"
    assert "не позднее 2 рабочих дней" in problem["message"]
    assert "9 апреля 2026" in problem["message"]
    assert portal.application(number)["status"] == "under_review"


def test_the_head_signs_the_refusal_rendered_as_the_applicant_will_read_it(
    portal: Portal,
) -> None:
    number = heard(portal)
    on_pages(portal, HEAD)
    page = portal.client.get(address(number, "refuse"), params={"lang": "ru"})
    assert page.status_code == 200
    # Only the ground of the preliminary decision is offered; nothing is drafted yet.
    assert 'name="grounds" value="2"' in page.text
    assert 'name="grounds" value="1"' not in page.text
    assert 'name="sha256"' not in page.text
    data = {"grounds": ["2"], "motivation": "Не подтверждены 5 узлов"}
    shown = document_page(portal, number, "refuse", data)
    text = words(shown.text)
    assert "Мотивированный отказ в выдаче разрешения" in text
    assert "Основания для отказа (пункт 10 приложения 1)" in text
    assert "Не подтверждены 5 узлов" in text
    assert "РУКОВОДИТЕЛЕВ ЕРЛАН" in text  # the signer, as the applicant will read it
    assert "SHA-256" in text
    done, content = sign_document(portal, number, "refuse", **data)
    assert done.status_code == 200, done.text
    assert done.json()["location"] == f"/desk/applications/{number}?done=refuse"
    case = portal.application(number)
    assert case["status"] == "refused"
    issued = portal.client.get(
        f"/api/v1/documents/{case['documents'][0]['number']}", headers=portal.applicant.headers
    ).json()
    assert base64.b64decode(issued["content_b64"]) == content


def test_the_head_issues_a_permit_on_another_case(portal: Portal) -> None:
    number = under_review(portal)
    done, content = sign_document(portal, number, "issue_permit")
    assert done.status_code == 200, done.text
    assert json.loads(content)["document_type"] == "permit"
    assert portal.application(number)["status"] == "permit_issued"


def test_the_head_refuses_further_consideration_of_an_incomplete_package(
    portal: Portal,
) -> None:
    form = form_json()
    form["attachments"][0]["valid_until"] = "2026-01-31"
    created = portal.submit(form=form)
    number = str(created.json()["number"])
    act(portal, CLERK, number, "register")
    done, _ = sign_document(portal, number, "refuse_further_consideration")
    assert done.status_code == 200, done.text
    assert portal.application(number)["status"] == "refused_further_consideration"


def test_an_action_the_status_does_not_allow_is_refused_naming_the_status(
    portal: Portal,
) -> None:
    number = filed(portal)
    act(portal, CLERK, number, "register")
    on_pages(portal, CLERK)
    page = portal.client.get(address(number, "register"), params={"lang": "ru"})
    assert page.status_code == 409
    assert "«Зарегистрировано»" in words(page.text) or "Зарегистрировано" in words(page.text)
    # Posted anyway (a stale page): refused with the status named, nothing changes.
    content = canonical_bytes({"action": "register", "application_number": number})
    refused = send(portal, portal.officials[CLERK], number, "register", csrf(page.text), content)
    assert refused.status_code == 409
    assert "Зарегистрировано" in refused.json()["problems"][0]["message"]


def test_an_official_without_the_duty_is_refused_naming_the_duty_needed(portal: Portal) -> None:
    number = filed(portal)
    examiner = on_pages(portal, EXAMINER)
    page = portal.client.get(address(number, "register"), params={"lang": "ru"})
    assert page.status_code == 403
    assert "Канцелярия" in words(page.text)
    content = canonical_bytes({"action": "register", "application_number": number})
    refused = send(portal, examiner, number, "register", csrf(page.text), content)
    assert refused.status_code == 403
    assert portal.application(number)["status"] == "submitted"


def test_an_applicant_on_the_desk_is_refused_naming_the_duty_even_on_its_own_case(
    portal: Portal,
) -> None:
    number = filed(portal)
    portal.client.cookies.clear()
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())
    page = portal.client.get(address(number, "register"), params={"lang": "ru"})
    assert page.status_code == 403
    assert "«Канцелярия Министерства»" in words(page.text)
    withdraw = canonical_bytes({"action": "withdraw", "application_number": number})
    refused = send(portal, portal.applicant, number, "register", csrf(page.text), withdraw)
    assert refused.status_code == 403
    assert portal.application(number)["status"] == "submitted"


def test_a_result_the_status_does_not_allow_is_refused_naming_the_status(portal: Portal) -> None:
    number = filed(portal)
    act(portal, CLERK, number, "register")
    on_pages(portal, HEAD)
    page = portal.client.get(address(number, "issue_permit"), params={"lang": "kk"})
    assert page.status_code == 409
    assert "«Тіркелді»" in words(page.text)
    assert 'name="sha256"' not in page.text


def test_an_unknown_action_is_not_found(portal: Portal) -> None:
    number = filed(portal)
    on_pages(portal, CLERK)
    assert portal.client.get(address(number, "submit")).status_code == 404
    assert portal.client.get(address(number, "withdraw")).status_code == 404
    assert portal.client.get(address("APP-2026-999999", "register")).status_code == 404


def test_a_signed_act_sent_again_is_refused_naming_the_status_it_brought(portal: Portal) -> None:
    number = filed(portal)
    clerk = on_pages(portal, CLERK)
    token, content = prepared(portal, number, "register", {})
    cms = b64(portal.sign(clerk, content))
    first = post_json(portal, address(number, "register") + "/send", token, {"cms": cms})
    assert first.status_code == 200
    again = post_json(portal, address(number, "register") + "/send", token, {"cms": cms})
    assert again.status_code == 409
    assert "«Зарегистрировано»" in again.json()["problems"][0]["message"]
    history = portal.application(number)["history"]
    assert [line["kind"] for line in history].count("application_registered") == 1


def test_two_officials_at_once_one_wins_and_the_other_is_told_to_reload(
    portal: Portal, people: dict[str, Person], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = filed(portal)
    container = portal.client.app.state.container  # type: ignore[attr-defined]
    second = people["second_clerk"]
    container.bus.handle(GrantRole(SECOND_CLERK, CLERK, "ЕКІНШІ КЕҢСЕ", "маман", "test"))
    twin_cms = portal.sign(second, canonical_bytes(_REGISTER | {"application_number": number}))
    clerk = on_pages(portal, CLERK)
    token, content = prepared(portal, number, "register", {})
    # The race is forced, not hoped for: when the first clerk's registration is about to be
    # written, the second clerk's runs to its commit.
    write = SqlApplicationRepository.save
    armed = [True]

    def write_after_another_acts(
        self: SqlApplicationRepository,
        application: Any,
        expected_version: int,
        state_facts: Any = None,
    ) -> int:
        if armed and armed.pop():
            twin = DecideOnApplication(principal(SECOND_CLERK), number, twin_cms)
            decide(twin, container.uow(), container.permits)
        return write(self, application, expected_version, state_facts)

    monkeypatch.setattr(SqlApplicationRepository, "save", write_after_another_acts)
    lost = send(portal, clerk, number, "register", token, content)
    monkeypatch.undo()
    assert not armed, "the second clerk did not act"
    assert lost.status_code == 409
    assert lost.json()["problems"] == [
        {
            "field": "form",
            "message": "По этому делу только что действовал кто-то другой; обновите страницу, "
            "чтобы увидеть его новый статус.",
        }
    ]
    history = portal.application(number)["history"]
    registered = [line for line in history if line["kind"] == "application_registered"]
    assert [line["actor_name"] for line in registered] == ["ЕКІНШІ КЕҢСЕ"]


def test_a_signature_over_other_bytes_than_the_document_shown_is_refused(
    portal: Portal,
) -> None:
    number = under_review(portal)
    head = on_pages(portal, HEAD)
    page = document_page(portal, number, "issue_permit", {})
    draft = json.loads(
        base64.b64decode(
            post_json(
                portal,
                address(number, "issue_permit") + "/prepare",
                csrf(page.text),
                {"sha256": _SHA256.search(page.text).group(1)},  # type: ignore[union-attr]
            ).json()["data_b64"]
        )
    )
    draft["platform_name"] = "Другая платформа"
    refused = send(portal, head, number, "issue_permit", csrf(page.text), canonical_bytes(draft))
    assert refused.status_code == 409
    assert refused.json()["problems"][0]["message"].startswith("Подпись поставлена")
    assert portal.application(number)["status"] == "under_review"


def test_prepare_refuses_when_the_document_changed_since_it_was_shown(portal: Portal) -> None:
    number = under_review(portal)
    on_pages(portal, HEAD)
    page = document_page(portal, number, "issue_permit", {})
    stale = post_json(
        portal, address(number, "issue_permit") + "/prepare", csrf(page.text), {"sha256": "0" * 64}
    )
    assert stale.status_code == 409
    assert stale.json()["problems"][0]["field"] == "form"


def test_a_motivation_of_several_lines_is_signed_as_it_was_shown(portal: Portal) -> None:
    number = heard(portal)
    on_pages(portal, HEAD)
    typed = {"grounds": ["2"], "motivation": "Первое.\r\nВторое."}  # as a textarea sends it
    page = document_page(portal, number, "refuse", typed)
    shown = _SHA256.search(page.text)
    assert shown
    assert 'name="motivation" value="Первое.\nВторое."' in page.text
    # The hidden field gives the line end back as HTML keeps it: the same bytes are drafted.
    kept = {"grounds": ["2"], "motivation": "Первое.\nВторое.", "sha256": shown.group(1)}
    ready = post_json(portal, address(number, "refuse") + "/prepare", csrf(page.text), kept)
    assert ready.status_code == 200, ready.text
    signed = json.loads(base64.b64decode(ready.json()["data_b64"]))
    assert signed["motivation"] == "Первое.\nВторое."
