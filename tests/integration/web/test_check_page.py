"""`/check`: anyone learns from a number whether this service issued a document and whether a
permit is in force, on each database, in Kazakh and Russian; a wrong number is told beside the
field and nothing typed becomes markup."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.permits.portal import Portal, form_json
from tests.integration.web.cabinet_portal import (
    CLERK,
    change_permit_status,
    issue_permit,
    open_portal,
    portal_people,
)
from tests.support.pki import Person


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def _check(portal: Portal, number: str | None, lang: str = "ru") -> str:
    params = {"lang": lang} if number is None else {"lang": lang, "number": number}
    answer = portal.client.get("/check", params=params)
    assert answer.status_code == 200
    assert "cache-control" not in answer.headers  # public: nobody is signed in
    return answer.text


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _registry_number(portal: Portal) -> str:
    found = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()
    return str(found["items"][0]["registry_number"])


def test_the_check_is_in_the_main_menu_and_opens_with_an_empty_form(portal: Portal) -> None:
    html = _check(portal, None, "kk")
    assert 'href="/check" aria-current="page">Құжатты тексеру</a>' in html
    assert 'name="number"' in html
    assert "Жауап" not in html


def test_a_permit_in_force_is_found_by_its_number_and_by_its_registry_number(
    portal: Portal,
) -> None:
    _, permit = issue_permit(portal)
    registry_number = _registry_number(portal)
    for number in (permit, registry_number, permit.lower()):
        russian = _text(_check(portal, number))
        assert f"Подлинное и действует: разрешение {permit} есть в государственном реестре." in (
            russian
        )
        assert "ТОО «Тест»" in russian
        assert "Kepil Grain Ledger" in russian
        assert "30 марта 2026 – 30 марта 2029" in russian
    html = _check(portal, permit, "kk")
    assert f'href="/registry/{registry_number}"' in html
    assert "Түпнұсқа және қолданыста" in html


def test_a_suspended_permit_is_genuine_but_not_in_force(portal: Portal) -> None:
    _, permit = issue_permit(portal)
    change_permit_status(portal, _registry_number(portal), "suspend")
    russian = _text(_check(portal, permit))
    assert "Подлинное, но не действует" in russian
    assert "со статусом «Приостановлено»" in russian
    kazakh = _text(_check(portal, permit, "kk"))
    assert "«Тоқтатыла тұрған» мәртебесімен" in kazakh


def test_a_refusal_is_genuine_with_its_kind_and_day_and_no_personal_data(portal: Portal) -> None:
    form = form_json()
    form["attachments"][0]["valid_until"] = "2026-01-31"
    number = portal.submit(form=form).json()["number"]
    portal.at("2026-03-26T10:00")
    portal.decide(CLERK, number, "register")
    notice = portal.sign_document(number, "refusal_of_further_consideration")
    assert notice.status_code == 200, notice.text
    russian = _text(_check(portal, notice.json()["document_number"]))
    assert "Подлинный: документ" in russian
    assert "Уведомление об отказе в дальнейшем рассмотрении документов" in russian
    assert "26 марта 2026" in russian
    assert "ТОО «Тест»" not in russian
    assert number not in russian


def test_an_unknown_number_was_not_issued_by_this_service(portal: Portal) -> None:
    russian = _text(_check(portal, "PRM-2026-999999"))
    assert "эта услуга не выдавала документ с номером PRM-2026-999999" in russian
    kazakh = _text(_check(portal, "PRM-2026-999999", "kk"))
    assert "осы қызмет PRM-2026-999999 нөмірлі құжат берген жоқ" in kazakh


def test_a_wrong_number_is_told_beside_the_field_and_kept_as_typed_and_escaped(
    portal: Portal,
) -> None:
    html = _check(portal, '<b onmouseover="x">PRM</b>')
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="number-hint number-error"' in html
    assert '<p class="error" id="number-error">' in html
    assert "не более 32 символов" in html
    assert '<b onmouseover="x">' not in html
    assert 'value="&lt;b onmouseover=&#34;x&#34;&gt;PRM&lt;/b&gt;"' in html
    assert "Ответ" not in _text(html)
    assert "Введите номер документа." in _check(portal, "   ")
    assert "не более 32 символов" in _check(portal, "P" * 33)
