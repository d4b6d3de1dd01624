"""The pages for people: each answers HTML in Kazakh and Russian, remembers the choice, escapes
what a person types and says "not found" in their language."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.entrypoints.api.app import create_app

NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
ENTRY = RegistryEntry(
    "R-0001",
    "P-0001",
    "A-0001",
    "ТОО «Кепіл Платформ»",
    "190640022316",
    "Kepil Chain",
    "Выпуск ОЦА",
    ("050000, г. Алматы, ул. Абая, 1",),
    date(2026, 1, 15),
    date(2029, 1, 15),
)
PAGES = ["/", "/service", "/registry", "/registry/R-0001", "/login"]


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    container = bootstrap(
        Settings(database_url=database_url, data_dir=tmp_path), clock=MovableClock(NOW)
    )
    uow = container.uow()
    with uow:
        uow.registry.add(ENTRY)
        for n in range(2, 23):
            uow.registry.add(
                replace(
                    ENTRY,
                    registry_number=f"R-{n:04}",
                    permit_number=f"P-{n:04}",
                    holder_name=f"ТОО «Актив {n}»",
                    issued_on=date(2025, 1, n),
                )
            )
        suspended = ENTRY.change_status(RegistryStatus.SUSPENDED, "Тексеру", "head", NOW)
        uow.registry.save_status(suspended, suspended.history[-1])
        uow.commit()
    with TestClient(create_app(container)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_page_answers_html_in_the_language_asked(
    client: TestClient, path: str, lang: str
) -> None:
    response = client.get(path, params={"lang": lang})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert f'<html lang="{lang}">' in response.text
    assert response.headers["content-language"] == lang


def test_kazakh_is_the_language_of_a_first_visit(client: TestClient) -> None:
    response = client.get("/")
    assert '<html lang="kk">' in response.text
    assert "Нашар көретіндерге арналған нұсқа" in response.text


def test_the_chosen_language_is_kept_in_a_cookie_and_honoured_on_the_next_page(
    client: TestClient,
) -> None:
    chosen = client.get("/service", params={"lang": "ru"})
    assert "kepil_lang=ru" in chosen.headers["set-cookie"]
    assert "httponly" in chosen.headers["set-cookie"].lower()
    later = client.get("/registry")
    assert '<html lang="ru">' in later.text
    assert "Версия для слабовидящих" in later.text
    assert "set-cookie" not in later.headers


def test_the_accessible_version_is_kept_in_a_cookie_and_switches_back(
    client: TestClient,
) -> None:
    chosen = client.get("/", params={"version": "accessible"})
    assert "kepil_version=accessible" in chosen.headers["set-cookie"]
    later = client.get("/service")
    assert 'class="accessible"' in later.text
    assert "/static/accessible.css" in later.text
    assert "Кәдімгі нұсқа" in later.text
    back = client.get("/service", params={"version": "standard"})
    assert "/static/accessible.css" not in back.text


def test_an_unknown_language_in_the_query_falls_back_to_the_cookie(client: TestClient) -> None:
    client.get("/", params={"lang": "ru"})
    response = client.get("/", params={"lang": "en"})
    assert '<html lang="ru">' in response.text


def test_the_switches_keep_the_search_the_person_made(client: TestClient) -> None:
    response = client.get("/registry", params={"q": "Актив", "lang": "kk"})
    assert "/registry?q=%D0%90%D0%BA%D1%82%D0%B8%D0%B2&amp;lang=ru" in response.text


def test_the_stylesheets_are_served_by_the_server_itself(client: TestClient) -> None:
    for name in ("site.css", "accessible.css"):
        response = client.get(f"/static/{name}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/css")


def test_the_service_passport_states_the_terms_of_order_130(client: TestClient) -> None:
    ru = client.get("/service", params={"lang": "ru"}).text
    for fact in ("5 (пять) рабочих дней", "Бесплатно", "1414", "8 800 080 7777", "с 9:00 до 18:30"):
        assert fact in ru
    kk = client.get("/service", params={"lang": "kk"}).text
    for fact in ("5 (бес) жұмыс күні", "Тегін", "1414", "8 800 080 7777"):
        assert fact in kk


def test_the_registry_search_shows_status_in_words_and_dates_in_the_language(
    client: TestClient,
) -> None:
    ru = client.get("/registry", params={"q": "Кепіл", "lang": "ru"}).text
    assert "Найдено записей: 1." in ru
    assert "Приостановлено" in ru
    assert "15 января 2026" in ru
    assert "6 декабря 2026" in ru
    kk = client.get("/registry", params={"q": "Кепіл", "lang": "kk"}).text
    assert "Тоқтатыла тұрған" in kk
    assert "15 қаңтар 2026" in kk


def test_the_registry_pages_through_results_and_links_the_exports_of_the_selection(
    client: TestClient,
) -> None:
    first = client.get("/registry", params={"status": "active", "lang": "ru"}).text
    assert "Найдено записей: 21." in first
    assert 'href="/registry?status=active&amp;page=2"' in first
    assert 'href="/api/v1/registry/export.csv?status=active"' in first
    assert 'href="/api/v1/registry/export.json?status=active"' in first
    second = client.get("/registry", params={"status": "active", "page": 2}).text
    assert 'href="/registry?status=active&amp;page=1"' in second
    assert "page=3" not in second


def test_markup_typed_into_the_registry_search_is_escaped(client: TestClient) -> None:
    typed = '"><script>alert(1)</script>'
    response = client.get("/registry", params={"q": typed, "platform": typed})
    assert response.status_code == 200
    assert "<script>" not in response.text
    assert "&lt;script&gt;" in response.text


def test_a_wrong_search_field_is_shown_beside_it_in_the_language_and_kept(
    client: TestClient,
) -> None:
    response = client.get(
        "/registry", params={"iin_bin": "12ab", "status": "lost", "page": "0", "lang": "ru"}
    )
    assert response.status_code == 200
    assert "ИИН или БИН состоит из 12 цифр." in response.text
    assert "Выберите статус из списка." in response.text
    assert "Такой страницы нет." in response.text
    assert 'value="12ab"' in response.text
    assert 'aria-invalid="true"' in response.text


def test_an_entry_shows_its_status_history_in_almaty_time(client: TestClient) -> None:
    response = client.get("/registry/R-0001", params={"lang": "ru"})
    assert "Приостановлено" in response.text
    assert "Тексеру" in response.text
    # 06:00 UTC is 11:00 in Almaty.
    assert "6 декабря 2026, 11:00" in response.text


@pytest.mark.parametrize(
    ("lang", "words"), [("kk", "Жазба табылмады"), ("ru", "Запись не найдена")]
)
def test_an_unknown_entry_is_a_404_page_in_the_persons_language(
    client: TestClient, lang: str, words: str
) -> None:
    response = client.get("/registry/R-<b>9", params={"lang": lang})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text
    assert "R-&lt;b&gt;9" in response.text


def test_the_pages_are_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(path in paths for path in ("/", "/service", "/registry", "/login"))
