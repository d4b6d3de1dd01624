"""`kepil platform init --permit`: the permit and its CMS fetched from the permit service over
real HTTP, as its holder downloads them, with the registry asked whether it is in force."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import uvicorn
from tests.support.pki import b64

from kepil.domain.permits import PermitRole
from kepil.entrypoints.cli.errors import EXIT_INVALID, EXIT_UNREADABLE
from kepil.entrypoints.cli.platform_init_cmd import PlatformInitError, fetch_permit
from kepil.entrypoints.node.network import free_port_run
from kepil.signing.cms_verify import encapsulated_content

from .portal import Portal

CLERK, EXAMINER, HEAD = PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD


@pytest.fixture
def issued(portal: Portal) -> str:
    """A permit the head signed; its number."""
    portal.at("2026-04-06T10:00")
    number = portal.submit().json()["number"]
    portal.decide(CLERK, number, "register")
    portal.decide(EXAMINER, number, "start_review")
    signed = portal.sign_document(number, "permit")
    assert signed.status_code == 200, signed.text
    return str(signed.json()["document_number"])


@pytest.fixture
def server(portal: Portal) -> Iterator[str]:
    """The portal's application behind a real HTTP server on loopback; its base URL."""
    port = free_port_run(1)
    config = uvicorn.Config(
        portal.client.app, host="127.0.0.1", port=port, lifespan="off", log_config=None
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        while not running.started:
            assert thread.is_alive(), "the server did not start"
            thread.join(0.02)
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(10)


def test_the_holder_fetches_the_permits_attached_cms(
    portal: Portal, issued: str, server: str
) -> None:
    cms = fetch_permit(server, issued, portal.applicant.token)
    document = portal.client.get(
        f"/api/v1/documents/{issued}", headers=portal.applicant.headers
    ).json()
    assert encapsulated_content(cms) == base64.b64decode(document["content_b64"])
    assert json.loads(encapsulated_content(cms) or b"")["number"] == issued


def test_without_the_holders_session_the_fetch_says_to_pass_a_token(
    issued: str, server: str
) -> None:
    with pytest.raises(PlatformInitError, match="pass --token") as refused:
        fetch_permit(server, issued, "")
    assert refused.value.code == EXIT_UNREADABLE


def test_a_permit_suspended_in_the_registry_is_refused(
    portal: Portal, issued: str, server: str
) -> None:
    [entry] = portal.client.get("/api/v1/registry", params={"q": "Kepil Grain"}).json()["items"]
    change = {
        "document_type": "permit_status_change",
        "registry_number": entry["registry_number"],
        "permit_number": issued,
        "action": "suspend",
        "reason": "решение суда № 2-123/2026 от 01.04.2026",
    }
    head = portal.officials[HEAD]
    cms = portal.sign(head, json.dumps(change, ensure_ascii=False).encode())
    suspended = portal.client.post(
        f"/api/v1/registry/{entry['registry_number']}/status",
        json={"cms": b64(cms)},
        headers=head.headers,
    )
    assert suspended.status_code == 200, suspended.text
    with pytest.raises(PlatformInitError, match="not in force in the state registry: suspended"):
        fetch_permit(server, issued, portal.applicant.token)
    with pytest.raises(PlatformInitError) as refused:
        fetch_permit(server, issued, portal.applicant.token)
    assert refused.value.code == EXIT_INVALID


@pytest.fixture
def stranger() -> Iterator[tuple[str, list[str | None]]]:
    """Another server (another address) recording the Authorization header of each request."""
    seen: list[str | None] = []

    class Record(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(self.headers.get("authorization"))
            self.send_response(404)
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    with _serving(Record, "127.0.0.2") as url:
        yield url, seen


@contextmanager
def _serving(handler: type[BaseHTTPRequestHandler], host: str) -> Iterator[str]:
    server = ThreadingHTTPServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_a_redirect_is_refused_and_the_session_token_goes_nowhere_else(
    stranger: tuple[str, list[str | None]],
) -> None:
    elsewhere, seen = stranger

    class Redirect(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # a misconfigured or hostile proxy in front of the service
            self.send_response(302)
            self.send_header("Location", f"{elsewhere}/steal")
            self.end_headers()

        def log_message(self, *_: object) -> None:
            pass

    redirect = f"a redirect to {elsewhere}/steal"
    with (
        _serving(Redirect, "127.0.0.1") as service,
        pytest.raises(PlatformInitError, match=redirect) as refused,
    ):
        fetch_permit(service, "PRM-2026-000001", "SESSION-TOKEN")
    assert refused.value.code == EXIT_UNREADABLE
    assert f"{service}/api/v1/documents/PRM-2026-000001" in str(refused.value)
    assert seen == []


def test_the_session_token_is_not_sent_over_plain_http_to_another_machine() -> None:
    with pytest.raises(PlatformInitError, match="not sent over plain http") as refused:
        fetch_permit("http://192.0.2.10:8000", "PRM-2026-000001", "SESSION-TOKEN")
    assert refused.value.code == EXIT_UNREADABLE
