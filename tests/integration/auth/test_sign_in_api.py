"""Sign-in over HTTP with real CMS signatures from the test PKI, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock
from tests.support.pki import b64, bearer, session_pki, sign_bytes, trust_dir

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.nca_profile import KeyKind

START = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)


@pytest.fixture
def pki() -> DevPki:
    return session_pki()


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
def client(database_url: str, tmp_path: Path, clock: MovableClock) -> Iterator[TestClient]:
    trust = trust_dir(tmp_path / "trust")
    settings = Settings(database_url=database_url, data_dir=tmp_path, trust_dir=trust)
    with TestClient(create_app(bootstrap(settings, clock=clock))) as test_client:
        yield test_client


def _signed(nonce: str, credential: SignerCredential, *, detached: bool = False) -> str:
    return b64(sign_bytes(credential, nonce.encode(), START, detached=detached))


def _nonce(client: TestClient) -> str:
    response = client.post("/api/v1/auth/challenge")
    assert response.status_code == 201
    return str(response.json()["nonce"])


def test_signing_the_challenge_with_an_auth_key_opens_a_session(
    client: TestClient, pki: DevPki
) -> None:
    holder = pki.person(START, Profile.LEGAL_HEAD, usage=KeyKind.AUTH)
    nonce = _nonce(client)
    response = client.post("/api/v1/auth/login", json={"cms": _signed(nonce, holder)})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["principal"]["iin"] == "900101300126"
    assert body["principal"]["bin"] == "120440056787"
    assert body["principal"]["role"] == "head"
    me = client.get("/api/v1/auth/session", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["principal"]["iin"] == "900101300126"


def test_a_detached_signature_with_the_nonce_alongside_is_accepted(
    client: TestClient, pki: DevPki
) -> None:
    holder = pki.person(START, usage=KeyKind.AUTH)
    nonce = _nonce(client)
    cms = _signed(nonce, holder, detached=True)
    response = client.post("/api/v1/auth/login", json={"cms": cms, "nonce": nonce})
    assert response.status_code == 200, response.text


def test_a_replayed_login_is_refused(client: TestClient, pki: DevPki) -> None:
    holder = pki.person(START, usage=KeyKind.AUTH)
    payload = {"cms": _signed(_nonce(client), holder)}
    assert client.post("/api/v1/auth/login", json=payload).status_code == 200
    replay = client.post("/api/v1/auth/login", json=payload)
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "replayed_nonce"


def test_an_expired_nonce_is_refused(client: TestClient, pki: DevPki, clock: MovableClock) -> None:
    holder = pki.person(START, usage=KeyKind.AUTH)
    payload = {"cms": _signed(_nonce(client), holder)}
    clock.advance(timedelta(minutes=3))
    refused = client.post("/api/v1/auth/login", json=payload)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "expired_nonce"


def test_a_foreign_nonce_is_refused(client: TestClient, pki: DevPki) -> None:
    holder = pki.person(START, usage=KeyKind.AUTH)
    refused = client.post("/api/v1/auth/login", json={"cms": _signed("not-from-us", holder)})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unknown_nonce"


def test_a_signing_key_cannot_be_used_to_sign_in(client: TestClient, pki: DevPki) -> None:
    holder = pki.person(START, usage=KeyKind.SIGN)
    refused = client.post("/api/v1/auth/login", json={"cms": _signed(_nonce(client), holder)})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "not_an_authentication_key"


def test_a_certificate_from_an_untrusted_ca_is_refused(client: TestClient) -> None:
    stranger = DevPki.create(START - timedelta(days=30)).person(START, usage=KeyKind.AUTH)
    refused = client.post("/api/v1/auth/login", json={"cms": _signed(_nonce(client), stranger)})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_signature"
    assert "untrusted_chain" in refused.json()["error"]["message"]


def test_garbage_instead_of_a_cms_is_refused_without_a_server_error(client: TestClient) -> None:
    _nonce(client)
    not_base64 = client.post("/api/v1/auth/login", json={"cms": "%%%"})
    assert not_base64.status_code == 422
    garbage = base64.b64encode(b"\x30\x03garbage").decode()
    refused = client.post("/api/v1/auth/login", json={"cms": garbage, "nonce": "x"})
    assert refused.status_code == 401


def test_after_logout_the_token_opens_nothing(client: TestClient, pki: DevPki) -> None:
    holder = pki.person(START, usage=KeyKind.AUTH)
    token = client.post("/api/v1/auth/login", json={"cms": _signed(_nonce(client), holder)}).json()[
        "token"
    ]
    headers = bearer(token)
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    after = client.get("/api/v1/auth/session", headers=headers)
    assert after.status_code == 401
    assert after.json()["error"]["code"] == "session_expired"


def test_no_token_is_not_signed_in(client: TestClient) -> None:
    response = client.get("/api/v1/auth/session")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_signed_in"
