"""Sign-in on the pages: a challenge signed with the authentication key opens a cookie session;
forms carry a CSRF token; refusals and unknown pages speak the person's language."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.pki import (
    Person,
    applicant_director,
    applicant_employee,
    sign_bytes,
    trust_dir,
)
from tests.support.web import sign_in_on_pages

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app

CLOCK = MovableClock("2026-12-07T10:00")


@pytest.fixture(scope="module")
def applicant() -> Person:
    return applicant_director()


def _app(database_url: str, tmp_path: Path, clock: MovableClock) -> FastAPI:
    """The portal on this database, trusting the session's TEST PKI, on `clock`."""
    settings = Settings(
        database_url=database_url, data_dir=tmp_path, trust_dir=trust_dir(tmp_path / "trust")
    )
    return create_app(bootstrap(settings, clock=clock))


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(_app(database_url, tmp_path, CLOCK), follow_redirects=False) as test_client:
        yield test_client


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def _signed_challenge(
    client: TestClient, person: Person, *, signing_key: bool = False
) -> tuple[str, str]:
    token = _csrf(client.get("/login", params={"lang": "ru"}).text)
    challenge = client.post("/login/challenge", headers={"X-CSRF-Token": token}).json()
    assert base64.b64decode(challenge["data_b64"]).decode() == challenge["nonce"]
    key = person.sign if signing_key else person.auth
    cms = sign_bytes(key, challenge["nonce"].encode(), CLOCK.now())
    return token, base64.b64encode(cms).decode()


def test_the_login_page_offers_eds_sign_in_through_ncalayer_in_both_languages(
    client: TestClient,
) -> None:
    russian = client.get("/login", params={"lang": "ru"}).text
    kazakh = client.get("/login", params={"lang": "kk"}).text
    assert "Войти с ЭЦП" in russian
    assert "ЭЦҚ арқылы кіру" in kazakh
    assert '<script src="/static/ncalayer.js"></script>' in russian
    assert "NCALayer" in russian
    assert "NCALayer" in kazakh
    assert _csrf(russian)


def test_the_ncalayer_client_is_served_and_asks_the_basics_module_to_sign(
    client: TestClient,
) -> None:
    script = client.get("/static/ncalayer.js")
    assert script.status_code == 200
    assert "javascript" in script.headers["content-type"]
    assert "wss://127.0.0.1:13579/" in script.text
    assert "kz.gov.pki.knca.basics" in script.text


def test_a_challenge_is_refused_without_the_pages_csrf_token(client: TestClient) -> None:
    refused = client.post("/login/challenge", params={"lang": "ru"})
    assert refused.status_code == 403
    assert "Форма не может быть принята" in refused.text
    client.get("/login")
    assert client.post("/login/challenge", headers={"X-CSRF-Token": "0" * 64}).status_code == 403


def test_the_authentication_key_opens_a_session_cookie_and_returns_to_where_the_person_was(
    client: TestClient, applicant: Person
) -> None:
    token, cms = _signed_challenge(client, applicant)
    answer = client.post("/login", data={"cms": cms, "csrf_token": token, "next": "/registry"})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/registry"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("kepil_session=")
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    page = client.get("/registry").text
    assert applicant.name in page
    assert "Шығу" in page or "Выйти" in page


def test_under_https_the_session_cookie_is_secure(database_url: str, tmp_path: Path) -> None:
    app = _app(database_url, tmp_path, CLOCK)
    with TestClient(app, base_url="https://testserver", follow_redirects=False) as client:
        token, cms = _signed_challenge(client, applicant_director())
        answer = client.post("/login", data={"cms": cms, "csrf_token": token})
    assert "Secure" in answer.headers["set-cookie"]
    assert answer.headers["location"] == "/cabinet"


def test_the_signing_key_is_refused_with_words_that_say_which_key_to_choose(
    client: TestClient, applicant: Person
) -> None:
    token, cms = _signed_challenge(client, applicant, signing_key=True)
    answer = client.post("/login", data={"cms": cms, "csrf_token": token})
    assert answer.status_code == 401
    assert "ключ для входа" in answer.text
    assert "kepil_session" not in answer.headers.get("set-cookie", "")


def test_a_sign_in_form_without_its_csrf_token_opens_no_session(
    client: TestClient, applicant: Person
) -> None:
    _token, cms = _signed_challenge(client, applicant)
    answer = client.post("/login", data={"cms": cms, "csrf_token": "forged"})
    assert answer.status_code == 403
    assert "kepil_session" not in answer.headers.get("set-cookie", "")


def test_an_address_outside_the_site_is_never_where_sign_in_returns(
    client: TestClient, applicant: Person
) -> None:
    token, cms = _signed_challenge(client, applicant)
    answer = client.post(
        "/login", data={"cms": cms, "csrf_token": token, "next": "//evil.example/x"}
    )
    assert answer.headers["location"] == "/cabinet"


def test_signing_out_ends_the_session_and_forgets_the_cookie(
    client: TestClient, applicant: Person
) -> None:
    token, cms = _signed_challenge(client, applicant)
    session = client.post("/login", data={"cms": cms, "csrf_token": token}).cookies["kepil_session"]
    page_token = _csrf(client.get("/registry").text)
    assert page_token != token, "after sign-in the forms are bound to the session"
    answer = client.post("/logout", data={"csrf_token": page_token})
    assert answer.status_code == 303
    assert 'kepil_session=""' in answer.headers["set-cookie"]
    api = client.get("/api/v1/auth/session", headers={"Authorization": f"Bearer {session}"})
    assert api.status_code == 401


def test_an_unknown_page_is_a_page_in_the_persons_language_and_the_api_stays_json(
    client: TestClient,
) -> None:
    page = client.get("/no/such/page", params={"lang": "kk"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="kk">' in page.text
    api = client.get("/api/v1/no-such-thing")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"


def test_pages_forbid_framing_and_loading_from_other_sites(client: TestClient) -> None:
    headers = client.get("/").headers
    policy = headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "connect-src 'self' wss://127.0.0.1:13579" in policy
    assert headers["x-content-type-options"] == "nosniff"


def test_a_signed_in_person_sees_their_name_and_sign_out_on_every_page(
    client: TestClient, applicant: Person
) -> None:
    sign_in_on_pages(client, applicant.auth, CLOCK.now())
    for path in ("/", "/service", "/registry"):
        page = client.get(path, params={"lang": "kk"})
        assert applicant.name in page.text
        assert "Шығу" in page.text
        assert page.headers["cache-control"] == "no-store"


def test_a_form_opened_before_the_session_ended_is_accepted_after_signing_in_again(
    database_url: str, tmp_path: Path, applicant: Person
) -> None:
    clock = MovableClock("2026-12-07T10:00")
    with TestClient(_app(database_url, tmp_path, clock), follow_redirects=False) as web:
        sign_in_on_pages(web, applicant.auth, clock.now())
        form_token = _csrf(web.get("/cabinet/applications/new").text)
        clock.advance(timedelta(hours=9))
        ended = web.post("/cabinet/applications/new", data={"csrf_token": form_token})
        assert ended.status_code == 303
        assert ended.headers["location"].endswith("&expired=1")
        sign_in_on_pages(web, applicant.auth, clock.now())
        again = web.post("/cabinet/applications/new", data={"csrf_token": form_token})
        assert again.status_code != 403
        assert "csrf_token" in again.text


def test_another_persons_form_token_is_refused(client: TestClient, applicant: Person) -> None:
    sign_in_on_pages(client, applicant.auth, CLOCK.now())
    mine = _csrf(client.get("/cabinet/applications/new").text)
    client.cookies.delete("kepil_session")
    sign_in_on_pages(client, applicant_employee().auth, CLOCK.now())
    answer = client.post("/cabinet/applications/new", data={"csrf_token": mine})
    assert answer.status_code == 403


def test_signing_out_after_the_session_ended_forgets_the_cookie_without_an_error(
    database_url: str, tmp_path: Path, applicant: Person
) -> None:
    clock = MovableClock("2026-12-07T10:00")
    with TestClient(_app(database_url, tmp_path, clock), follow_redirects=False) as web:
        sign_in_on_pages(web, applicant.auth, clock.now())
        token = _csrf(web.get("/registry").text)
        clock.advance(timedelta(hours=9))
        answer = web.post("/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    assert 'kepil_session=""' in answer.headers["set-cookie"]


def test_a_page_address_asked_the_wrong_way_answers_a_page_and_the_api_stays_json(
    client: TestClient,
) -> None:
    page = client.get("/logout", params={"lang": "ru"})
    assert page.status_code == 405
    assert "Запрос не может быть обработан" in page.text
    too_long = client.post("/login", data={"cms": "A" * 200_000, "csrf_token": "x"})
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("text/html")
    api = client.post("/api/v1/auth/login", json={})
    assert api.status_code == 422
    assert api.json()["error"]["code"] == "invalid_request"
