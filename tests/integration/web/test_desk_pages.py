"""The officials' workspace on each database: `/desk` lists each duty's cases by deadline with
overdue said in words, `/desk/applications/{number}` reads a case back in full with the actions
open to the reader; applicants and the contact centre are turned away."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.permits.portal import PDF, Portal, form_json
from tests.integration.web.cabinet_portal import CLERK, EXAMINER, HEAD, open_portal, portal_people
from tests.support.pki import Person, ministry_official
from tests.support.web import sign_in_on_pages

from kepil.bootstrap import Container
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.services.permits.officials import GrantRole

AUDITOR_IIN = "800101300006"
OPERATOR_IIN = "800101300016"
REVIEWER_IIN = "800101300026"


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    found = portal_people()
    found["auditor"] = ministry_official(AUDITOR_IIN, "АУДИТОРОВА ДАНА")
    found["operator"] = ministry_official(OPERATOR_IIN, "ОПЕРАТОРОВ БЕРІК")
    found["reviewer"] = ministry_official(REVIEWER_IIN, "ШАҒЫМОВ ТАЛҒАТ")
    return found


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        container: Container = found.client.app.state.container  # type: ignore[attr-defined]
        for iin, role, name in (
            (AUDITOR_IIN, PermitRole.AUDITOR, "АУДИТОРОВА ДАНА"),
            (OPERATOR_IIN, PermitRole.CONTACT_CENTRE, "ОПЕРАТОРОВ БЕРІК"),
            (REVIEWER_IIN, PermitRole.COMPLAINT_REVIEWER, "ШАҒЫМОВ ТАЛҒАТ"),
        ):
            container.bus.handle(GrantRole(iin, role, name, "бас маман", "test"))
        yield found


def _as(portal: Portal, someone: Person) -> None:
    """Sign in on the pages as this person (the client keeps one session at a time)."""
    portal.client.cookies.delete("kepil_session")
    sign_in_on_pages(portal.client, someone.auth, portal.clock.now())


def _page(portal: Portal, address: str, lang: str = "ru", status: int = 200) -> str:
    answer = portal.client.get(address, params={"lang": lang})
    assert answer.status_code == status, answer.text
    return answer.text


def _text(html: str) -> str:
    """The words of a page, tags and runs of white space removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _file(portal: Portal, **changes: Any) -> str:
    created = portal.submit(form=form_json(**changes) if changes else None)
    assert created.status_code == 201, created.text
    return str(created.json()["number"])


def _section(html: str, role: str) -> str:
    """The words of one duty's section of the queue."""
    found = re.search(rf'<section aria-labelledby="duty-{role}".*?</section>', html, re.S)
    assert found, f"no section for {role}"
    return _text(found.group(0))


def _actions(html: str, number: str) -> list[str]:
    return re.findall(rf'href="/desk/applications/{number}/actions/(\w+)"', html)


def test_the_clerks_queue_lists_submitted_applications_by_deadline_with_overdue_in_words(
    portal: Portal,
) -> None:
    # Friday 20 March after hours: registered on Thursday the 26th (Nauryz days off).
    late = _file(portal)
    portal.at("2026-03-26T19:00")
    today = _file(portal, platform_name="Second Platform")
    portal.at("2026-03-27T10:00")
    _as(portal, portal.officials[CLERK])
    russian = _page(portal, "/desk", "ru")
    clerk = _section(russian, "clerk")
    assert clerk.index(late) < clerk.index(today)
    assert "Просрочено; рабочих дней сверх срока: 1." in clerk
    assert "Срок истекает сегодня." in clerk
    assert "Ожидают: 2; просрочено: 1." in clerk
    assert "Канцелярия Министерства" in clerk
    assert 'class="overdue-row"' in russian
    assert f'href="/desk/applications/{late}"' in russian
    kazakh = _section(_page(portal, "/desk", "kk"), "clerk")
    assert "Мерзімі 1 жұмыс күнге өтіп кетті." in kazakh
    assert "Тіркеу" in kazakh


def test_each_duty_sees_the_cases_where_its_move_is_declared(portal: Portal) -> None:
    number = _file(portal)
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    _as(portal, portal.officials[EXAMINER])
    examiner = _section(_page(portal, "/desk"), "examiner")
    assert number in examiner
    assert "Проверка полноты документов" in examiner
    assert "Ответственный исполнитель" in examiner
    _as(portal, portal.officials[HEAD])
    head = _section(_page(portal, "/desk"), "head")
    assert number in head
    _as(portal, portal.officials[CLERK])
    assert "Здесь ничего не ожидает." in _section(_page(portal, "/desk"), "clerk")


def test_complaints_to_register_and_to_review_are_in_the_queues(
    portal: Portal, people: dict[str, Person]
) -> None:
    number = _file(portal)
    complaint = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": "quality_control_agency",
        "target": "Заявление не зарегистрировано в срок",
        "text": "Прошу зарегистрировать заявление.",
    }
    cms = portal.sign(portal.applicant, canonical_bytes(complaint))
    filed = portal.client.post(
        "/api/v1/complaints",
        json={"cms": base64.b64encode(cms).decode()},
        headers=portal.applicant.headers,
    )
    assert filed.status_code == 201, filed.text
    complaint_number = str(filed.json()["number"])
    _as(portal, people["reviewer"])
    html = _page(portal, "/desk")
    reviewer = _section(html, "complaint_reviewer")
    assert complaint_number in reviewer
    assert "Регистрация жалобы" in reviewer
    assert "Поступила, ожидает регистрации" in reviewer
    assert f'href="/desk/complaints/{complaint_number}"' in html


def test_the_auditor_sees_the_overdue_count_and_a_link_to_the_monitoring(
    portal: Portal, people: dict[str, Person]
) -> None:
    _file(portal)
    portal.at("2026-03-30T10:00")
    _as(portal, people["auditor"])
    html = _page(portal, "/desk")
    auditor = _section(html, "auditor")
    # Registration was due on the 26th; the completeness check runs to the 30th, 18:30.
    assert "Этапов заявлений, просроченных сейчас: 1." in auditor
    assert 'href="/desk/monitoring"' in html


def test_the_case_page_reads_the_form_back_in_full_with_the_state_facts(portal: Portal) -> None:
    number = _file(portal)
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    _as(portal, portal.officials[EXAMINER])
    html = _page(portal, f"/desk/applications/{number}")
    words = _text(html)
    for part in (
        "ТОО «Тест»",
        "Юридическое лицо",
        "г. Астана, пр. Мангилик Ел, 55/20",
        "+7 701 123 45 67",
        "office@test.kz",
        "Kepil Grain Ledger",
        "Выпуск и обращение ОЦА, удостоверяющих права на зерно",
        "010000, Астана, Есильский, пр. Мангилик Ел, 55/20",
        "contract.pdf",
        "letter.pdf",
        "Договор контрактации",
        "31 декабря 2027",
        "Дано: «Подтверждаю достоверность представленной информации",
        "Сведения государственных информационных систем (пункт 4 Правил)",
        "Проверено 20 марта 2026.",
        "Государственная регистрация заявителя",
        "Вступивших в законную силу решений суда в отношении заявителя нет.",
        "Государственные системы не указывают оснований для отказа.",
        "КАНЦЕЛЯРОВА АЙГУЛЬ, главный эксперт",
        "Канцелярия Министерства",
        "Проверка полноты документов",
        "Осталось рабочих дней: 2.",
    ):
        assert part in words, part
    assert html.count("/acts/") == 2  # the signed form and the registration
    kazakh = _text(_page(portal, f"/desk/applications/{number}", "kk"))
    assert "Берілді:" in kazakh
    assert "Өтініш беруші қол қойған растаулар мен келісімдер" in kazakh


def test_the_signed_act_of_every_step_can_be_downloaded(portal: Portal) -> None:
    number = _file(portal)
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    _as(portal, portal.officials[HEAD])
    cms = portal.client.get(f"/desk/applications/{number}/acts/1.p7s")
    assert cms.status_code == 200
    assert cms.headers["content-type"] == "application/pkcs7-signature"
    assert cms.headers["content-disposition"].startswith("attachment;")
    assert cms.content[:1] == b"\x30"  # a DER SEQUENCE: the ContentInfo
    assert portal.client.get(f"/desk/applications/{number}/acts/2.p7s").status_code == 404


def test_the_actions_offered_match_the_role_and_the_status(portal: Portal) -> None:
    number = _file(portal)
    _as(portal, portal.officials[CLERK])
    assert _actions(_page(portal, f"/desk/applications/{number}"), number) == ["register"]
    _as(portal, portal.officials[HEAD])
    html = _page(portal, f"/desk/applications/{number}")
    assert _actions(html, number) == []
    assert "В этом статусе ни одной из ваших обязанностей не предусмотрено действие." in html
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    _as(portal, portal.officials[HEAD])
    assert _actions(_page(portal, f"/desk/applications/{number}"), number) == [
        "refuse_further_consideration"
    ]
    _as(portal, portal.officials[EXAMINER])
    assert _actions(_page(portal, f"/desk/applications/{number}"), number) == ["start_review"]
    _as(portal, portal.officials[CLERK])
    assert _actions(_page(portal, f"/desk/applications/{number}"), number) == []


def test_a_done_action_is_reported_once_back_on_the_case(portal: Portal) -> None:
    number = _file(portal)
    portal.at("2026-03-26T09:30")
    assert portal.decide(CLERK, number, "register").status_code == 200
    _as(portal, portal.officials[CLERK])
    address = f"/desk/applications/{number}"
    done = portal.client.get(address, params={"done": "register", "lang": "ru"})
    assert 'role="status">Заявление зарегистрировано.' in done.text.replace("\n", "")
    other = portal.client.get(address, params={"done": "<b>", "lang": "ru"})
    assert 'role="status"' not in other.text


def test_an_attached_pdf_opens_in_the_browser_and_nothing_runs_in_it(portal: Portal) -> None:
    number = _file(portal)
    _as(portal, portal.officials[EXAMINER])
    sha256 = hashlib.sha256(PDF).hexdigest()
    html = _page(portal, f"/desk/applications/{number}")
    assert f'href="/desk/applications/{number}/attachments/{sha256}">contract.pdf' in html
    opened = portal.client.get(f"/desk/applications/{number}/attachments/{sha256}")
    assert opened.status_code == 200
    assert opened.content == PDF
    assert opened.headers["content-type"] == "application/pdf"
    assert opened.headers["content-disposition"].startswith('inline; filename="contract.pdf"')
    assert opened.headers["x-content-type-options"] == "nosniff"
    policy = opened.headers["content-security-policy"]
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    missing = portal.client.get(f"/desk/applications/{number}/attachments/{'0' * 64}")
    assert missing.status_code == 404


def test_an_applicant_is_refused_the_workspace_in_their_language(portal: Portal) -> None:
    number = _file(portal)
    _as(portal, portal.applicant)
    for address in (
        "/desk",
        f"/desk/applications/{number}",
        f"/desk/applications/{number}/attachments/{hashlib.sha256(PDF).hexdigest()}",
        f"/desk/applications/{number}/acts/0.p7s",
    ):
        assert "Рабочее место Министерства" in _page(portal, address, "ru", status=403)
    assert "Министрліктің жұмыс орны" in _page(portal, "/desk", "kk", status=403)
    assert 'href="/desk"' not in _page(portal, "/cabinet")


def test_the_contact_centre_is_sent_to_its_own_page(
    portal: Portal, people: dict[str, Person]
) -> None:
    number = _file(portal)
    _as(portal, people["operator"])
    for address in ("/desk", f"/desk/applications/{number}"):
        answer = portal.client.get(address)
        assert answer.status_code == 303
        assert answer.headers["location"] == "/contact-centre"


def test_officials_have_a_workspace_link_in_the_header(portal: Portal) -> None:
    _as(portal, portal.officials[EXAMINER])
    html = _page(portal, "/", "ru")
    assert '<a href="/desk">Рабочее место</a>' in html
    assert '<a href="/desk" aria-current="page">Жұмыс орны</a>' in _page(portal, "/desk", "kk")


def test_a_stranger_is_sent_to_sign_in(portal: Portal) -> None:
    answer = portal.client.get("/desk")
    assert answer.status_code == 303
    assert answer.headers["location"].startswith("/login?next=/desk")


def test_the_cabinet_reads_the_form_back_in_full(portal: Portal) -> None:
    number = _file(portal, consents_to_personal_data_access=False)
    _as(portal, portal.applicant)
    words = _text(_page(portal, f"/cabinet/applications/{number}"))
    assert "Подтверждения и согласия, как их подписал заявитель" in words
    assert "Дано: «Подтверждаю достоверность представленной информации" in words
    assert "Не дано: «Согласен на доступ к персональным данным ограниченного доступа" in words
    assert "010000, Астана, Есильский, пр. Мангилик Ел, 55/20" in words
