"""`kepil demo` talks only to loopback: a caller's http_proxy neither carries nor sees its
requests, in the demo itself or in the server and nodes it starts."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from kepil.adapters.node_client import NodeClient
from kepil.entrypoints.demo.server import child_environment
from kepil.entrypoints.demo.service import ServiceClient


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b'{"node": "node-1"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def loopback() -> Iterator[str]:
    """A server on loopback answering every GET with a JSON object."""
    server = HTTPServer(("127.0.0.1", 0), _Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def dead_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """http_proxy set to a port nobody listens on, and no exception for loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, f"http://127.0.0.1:{port}")
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("dead_proxy")
def test_the_demos_service_client_reaches_a_loopback_server_past_a_dead_proxy(
    loopback: str,
) -> None:
    assert ServiceClient(loopback, timeout=5.0).get("/healthz").status == 200


@pytest.mark.usefixtures("dead_proxy")
def test_a_direct_node_client_reaches_a_loopback_node_past_a_dead_proxy(loopback: str) -> None:
    assert NodeClient(loopback, 5.0, direct=True).healthz() == {"node": "node-1"}


def test_the_children_bypass_any_proxy_for_loopback_and_keep_the_callers_exceptions(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "intranet.example")
    monkeypatch.delenv("no_proxy", raising=False)
    env = child_environment()
    for name in ("NO_PROXY", "no_proxy"):
        assert env[name].split(",") == ["127.0.0.1", "localhost", "::1", "intranet.example"]


def test_the_children_get_none_of_the_callers_kepil_settings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KEPIL_DATABASE_URL", "postgresql://someone@elsewhere/prod")
    assert not [name for name in child_environment() if name.startswith("KEPIL_")]
