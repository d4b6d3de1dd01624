"""The stand-in's real server: TLS on a free port, NCALayer's greeting, signing over a WebSocket."""

from __future__ import annotations

import asyncio
import http.client
import json
import ssl
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from tests.support.ncalayer import (
    IIN,
    SIGN_IN_EKU,
    SIGNED_AT,
    Keys,
    b64,
    person_keys,
    sign_request,
    stand_in,
    verify_result,
)
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect
from websockets.typing import Origin

from kepil.entrypoints.ncalayer.dev_certificate import ensure_dev_certificate
from kepil.entrypoints.ncalayer.keys import OfferedKey
from kepil.entrypoints.ncalayer.protocol import StandIn
from kepil.entrypoints.ncalayer.server import allowed_origin, serve_until, tls_context
from kepil.signing.nca_profile import KeyKind

NONCE = b"server-challenge-0042"


@pytest.fixture(scope="module")
def keys() -> Keys:
    return person_keys()


@contextmanager
def serving(agent: StandIn, directory: Path) -> Iterator[tuple[int, ssl.SSLContext]]:
    """The server on a free loopback port in a thread; a client context trusting its certificate."""
    files = ensure_dev_certificate(directory, SIGNED_AT)
    bound: list[int] = []
    listening = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def ready(port: int) -> None:
        bound.append(port)
        listening.set()

    async def main() -> None:
        await serve_until(
            agent, "127.0.0.1", 0, tls_context(files.certificate, files.key), stop, ready
        )

    thread = threading.Thread(target=loop.run_until_complete, args=(main(),), daemon=True)
    thread.start()
    try:
        assert listening.wait(10), "the stand-in did not start listening"
        yield bound[0], ssl.create_default_context(cafile=files.certificate)
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(10)
        assert not thread.is_alive(), "the stand-in did not stop"
        loop.close()


def converse(agent: StandIn, directory: Path, requests: list[str]) -> list[dict[str, Any]]:
    """What the server sends on one connection: its greeting, then a reply to each request."""
    with serving(agent, directory) as (port, client_tls):
        url = f"wss://127.0.0.1:{port}/"
        with connect(url, ssl=client_tls, open_timeout=30) as socket:
            received = [json.loads(socket.recv(timeout=30))]
            for request in requests:
                socket.send(request)
                received.append(json.loads(socket.recv(timeout=30)))
    return received


def test_a_page_signs_in_through_the_stand_in_and_kepil_accepts_the_cms(
    keys: Keys, tmp_path: Path
) -> None:
    greeting, reply = converse(
        stand_in(keys.sign, keys.auth), tmp_path, [sign_request(b64(NONCE), ekus=[SIGN_IN_EKU])]
    )

    assert greeting["result"]["version"]
    verdict = verify_result(reply["body"]["result"], KeyKind.AUTH)
    assert verdict.valid, verdict.errors
    assert verdict.sole_signer().iin == IIN
    assert verdict.content == NONCE


def test_one_connection_answers_requests_one_after_another(keys: Keys, tmp_path: Path) -> None:
    tokens = '{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens"}'
    _greeting, *answers = converse(
        stand_in(keys.auth), tmp_path, [tokens, "{broken", sign_request(b64(NONCE))]
    )

    assert answers[0] == {"code": "200", "responseObject": []}
    assert answers[1]["code"] == "500"
    assert verify_result(answers[2]["body"]["result"], KeyKind.AUTH).valid


@dataclass(frozen=True)
class _BrokenSigner:
    certificate: x509.Certificate

    def sign(self, content: bytes, signing_time: datetime, *, detached: bool) -> bytes:
        raise RuntimeError("a bug while signing")


def test_a_failure_inside_the_stand_in_is_answered_and_the_connection_goes_on(
    keys: Keys, tmp_path: Path
) -> None:
    broken = OfferedKey.of(Path("broken.p12"), "broken", _BrokenSigner(keys.auth.certificate))
    tokens = '{"module":"kz.gov.pki.knca.commonUtils","method":"getActiveTokens"}'

    _greeting, failed, after = converse(
        stand_in(broken), tmp_path, [sign_request(b64(NONCE)), tokens]
    )

    assert failed == {"code": "500", "message": "stand-in error: RuntimeError"}
    assert after == {"code": "200", "responseObject": []}


def test_opening_the_address_in_a_browser_shows_the_stand_in_page(
    keys: Keys, tmp_path: Path
) -> None:
    with serving(stand_in(keys.auth), tmp_path) as (port, client_tls):
        connection = http.client.HTTPSConnection("127.0.0.1", port, context=client_tls, timeout=10)
        connection.request("GET", "/")
        response = connection.getresponse()
        page = response.read().decode("utf-8")
        connection.close()

    assert response.status == 200
    assert response.getheader("Content-Type") == "text/html; charset=utf-8"
    assert "NCALayer stand-in" in page
    assert "certificate is now accepted" in page
    assert 'lang="kk"' in page
    assert 'lang="ru"' in page


def test_the_development_certificate_is_made_once_and_its_key_kept_private(
    tmp_path: Path,
) -> None:
    first = ensure_dev_certificate(tmp_path, SIGNED_AT)
    made = first.certificate.read_bytes()

    again = ensure_dev_certificate(tmp_path, SIGNED_AT)

    assert again == first
    assert again.certificate.read_bytes() == made
    assert "DEV-ONLY" in first.certificate.name
    assert stat.S_IMODE(first.key.stat().st_mode) == 0o600


def test_a_page_from_another_site_may_not_ask_for_a_signature() -> None:
    assert allowed_origin(None, frozenset())
    assert allowed_origin("http://127.0.0.1:8000", frozenset())
    assert allowed_origin("https://localhost", frozenset())
    assert not allowed_origin("https://evil.example", frozenset())
    assert not allowed_origin("https://127.0.0.1.evil.example", frozenset())
    assert allowed_origin("https://portal.example", frozenset({"https://portal.example"}))


def test_the_server_refuses_the_handshake_of_a_page_from_another_site(
    keys: Keys, tmp_path: Path
) -> None:
    with serving(stand_in(keys.auth), tmp_path) as (port, client_tls):
        url = f"wss://127.0.0.1:{port}/"
        with pytest.raises(InvalidStatus) as refused:
            connect(url, ssl=client_tls, origin=Origin("https://evil.example"), open_timeout=30)
        assert refused.value.response.status_code == 403
        with connect(
            url, ssl=client_tls, origin=Origin("http://127.0.0.1:8000"), open_timeout=30
        ) as socket:
            assert "result" in json.loads(socket.recv(timeout=30))
