"""The node client against a tiny HTTP server on 127.0.0.1: what it sends, and how it fails."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kepil.adapters.node_client import (
    NodeClient,
    NodeClientError,
    NodeError,
    NodeUnreachable,
    batch_body,
)

Reply = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    content_type: str | None
    body: bytes


@dataclass
class FakeNode:
    """Answers each path with the reply scripted for it; records every request."""

    url: str = ""
    replies: dict[str, Reply] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)


def send(status: int, body: bytes, declared: int | None = None) -> Reply:
    """A reply of `status` and `body`; `declared` announces another length (a cut answer)."""

    def reply(handler: BaseHTTPRequestHandler) -> None:
        handler.close_connection = True
        with suppress(ConnectionError):  # a client that gave up waiting has gone
            handler.send_response(status)
            handler.send_header("content-type", "application/json")
            handler.send_header("content-length", str(len(body) if declared is None else declared))
            handler.end_headers()
            handler.wfile.write(body)
            handler.wfile.flush()

    return reply


def send_json(status: int, document: object) -> Reply:
    """A JSON reply."""
    return send(status, json.dumps(document).encode())


def node_error(status: int, code: str, message: str) -> Reply:
    """An error in the node's envelope."""
    return send_json(status, {"error": {"code": code, "message": message}})


@pytest.fixture
def node() -> Iterator[FakeNode]:
    """A fake node on a free loopback port, stopped at the end (hung replies released)."""
    fake = FakeNode()

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.seen.append(Seen(self.command, self.path, self.headers["content-type"], body))
            path = self.path.split("?", 1)[0]
            fake.replies.get(path, node_error(404, "not_found", "no such route"))(self)

        do_GET = _serve  # noqa: N815 - http.server's naming
        do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_an_error_answer_raises_node_error_with_the_status_and_the_nodes_code(
    node: FakeNode,
) -> None:
    node.replies["/api/v1/ledger/transactions"] = node_error(409, "duplicate", "already known")

    with pytest.raises(NodeError) as raised:
        NodeClient(node.url).submit(b'{"body": {}, "sigs": []}')

    assert raised.value.status == 409
    assert raised.value.code == "duplicate"
    assert raised.value.message == "already known"
    assert str(raised.value) == "duplicate: already known (HTTP 409)"
    assert raised.value.body == {"error": {"code": "duplicate", "message": "already known"}}


def test_an_error_answer_without_the_nodes_envelope_still_carries_its_status(
    node: FakeNode,
) -> None:
    node.replies["/api/v1/ledger/node"] = send(502, b"Bad gateway")

    with pytest.raises(NodeError) as raised:
        NodeClient(node.url).node_status()

    assert (raised.value.status, raised.value.code) == (502, None)
    assert str(raised.value) == "HTTP 502: Bad gateway"


def test_a_missing_block_is_none_but_any_other_refusal_still_raises(node: FakeNode) -> None:
    node.replies["/api/v1/ledger/blocks/7"] = node_error(404, "not_found", "no block at 7")
    node.replies["/api/v1/ledger/blocks/8"] = node_error(503, "ledger_unavailable", "no ledger")
    node.replies["/api/v1/ledger/blocks/latest"] = send_json(200, {"header": {"height": 6}})
    client = NodeClient(node.url)

    assert client.block(7) is None
    assert client.latest_block() == {"header": {"height": 6}}
    with pytest.raises(NodeError) as raised:
        client.block(8)
    assert raised.value.code == "ledger_unavailable"


def test_a_closed_port_raises_node_unreachable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # closed again when the block ends: nobody listens

    with pytest.raises(NodeUnreachable) as raised:
        NodeClient(f"http://127.0.0.1:{port}", timeout=5).healthz()

    assert raised.value.url == f"http://127.0.0.1:{port}/healthz"
    assert "refused" in raised.value.reason.lower()


def test_a_node_that_does_not_answer_in_time_raises_node_unreachable(node: FakeNode) -> None:
    node.replies["/healthz"] = lambda handler: node.release.wait(30)

    with pytest.raises(NodeUnreachable) as raised:
        NodeClient(node.url, timeout=0.2).healthz()

    assert "timed out" in raised.value.reason


def test_an_answer_cut_off_in_the_middle_raises_node_unreachable(node: FakeNode) -> None:
    node.replies["/api/v1/ledger/node"] = send(200, b'{"name": "no', declared=1000)
    node.replies["/api/v1/ledger/holdings/900101300126"] = send(500, b'{"err', declared=1000)
    client = NodeClient(node.url, timeout=5)

    with pytest.raises(NodeUnreachable):
        client.node_status()
    with pytest.raises(NodeUnreachable):
        client.holdings("900101300126")


def test_a_successful_answer_that_is_not_a_json_object_raises_node_error(node: FakeNode) -> None:
    node.replies["/healthz"] = send(200, b"<html>it works</html>")
    node.replies["/api/v1/ledger/node"] = send_json(200, [1, 2])
    client = NodeClient(node.url)

    for call in (client.healthz, client.node_status):
        with pytest.raises(NodeError) as raised:
            call()
        assert raised.value.status == 200
        assert isinstance(raised.value, NodeClientError)


def test_a_batch_is_posted_as_one_json_body_and_its_outcomes_come_back(node: FakeNode) -> None:
    outcomes = [{"tx_id": "ab" * 32, "state": "pending"}, {"error": {"code": "stale_nonce"}}]
    node.replies["/api/v1/ledger/transactions/batch"] = send_json(200, {"results": outcomes})
    envelopes = [b'{"body":{"n":1},"sigs":[]}', b'{"body":{"n":2},"sigs":[]}']

    results = NodeClient(node.url).submit_batch_body(batch_body(envelopes))

    assert results == outcomes
    [request] = node.seen
    assert (request.method, request.content_type) == ("POST", "application/json")
    assert json.loads(request.body) == {"transactions": [json.loads(e) for e in envelopes]}


def test_a_batch_answer_without_results_raises_node_error(node: FakeNode) -> None:
    node.replies["/api/v1/ledger/transactions/batch"] = send_json(200, {"unexpected": True})

    with pytest.raises(NodeError):
        NodeClient(node.url).submit_batch_body(batch_body([b"{}"]))


def test_reads_send_their_query_and_quote_what_goes_into_the_path(node: FakeNode) -> None:
    for path in (
        "/api/v1/ledger/transactions/abc",
        "/api/v1/ledger/transactions/abc/receipt",
        "/api/v1/ledger/accounts/a%2Fb%20c",
        "/api/v1/ledger/history/900101300126",
    ):
        node.replies[path] = send_json(200, {"ok": True})
    client = NodeClient(node.url + "/")

    client.status("abc", wait=1.5)
    client.receipt("abc")
    client.account("a/b c")
    client.history("900101300126", limit=5, before=9)

    assert [(r.method, r.path) for r in node.seen] == [
        ("GET", "/api/v1/ledger/transactions/abc?wait=1.5"),
        ("GET", "/api/v1/ledger/transactions/abc/receipt?wait=0.0"),
        ("GET", "/api/v1/ledger/accounts/a%2Fb%20c"),
        ("GET", "/api/v1/ledger/history/900101300126?limit=5&before=9"),
    ]


def test_a_wait_asked_of_the_node_is_added_to_the_timeout(node: FakeNode) -> None:
    def late(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.5)  # as a node holding a long poll does
        send_json(200, {"state": "committed"})(handler)

    node.replies["/api/v1/ledger/transactions/abc"] = late
    client = NodeClient(node.url, timeout=0.1)

    assert client.status("abc", wait=10)["state"] == "committed"
    with pytest.raises(NodeUnreachable):
        client.status("abc")


def test_only_http_and_https_urls_are_accepted() -> None:
    for url in ("127.0.0.1:8101", "ftp://127.0.0.1", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="http"):
            NodeClient(url)
    assert NodeClient("https://node.example/").url == "https://node.example"
