"""Review finding 5: the relay connects to URLs others registered, so it refuses addresses
inside this server's networks unless allowed, follows no redirect and keeps no answer's text."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from kepil.adapters.node_addresses import NodeAddressGuard
from kepil.adapters.relay_nodes import HttpPlatformNodes
from kepil.config import Mode, Settings
from kepil.services.bridge.platforms import PlatformInputError
from kepil.services.bridge.relay import NodeRefusal, NodeUnavailable

SECRET = b"INTERNAL-ADMIN: db_password=hunter2"


class Internal(http.server.BaseHTTPRequestHandler):
    """A loopback service that is no node: it answers with a secret, or redirects."""

    hits: ClassVar[list[str]] = []
    redirect_to: ClassVar[str | None] = None
    json_refusal: ClassVar[bool] = False
    says_ok: ClassVar[bool] = False

    def do_POST(self) -> None:
        self._answer()

    def do_GET(self) -> None:
        self._answer()

    def _answer(self) -> None:
        Internal.hits.append(self.path)
        if Internal.says_ok:  # "ok" to whatever is asked, as the review's fake node did
            body = b'{"tx_id": "x", "state": "committed", "height": 424242, "code": "ok"}'
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        if Internal.redirect_to is not None:
            self.send_response(302)
            self.send_header("location", Internal.redirect_to + self.path)
            self.send_header("content-length", "0")
            self.end_headers()
            return
        body = (
            b'{"error": {"code": "bad_signature", "message": "' + SECRET + b'"}}'
            if Internal.json_refusal
            else SECRET
        )
        self.send_response(422 if Internal.json_refusal else 403)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def internal() -> Iterator[str]:
    Internal.hits.clear()
    Internal.redirect_to, Internal.json_refusal, Internal.says_ok = None, False, False
    server = http.server.HTTPServer(("127.0.0.1", 0), Internal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:7001",
        "http://localhost:7001",
        "http://10.0.0.66:1",
        "http://192.168.1.5",
        "http://169.254.169.254",
        "http://[::1]:7001",
        "http://[::ffff:127.0.0.1]:7001",
        "http://224.0.0.1",
        "http://0.0.0.0:80",
    ],
)
def test_a_node_inside_this_servers_networks_is_refused_at_registration(url: str) -> None:
    with pytest.raises(PlatformInputError, match="KEPIL_RELAY_ALLOW_PRIVATE") as refused:
        NodeAddressGuard(allow_private=False).check(url)
    assert refused.value.field == "nodes"


def test_a_public_address_or_a_name_not_resolvable_yet_is_accepted_at_registration() -> None:
    guard = NodeAddressGuard(allow_private=False)
    guard.check("https://93.184.216.34:7001")
    guard.check("https://node.invalid")  # checked again on every connection
    NodeAddressGuard(allow_private=True).check("http://127.0.0.1:7001")


def test_the_relay_does_not_connect_to_a_loopback_node_unless_allowed(internal: str) -> None:
    with pytest.raises(NodeUnavailable, match="node_address_refused"):
        HttpPlatformNodes(NodeAddressGuard(allow_private=False)).submit(internal, b"{}")
    assert Internal.hits == []

    with pytest.raises(NodeUnavailable) as answered:
        HttpPlatformNodes(NodeAddressGuard(allow_private=True)).submit(internal, b"{}")
    assert Internal.hits == ["/api/v1/ledger/transactions"]
    assert str(answered.value) == "not_a_node_answer (HTTP 403)"


def test_what_is_kept_of_a_refusal_is_the_code_and_the_status_never_the_body(
    internal: str,
) -> None:
    Internal.json_refusal = True
    with pytest.raises(NodeRefusal) as refused:
        HttpPlatformNodes(NodeAddressGuard(allow_private=True)).submit(internal, b"{}")
    assert refused.value.code == "bad_signature"
    assert "hunter2" not in str(refused.value)
    assert str(refused.value) == "bad_signature: HTTP 422"


def test_the_relay_follows_no_redirect(internal: str) -> None:
    Internal.redirect_to = "http://127.0.0.1:9"
    with pytest.raises(NodeUnavailable, match=r"HTTP 302"):
        HttpPlatformNodes(NodeAddressGuard(allow_private=True)).committed(internal, "ab" * 32, 0)
    assert len(Internal.hits) == 1


def test_private_addresses_are_allowed_by_default_in_dev_mode_only(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).relay_private_allowed is True
    assert Settings(data_dir=tmp_path, relay_allow_private=False).relay_private_allowed is False
    production = Settings.model_construct(mode=Mode.PROD, relay_allow_private=None)
    assert production.relay_private_allowed is False


def test_a_server_that_says_ok_to_anything_shows_no_permit_so_proves_nothing(
    internal: str,
) -> None:
    Internal.says_ok = True
    nodes = HttpPlatformNodes(NodeAddressGuard(allow_private=True))
    nodes.submit(internal, b"{}")
    assert nodes.committed(internal, "ab" * 32, 0) is not None  # it claims a block

    with pytest.raises(NodeUnavailable, match="no status or reference"):
        nodes.permit(internal)
