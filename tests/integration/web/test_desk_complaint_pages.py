"""Complaints (Rules §13-§15) and changes to the Rules (§12) on the officials' pages: each step
offered by role and status, shown as the act to sign, signed with the official's TEST PKI signing
key as NCALayer would, and applied; refusals name the status or the duty; terms in working days,
overdue in words."""

from __future__ import annotations

import base64
import html
import json
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from tests.integration.permits.portal import OFFICIALS, Portal
from tests.integration.web.cabinet_portal import CLERK, EXAMINER, HEAD, portal_people
from tests.support.clock import MovableClock
from tests.support.pki import Person, b64, ministry_official, sign_bytes, trust_dir
from tests.support.web import csrf, sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.entrypoints.api.app import create_app
from kepil.services.permits.officials import GrantRole

REVIEWER_IIN, REVIEWER_NAME = "800501312341", "АГЕНТСТВОВ БОЛАТ"
JSON = {"Accept": "application/json"}
_SEEN = re.compile(r'name="seen" value="([^"]+)"')


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["reviewer"] = ministry_official(REVIEWER_IIN, REVIEWER_NAME)
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    # Monday 7 December 2026, office hours.
    clock = MovableClock("2026-12-07T10:00")
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    container = bootstrap(settings, clock=clock)
    for role, (iin, name) in OFFICIALS.items():
        container.bus.handle(GrantRole(iin, role, name, "главный эксперт", "test"))
    reviewer = GrantRole(
        REVIEWER_IIN, PermitRole.COMPLAINT_REVIEWER, REVIEWER_NAME, "эксперт", "test"
    )
    container.bus.handle(reviewer)
    with TestClient(create_app(container), follow_redirects=False) as client:
        officials = {role: people[str(role)] for role in OFFICIALS}
        officials[PermitRole.COMPLAINT_REVIEWER] = people["reviewer"]
        found = Portal(client, clock, people["applicant"], officials)
        for someone in (found.applicant, *officials.values()):
            found.login(someone)
        yield found


def file_complaint(portal: Portal, filed_with: str = "provider") -> tuple[str, str]:
    """An application and the applicant's signed complaint about it: (application, complaint)."""
    created = portal.submit()
    assert created.status_code == 201, created.text
    number = str(created.json()["number"])
    text = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": filed_with,
        "target": "Заявление не зарегистрировано",
        "text": "Прошу зарегистрировать заявление в установленный срок.",
    }
    cms = portal.sign(portal.applicant, canonical_bytes(text))
    filed = portal.client.post(
        "/api/v1/complaints", json={"cms": b64(cms)}, headers=portal.applicant.headers
    )
    assert filed.status_code == 201, filed.text
    return number, str(filed.json()["number"])


def on_pages(portal: Portal, role: PermitRole) -> Person:
    """The official of the duty signed in on the pages of the portal's browser."""
    return signed_in(portal, portal.officials[role])


def signed_in(portal: Portal, someone: Person) -> Person:
    """Someone signed in on the pages in place of whoever was (the browser's session ended)."""
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, someone.auth, portal.clock.now())
    return someone


def text_of(page: Response) -> str:
    """The words of a page, without its markup."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.text)))


def take_step(
    portal: Portal, official: Person, complaint: str, step: str, decision: str = ""
) -> Response:
    """What the browser does: open the step's page, prepare its act, sign it, send the CMS."""
    base = f"/desk/complaints/{complaint}/actions/{step}"
    page = portal.client.get(base, params={"lang": "ru"})
    assert page.status_code == 200, text_of(page)
    token, seen = csrf(page.text), seen_of(page)
    ready = post_json(portal, base + "/prepare", token, {"seen": seen, "decision": decision})
    assert ready.status_code == 200, ready.text
    content = base64.b64decode(ready.json()["data_b64"])
    return post_json(portal, base + "/send", token, {"cms": signed(portal, official, content)})


def seen_of(page: Response) -> str:
    found = _SEEN.search(page.text)
    assert found, "the step's page says which state it was made from"
    return found.group(1)


def signed(portal: Portal, official: Person, content: bytes) -> str:
    cms = sign_bytes(official.sign, content, portal.clock.now() - timedelta(seconds=1))
    return base64.b64encode(cms).decode()


def post_json(portal: Portal, address: str, token: str, data: dict[str, str]) -> Response:
    """A request as sign-and-send.js makes it, in Russian."""
    return portal.client.post(
        address,
        params={"lang": "ru"},
        data={**data, "csrf_token": token},
        headers={**JSON, "X-CSRF-Token": token},
    )


def api_complaint(portal: Portal, complaint: str) -> dict[str, Any]:
    answer = portal.client.get(
        f"/api/v1/complaints/{complaint}", headers=portal.officials[HEAD].headers
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_the_office_registers_and_the_examiner_satisfies_a_complaint_through_the_pages(
    portal: Portal,
) -> None:
    number, complaint = file_complaint(portal)
    clerk = on_pages(portal, CLERK)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert page.status_code == 200
    words = text_of(page)
    assert f"Жалоба {complaint}" in words
    assert "Прошу зарегистрировать заявление в установленный срок." in words
    assert f'href="/desk/applications/{number}"' in page.text
    assert "Регистрация в день поступления жалобы" in words
    assert "Идёт; срок истекает сегодня." in words
    assert f"/desk/complaints/{complaint}/actions/register" in page.text
    assert "/actions/satisfy" not in page.text, "nothing but registering before registration"
    done = take_step(portal, clerk, complaint, "register")
    assert done.status_code == 200, done.text
    assert done.json()["location"] == f"/desk/complaints/{complaint}?done=register"
    assert api_complaint(portal, complaint)["registered_at"] is not None

    examiner = on_pages(portal, EXAMINER)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "kk"})
    assert f"/desk/complaints/{complaint}/actions/satisfy" in page.text
    assert f"/desk/complaints/{complaint}/actions/forward" in page.text
    assert "КАНЦЕЛЯРОВА АЙГУЛЬ (ЖСН 850315400124)" in text_of(page), "the registrar who signed"
    decision = "Заявление зарегистрировано 7 декабря 2026 года."
    done = take_step(portal, examiner, complaint, "satisfy", decision)
    assert done.status_code == 200, done.text
    shown = api_complaint(portal, complaint)
    assert shown["status"] == "satisfied_by_provider"
    assert shown["history"][-1]["decision"] == decision
    told = text_of(portal.client.get(done.json()["location"] + "&lang=ru"))
    assert "Выполнено: Удовлетворить жалобу в течение 3 рабочих дней" in told
    assert "Подписано ЭЦП: ЭКСПЕРТОВ АРМАН (ИИН 781102303459)" in told
    assert "По жалобе принято решение" in told


def test_the_examiner_forwards_with_the_case_file_and_the_reviewer_decides(
    portal: Portal,
) -> None:
    number, complaint = file_complaint(portal)
    take_step(portal, on_pages(portal, CLERK), complaint, "register")
    examiner = on_pages(portal, EXAMINER)
    page = portal.client.get(f"/desk/complaints/{complaint}/actions/forward", params={"lang": "ru"})
    words = text_of(page)
    assert "Административное дело" in words
    assert "contract.pdf" in words
    assert "letter.pdf" in words
    base = f"/desk/complaints/{complaint}/actions/forward"
    token = csrf(page.text)
    ready = post_json(portal, base + "/prepare", token, {"seen": seen_of(page)})
    act = json.loads(base64.b64decode(ready.json()["data_b64"]))
    assert act["action"] == "forward"
    assert act["case_file"]["application_number"] == number
    assert [a["file_name"] for a in act["case_file"]["attachments"]] == [
        "contract.pdf",
        "letter.pdf",
    ]
    content = base64.b64decode(ready.json()["data_b64"])
    sent = post_json(portal, base + "/send", token, {"cms": signed(portal, examiner, content)})
    assert sent.status_code == 200, sent.text
    assert api_complaint(portal, complaint)["status"] == "forwarded"

    contract = re.search(
        r'href="(/desk/complaints/[^"]+/case-file/attachments/[0-9a-f]+)"', page.text
    )
    assert contract
    opened = portal.client.get(contract.group(1))
    assert opened.status_code == 200
    assert opened.headers["content-disposition"].startswith("inline")
    assert opened.content.startswith(b"%PDF")

    reviewer = on_pages(portal, PermitRole.COMPLAINT_REVIEWER)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert "/actions/uphold" in page.text
    assert "/actions/reject" in page.text
    done = take_step(portal, reviewer, complaint, "reject", "Нарушений сроков не установлено.")
    assert done.status_code == 200, done.text
    shown = api_complaint(portal, complaint)
    assert shown["status"] == "rejected"
    assert shown["pre_trial_appeal_exhausted"] is True
    told = text_of(portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"}))
    assert "Досудебное обжалование завершено" in told
    assert "АГЕНТСТВОВ БОЛАТ (ИИН 800501312341)" in told


def test_a_step_the_status_does_not_allow_is_not_offered_and_refused_naming_the_status(
    portal: Portal,
) -> None:
    _, complaint = file_complaint(portal)
    take_step(portal, on_pages(portal, CLERK), complaint, "register")
    examiner = on_pages(portal, EXAMINER)
    forward_page = portal.client.get(f"/desk/complaints/{complaint}/actions/forward")
    take_step(portal, examiner, complaint, "forward")
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert "/actions/satisfy" not in page.text
    assert "Следующий шаг не в ваших полномочиях" in text_of(page)
    refused = portal.client.get(
        f"/desk/complaints/{complaint}/actions/satisfy", params={"lang": "ru"}
    )
    assert refused.status_code == 409
    assert "статус жалобы — «Направлена в орган, рассматривающий жалобу»" in text_of(refused)
    # Posted anyway, with an act signed over the bytes a page would have prepared.
    act = canonical_bytes(
        {"action": "satisfy", "complaint_number": complaint, "decision": "Удовлетворить"}
    )
    token = csrf(page.text)
    sent = post_json(
        portal,
        f"/desk/complaints/{complaint}/actions/satisfy/send",
        token,
        {"cms": signed(portal, examiner, act)},
    )
    assert sent.status_code == 409
    message = sent.json()["problems"][0]["message"]
    assert "«Направлена в орган, рассматривающий жалобу»" in message
    # A page opened before the forwarding is told to reload, not to sign a stale step.
    stale = post_json(
        portal,
        f"/desk/complaints/{complaint}/actions/forward/prepare",
        csrf(forward_page.text),
        {"seen": seen_of(forward_page)},
    )
    assert stale.status_code == 409
    assert "Обновите страницу" in stale.json()["problems"][0]["message"]
    assert api_complaint(portal, complaint)["status"] == "forwarded"


def test_a_step_outside_the_officials_duties_is_refused_naming_who_takes_it(
    portal: Portal,
) -> None:
    _, complaint = file_complaint(portal)
    clerk = on_pages(portal, CLERK)
    take_step(portal, clerk, complaint, "register")
    refused = portal.client.get(
        f"/desk/complaints/{complaint}/actions/satisfy", params={"lang": "ru"}
    )
    assert refused.status_code == 403
    assert "Этот шаг не входит в ваши обязанности" in text_of(refused)
    act = canonical_bytes(
        {"action": "uphold", "complaint_number": complaint, "decision": "Признать"}
    )
    sent = post_json(
        portal,
        f"/desk/complaints/{complaint}/actions/uphold/send",
        csrf(refused.text),
        {"cms": signed(portal, clerk, act)},
    )
    assert sent.status_code in {403, 409}
    assert api_complaint(portal, complaint)["status"] == "registered"


def test_two_officials_registering_at_once_one_wins_the_other_is_told_to_reload(
    portal: Portal,
) -> None:
    _, complaint = file_complaint(portal)
    clerk = on_pages(portal, CLERK)
    base = f"/desk/complaints/{complaint}/actions/register"
    page = portal.client.get(base)
    token = csrf(page.text)
    ready = post_json(portal, base + "/prepare", token, {"seen": seen_of(page)})
    content = base64.b64decode(ready.json()["data_b64"])
    first = post_json(portal, base + "/send", token, {"cms": signed(portal, clerk, content)})
    assert first.status_code == 200, first.text
    portal.clock.advance(timedelta(seconds=5))
    second = post_json(portal, base + "/send", token, {"cms": signed(portal, clerk, content)})
    assert second.status_code == 409
    assert "Обновите страницу" in second.json()["problems"][0]["message"]


def test_a_missed_term_is_said_in_words_with_working_days_past(portal: Portal) -> None:
    _, complaint = file_complaint(portal)
    take_step(portal, on_pages(portal, CLERK), complaint, "register")
    # Monday 14 December: the 3 working days to satisfy or forward (§13) ended on the 10th.
    portal.at("2026-12-14T10:00")
    on_pages(portal, EXAMINER)
    words = text_of(portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"}))
    assert "Срок по этой жалобе пропущен." in words
    assert "Срок истёк, ещё не выполнено. Рабочих дней после срока: 2." in words
    kazakh = text_of(portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "kk"}))
    assert "Мерзімі өтіп кетті, әлі орындалған жоқ." in kazakh


def test_only_officials_open_the_complaint_desk(portal: Portal) -> None:
    _, complaint = file_complaint(portal)
    signed_in(portal, portal.applicant)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert page.status_code == 403
    assert "Для должностных лиц Министерства" in text_of(page)
    assert portal.client.get("/desk/complaints").status_code == 403
    on_pages(portal, CLERK)
    listed = portal.client.get("/desk/complaints", params={"lang": "ru"})
    assert listed.status_code == 200
    assert f'href="/desk/complaints/{complaint}"' in listed.text
    assert "Поступила, ожидает регистрации" in text_of(listed)
    assert portal.client.get("/desk/complaints/CMP-2026-999999").status_code == 404
    assert portal.client.get(f"/desk/complaints/{complaint}/actions/mood").status_code == 404


def test_the_head_records_a_rule_change_and_the_office_marks_a_notice_sent(
    portal: Portal,
) -> None:
    on_pages(portal, HEAD)
    page = portal.client.get("/desk/rule-changes", params={"lang": "ru"})
    assert page.status_code == 200
    assert "Изменения в Правила не вносились." in text_of(page)
    typed = {
        "identifier": "130/НҚ-2026-2",
        "adopted_on": "2026-12-07",
        "effective_on": "2026-12-20",
        "summary": "Уточнён перечень документов",
        "csrf_token": csrf(page.text),
    }
    recorded = portal.client.post("/desk/rule-changes", data=typed)
    assert recorded.status_code == 303
    again = portal.client.post("/desk/rule-changes", data=typed, params={"lang": "ru"})
    assert again.status_code == 409
    assert "Редакция с таким идентификатором уже внесена." in text_of(again)
    backwards = portal.client.post(
        "/desk/rule-changes",
        data={**typed, "identifier": "130/НҚ-2026-3", "effective_on": "2026-12-01"},
        params={"lang": "ru"},
    )
    assert backwards.status_code == 422
    assert 'id="effective_on-error"' in backwards.text

    clerk = on_pages(portal, CLERK)
    listing = portal.client.get(recorded.headers["location"], params={"lang": "ru"})
    assert 'action="/desk/rule-changes"' not in listing.text, "recording is the head's"
    change = re.search(
        r'action="/desk/rule-changes/([^/]+)/notices/unified_contact_centre/sent"', listing.text
    )
    assert change
    marked = portal.client.post(
        f"/desk/rule-changes/{change.group(1)}/notices/unified_contact_centre/sent",
        data={"csrf_token": csrf(listing.text)},
    )
    assert marked.status_code == 303
    # Friday 11 December: the notice to the e-gov operator was due on the 10th.
    portal.at("2026-12-11T12:00")
    signed_in(portal, clerk)
    words = text_of(portal.client.get("/desk/rule-changes", params={"lang": "ru"}))
    assert "Информация о 130/НҚ-2026-2 направлена 7 декабря 2026" in words
    assert "направил(а): КАНЦЕЛЯРОВА АЙГУЛЬ" in words
    assert "Срок истёк, не направлено." in words
    assert "Просроченная информация" in words


def test_the_rule_change_page_is_refused_without_a_duty_or_the_forms_token(
    portal: Portal,
) -> None:
    signed_in(portal, portal.applicant)
    assert portal.client.get("/desk/rule-changes").status_code == 403
    on_pages(portal, HEAD)
    refused = portal.client.post(
        "/desk/rule-changes",
        data={"identifier": "X", "adopted_on": "2026-12-07", "effective_on": "2026-12-07"},
    )
    assert refused.status_code == 403
    listed = portal.client.get(
        "/api/v1/rule-changes", headers=portal.officials[HEAD].headers
    ).json()
    assert listed["total"] == 0


def test_a_complaint_to_the_agency_is_registered_and_upheld_by_its_reviewer_alone(
    portal: Portal,
) -> None:
    _, complaint = file_complaint(portal, "quality_control_agency")
    on_pages(portal, CLERK)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert "/actions/register" not in page.text
    assert "его совершает Орган, рассматривающий жалобу" in text_of(page)
    reviewer = on_pages(portal, PermitRole.COMPLAINT_REVIEWER)
    assert take_step(portal, reviewer, complaint, "register").status_code == 200
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    assert "/actions/forward" not in page.text, "nothing is forwarded from the agency"
    assert "Рассмотрение жалобы (пункт 14 Правил) — рабочих дней: 15" in text_of(page)
    done = take_step(portal, reviewer, complaint, "uphold", "Жалоба обоснована.")
    assert done.status_code == 200, done.text
    assert api_complaint(portal, complaint)["status"] == "upheld"


def test_the_case_file_opens_the_documents_issued_on_the_case(portal: Portal) -> None:
    number, complaint = file_complaint(portal)
    assert portal.decide(CLERK, number, "register").status_code == 200
    portal.at("2026-12-08T11:00")
    assert portal.decide(EXAMINER, number, "start_review").status_code == 200
    portal.at("2026-12-09T16:00")
    issued = portal.sign_document(number, "permit")
    assert issued.status_code == 200, issued.text
    document = str(issued.json()["document_number"])
    on_pages(portal, EXAMINER)
    page = portal.client.get(f"/desk/complaints/{complaint}", params={"lang": "ru"})
    link = f"/desk/complaints/{complaint}/case-file/documents/{document}"
    assert f'href="{link}"' in page.text
    opened = portal.client.get(link)
    assert opened.status_code == 200
    assert opened.headers["content-disposition"].startswith("inline")
    assert json.loads(opened.content)["document_type"] == "permit"
    other = portal.client.get(f"/desk/complaints/{complaint}/case-file/documents/PRM-0")
    assert other.status_code == 404
