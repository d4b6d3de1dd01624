"""The applicant's cabinet as pages, on each database: the case filed and decided through the
API as officials do it, read on the pages in Kazakh and Russian; strangers get the 404 page."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.integration.permits.portal import FILES, LETTER, PDF, Portal, form_json
from tests.integration.web.cabinet_portal import issue_permit, open_portal, portal_people
from tests.support.pki import Person, person
from tests.support.web import sign_in_on_pages

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.signing.dev_ca import Profile

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def _on_pages(portal: Portal, moment: str | None = None) -> None:
    """Move the clock (everyone signs in again, sessions are short) and open the pages."""
    if moment:
        portal.at(moment)
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())


def _page(portal: Portal, address: str, lang: str, **params: str) -> str:
    answer = portal.client.get(address, params={"lang": lang, **params})
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    return answer.text


def _text(html: str) -> str:
    """The words of a page, tags and runs of white space removed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _file(portal: Portal, **changes: Any) -> str:
    created = portal.submit(form=form_json(**changes) if changes else None)
    assert created.status_code == 201, created.text
    return str(created.json()["number"])


def test_signed_out_the_cabinet_sends_the_person_to_sign_in_and_back(portal: Portal) -> None:
    answer = portal.client.get("/cabinet/applications/APP-2026-000001", params={"lang": "ru"})
    assert answer.status_code == 303
    assert answer.headers["location"] == (
        "/login?next=/cabinet/applications/APP-2026-000001%3Flang%3Dru"
    )


def test_an_expired_session_returns_the_person_to_sign_in_saying_so(portal: Portal) -> None:
    _on_pages(portal)
    assert portal.client.get("/cabinet").status_code == 200
    portal.clock.advance(9 * 3600)
    answer = portal.client.get("/cabinet")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/login?next=/cabinet&expired=1"


def test_an_empty_cabinet_says_how_to_file_in_both_languages(portal: Portal) -> None:
    _on_pages(portal)
    kazakh = _page(portal, "/cabinet", "kk")
    russian = _page(portal, "/cabinet", "ru")
    assert "Сізде әлі өтініш жоқ." in kazakh
    assert "У вас пока нет заявлений." in russian
    for page in (kazakh, russian):
        assert 'href="/cabinet/applications/new"' in page
        assert '<html lang="' in page


def test_the_cabinet_lists_the_case_with_its_deadline_and_what_happens_next(
    portal: Portal,
) -> None:
    number = _file(portal)
    _on_pages(portal)
    russian = _text(_page(portal, "/cabinet", "ru"))
    assert number in russian
    assert "Принято" in russian
    assert "Регистрация: срок — 26 марта 2026, 18:30." in russian
    # Friday the 20th to Thursday the 26th: Nauryz and the weekend leave one working day.
    assert "Осталось рабочих дней: 1." in russian
    assert "регистрирует заявление в день его поступления" in russian
    kazakh = _text(_page(portal, "/cabinet", "kk"))
    assert "Қабылданды" in kazakh
    assert "26 наурыз 2026, 18:30" in kazakh


def test_a_missed_deadline_is_marked_overdue_in_words(portal: Portal) -> None:
    _file(portal)
    _on_pages(portal, "2026-03-26T18:31")
    assert "Просрочено." in _text(_page(portal, "/cabinet", "ru"))
    assert "Мерзімі өтіп кетті." in _text(_page(portal, "/cabinet", "kk"))


def test_messages_are_said_in_the_readers_language_newest_first(portal: Portal) -> None:
    number = _file(portal)
    portal.at("2026-03-26T09:30")
    portal.decide(CLERK, number, "register")
    _on_pages(portal)
    kazakh = _text(_page(portal, "/cabinet", "kk"))
    registered = f"{number} өтініші тіркелді."
    accepted = f"{number} өтініші қабылданды."
    assert kazakh.index(registered) < kazakh.index(accepted)
    russian = _text(_page(portal, "/cabinet", "ru"))
    assert f"Заявление {number} зарегистрировано." in russian


def test_the_cabinet_pages_through_many_applications(portal: Portal) -> None:
    for count in range(11):
        _file(portal, platform_name=f"Platform {count}")
    _on_pages(portal)
    # The applications come before the messages, which name every case.
    first = _page(portal, "/cabinet", "ru").split('id="messages-heading"')[0]
    assert "APP-2026-000011" in first
    assert "APP-2026-000001" not in first
    assert 'href="/cabinet?page=2"' in first
    second = _page(portal, "/cabinet", "ru", page="2").split('id="messages-heading"')[0]
    assert "APP-2026-000001" in second
    assert "APP-2026-000002" not in second
    assert portal.client.get("/cabinet?page=0").status_code == 404


def test_the_case_page_shows_deadlines_timeline_documents_and_the_form(portal: Portal) -> None:
    number, permit = issue_permit(portal)
    _on_pages(portal)
    html = _page(portal, f"/cabinet/applications/{number}", "ru")
    text = _text(html)
    assert "Разрешение выдано" in text
    assert '<ol class="timeline">' in html
    for moment, what, who in (
        ("20 марта 2026, 19:00", "Заявление принято", "Заявитель"),
        ("26 марта 2026, 09:30", "Заявление зарегистрировано", "Канцелярия Министерства"),
        ("30 марта 2026, 16:00", "Разрешение выдано", "Руководитель Министерства"),
    ):
        assert f"{moment} {what} Кем: {who}" in text
    assert "Выполнено в срок, 26 марта 2026, 09:30." in text
    assert f'href="/cabinet/documents/{permit}"' in html
    assert "Договор контрактации" in text
    assert "Гарантийное письмо" in text
    assert hashlib.sha256(PDF).hexdigest() in html
    assert "31 декабря 2027" in text
    assert "пр. Мангилик Ел" in text
    assert "/withdraw" not in html  # a decided case cannot be withdrawn
    assert f"/cabinet/applications/{number}/complaints/new" in html
    kazakh = _text(_page(portal, f"/cabinet/applications/{number}", "kk"))
    assert "Рұқсат берілді" in kazakh
    assert "Келісімшарт жасасу шарты" in kazakh


def test_an_open_case_offers_withdrawal_and_says_how_long_each_stage_has(portal: Portal) -> None:
    number = _file(portal)
    _on_pages(portal)
    html = _page(portal, f"/cabinet/applications/{number}", "ru")
    assert f'href="/cabinet/applications/{number}/withdraw"' in html
    assert "Идёт; осталось рабочих дней: 1." in _text(html)


def test_attachments_download_byte_for_byte_with_their_names(portal: Portal) -> None:
    number = _file(portal)
    _on_pages(portal)
    for name, content in FILES:
        sha = hashlib.sha256(content).hexdigest()
        answer = portal.client.get(f"/cabinet/applications/{number}/attachments/{sha}")
        assert answer.status_code == 200
        assert answer.content == content
        assert answer.headers["content-type"] == "application/pdf"
        assert answer.headers["content-disposition"].startswith(f'attachment; filename="{name}"')
        assert "sandbox" in answer.headers["content-security-policy"]
    missing = portal.client.get(f"/cabinet/applications/{number}/attachments/{'0' * 64}")
    assert missing.status_code == 404
    assert LETTER != PDF


def test_the_permit_reads_as_a_page_and_downloads_as_signed(portal: Portal) -> None:
    number, permit = issue_permit(portal)
    api = portal.client.get(f"/api/v1/documents/{permit}", headers=portal.applicant.headers)
    _on_pages(portal)
    kazakh = _text(_page(portal, f"/cabinet/documents/{permit}", "kk"))
    assert "Қамтамасыз етілген цифрлық активтерді шығаруға және айналымға рұқсат" in kazakh
    assert "Цифрлық даму, инновациялар және аэроғарыш өнеркәсібі министрлігі" in kazakh
    assert "30 наурыз 2026 – 30 наурыз 2029" in kazakh
    assert "Kepil Grain Ledger" in kazakh
    assert "РУКОВОДИТЕЛЕВ ЕРЛАН" in kazakh
    russian = _text(_page(portal, f"/cabinet/documents/{permit}", "ru"))
    assert "Министерство цифрового развития" in russian
    content = portal.client.get(f"/cabinet/documents/{permit}/content")
    assert content.content == base64.b64decode(api.json()["content_b64"])
    assert content.headers["content-type"] == "application/json"
    assert f'filename="{permit}.json"' in content.headers["content-disposition"]
    cms = portal.client.get(f"/cabinet/documents/{permit}/signature.p7s")
    assert cms.content == base64.b64decode(api.json()["signature_b64"])
    assert cms.headers["content-type"] == "application/pkcs7-signature"
    assert f"{number}" in russian


def test_a_refusal_after_a_hearing_shows_the_hearing_and_the_grounds(portal: Portal) -> None:
    portal.at("2026-04-06T10:00")
    number = _file(portal)
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    portal.at("2026-04-07T10:00")
    portal.decide(
        EXAMINER,
        number,
        "issue_preliminary_refusal",
        grounds=[2],
        motivation="гарантийное письмо не подтверждает 5 узлов",
        hearing_at="2026-04-08T15:00:00+05:00",
        place="онлайн, видеосвязь",
    )
    _on_pages(portal)
    scheduled = _text(_page(portal, f"/cabinet/applications/{number}", "ru"))
    assert "Назначено заслушивание" in scheduled
    assert "8 апреля 2026, 15:00, онлайн, видеосвязь" in scheduled
    assert "гарантийное письмо не подтверждает 5 узлов" in scheduled
    # The cabinet's message is the notice itself: the decision, the time and the place.
    told = _text(_page(portal, "/cabinet", "ru")).split("Уведомления")[1]
    assert "Мотивировка: гарантийное письмо не подтверждает 5 узлов" in told
    assert "08.04.2026 15:00 (время Алматы), место (способ): онлайн, видеосвязь" in told
    told_kk = _text(_page(portal, "/cabinet", "kk"))
    assert "Дәлелдемесі: гарантийное письмо не подтверждает 5 узлов" in told_kk
    assert "08.04.2026 15:00 (Алматы уақытымен), орны (тәсілі): онлайн, видеосвязь" in told_kk
    portal.at("2026-04-08T15:30")
    portal.decide(EXAMINER, number, "hold_hearing", applicant_attended=True)
    refused = portal.sign_document(
        number, "motivated_refusal", grounds=[2], motivation="не подтверждены 5 узлов"
    )
    _on_pages(portal)
    kazakh = _text(_page(portal, f"/cabinet/documents/{refused.json()['document_number']}", "kk"))
    assert "Рұқсат беруден дәлелді бас тарту" in kazakh
    assert "не подтверждены 5 узлов" in kazakh
    assert "нормативтік құқықтық актілерінде белгіленген талаптарға" in kazakh


def test_someone_elses_case_and_an_unknown_number_are_the_same_404_page(
    portal: Portal,
) -> None:
    number, permit = issue_permit(portal)
    stranger = person(Profile.INDIVIDUAL, "800502312347", "ЧУЖОЙ ЧЕЛОВЕК")
    sign_in_on_pages(portal.client, stranger.auth, portal.clock.now())
    sha = hashlib.sha256(PDF).hexdigest()
    for address in (
        f"/cabinet/applications/{number}",
        f"/cabinet/applications/{number}/attachments/{sha}",
        f"/cabinet/documents/{permit}",
        f"/cabinet/documents/{permit}/content",
        f"/cabinet/documents/{permit}/signature.p7s",
        "/cabinet/applications/APP-2026-999999",
        "/cabinet/complaints/CMP-2026-000001",
    ):
        answer = portal.client.get(address, params={"lang": "ru"})
        assert answer.status_code == 404, address
        assert "Страница не найдена" in answer.text
        assert "Kepil Grain Ledger" not in answer.text


def test_an_official_reads_only_own_cases_in_the_cabinet(portal: Portal) -> None:
    number = _file(portal)
    sign_in_on_pages(portal.client, portal.officials[HEAD].auth, portal.clock.now())
    assert number not in _page(portal, "/cabinet", "ru")
    for address in ("", "/withdraw", "/complaints/new"):
        page = portal.client.get(f"/cabinet/applications/{number}{address}")
        assert page.status_code == 404, address
    assert number not in _page(portal, "/cabinet/complaints/new", "ru")


def test_markup_typed_into_the_form_is_shown_as_text(portal: Portal) -> None:
    number = _file(portal, platform_name="<script>alert(1)</script>", purpose='"><b>x</b>')
    _on_pages(portal)
    for address in ("/cabinet", f"/cabinet/applications/{number}"):
        html = _page(portal, address, "ru")
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>x</b>" not in _page(portal, f"/cabinet/applications/{number}", "ru")


def test_a_complaint_is_listed_and_followed_in_the_cabinet(portal: Portal) -> None:
    number = _file(portal)
    complaint = {
        "application_number": number,
        "subject": "inaction",
        "filed_with": "provider",
        "target": "Заявление не зарегистрировано в срок",
        "text": "Прошу зарегистрировать заявление.",
    }
    filed = portal.client.post(
        "/api/v1/complaints",
        json={"cms": _b64(portal.sign(portal.applicant, _canonical(complaint)))},
        headers=portal.applicant.headers,
    )
    assert filed.status_code == 201, filed.text
    complaint_number = filed.json()["number"]
    _on_pages(portal)
    cabinet = _text(_page(portal, "/cabinet", "ru"))
    assert complaint_number in cabinet
    assert "Поступила, ожидает регистрации" in cabinet
    assert f"Жалоба {complaint_number} поступила." in cabinet
    page = _text(_page(portal, f"/cabinet/complaints/{complaint_number}", "kk"))
    assert "Әрекетсіздік: Заявление не зарегистрировано в срок" in page
    assert "Шағым келіп түсті" in page


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _canonical(document: dict[str, Any]) -> bytes:
    return canonical_bytes(document)
