"""The one client of a ledger node's HTTP API (`/api/v1/ledger`, `/healthz`).

The wallet, `kepil cluster`, the benchmarks and the tests all talk to nodes through it. A node
that cannot be reached, or whose answer is cut off, raises `NodeUnreachable`; a node that answers
with an HTTP error raises `NodeError` with the status and the node's JSON error (`code`,
`message`). A missing block is an answer, not an error: `block()` returns None.
"""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from kepil.ledger import SignedTx

LEDGER: Final = "/api/v1/ledger"
DEFAULT_TIMEOUT: Final = 60.0
_NOT_FOUND: Final = 404


class NodeClientError(Exception):
    """A request to a node gave no answer the caller can use."""


class NodeUnreachable(NodeClientError):  # noqa: N818 - names the situation, as callers read it
    """The node could not be reached, or its answer was cut off (refused, reset, timed out)."""

    def __init__(self, url: str, reason: str) -> None:
        super().__init__(f"{url}: {reason}")
        self.url = url
        self.reason = reason


class NodeError(NodeClientError):
    """The node answered with an HTTP error (or with something that is not JSON)."""

    def __init__(self, url: str, status: int, body: dict[str, Any] | None, text: str) -> None:
        error = body.get("error") if isinstance(body, dict) else None
        self.url = url
        self.status = status
        self.body = body
        self.code: str | None = None
        self.message = text
        if isinstance(error, dict):
            self.code = str(error.get("code")) if error.get("code") is not None else None
            self.message = str(error.get("message", text))
        super().__init__(str(self))

    def __str__(self) -> str:
        """`code: message (HTTP status)`, or what is known of it."""
        if self.code is None:
            return f"HTTP {self.status}" + (f": {self.message}" if self.message else "")
        return f"{self.code}: {self.message} (HTTP {self.status})"


def batch_body(envelopes: Iterable[bytes]) -> bytes:
    """The body of POST /transactions/batch for envelopes already encoded."""
    return b'{"transactions":[' + b",".join(envelopes) + b"]}"


class NodeClient:
    """One node's API at `url` (http://host:port), each request bounded by `timeout` seconds.

    A call that asks the node to wait (`wait=`) gets that much longer: the node holds the
    answer back on purpose.
    """

    def __init__(
        self,
        url: str,
        timeout: float = DEFAULT_TIMEOUT,
        opener: urllib.request.OpenerDirector | None = None,
        *,
        direct: bool = False,
    ) -> None:
        """ValueError unless `url` is an http:// or https:// URL; requests go through `opener`
        when given (the relay's refuses some addresses and every redirect); `direct` ignores
        the caller's *_proxy settings."""
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"{url!r} must start with http:// or https://")
        self.url = url.rstrip("/")
        self.timeout = timeout
        # A node on loopback must not be asked through the caller's http_proxy: the proxy
        # cannot reach it, and would see every request.
        if opener is None and direct:
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._open = urllib.request.urlopen if opener is None else opener.open

    # Reading.

    def healthz(self) -> dict[str, Any]:
        """Liveness: a node's name, head height and the leader it sees."""
        return self._object("/healthz")

    def node_status(self) -> dict[str, Any]:
        """The node's head, consensus view and divergence (GET /node)."""
        return self._object(f"{LEDGER}/node")

    def status(self, tx_id: str, wait: float = 0.0) -> dict[str, Any]:
        """A transaction's status, waiting up to `wait` seconds for its commit."""
        return self._object(f"{LEDGER}/transactions/{_segment(tx_id)}?wait={wait}", wait=wait)

    def receipt(self, tx_id: str, wait: float = 0.0) -> dict[str, Any]:
        """A committed transaction's receipt, waiting up to `wait` seconds for a majority."""
        path = f"{LEDGER}/transactions/{_segment(tx_id)}/receipt?wait={wait}"
        return self._object(path, wait=wait)

    def block(self, height: int) -> dict[str, Any] | None:
        """The block at `height` with its checkpoint; None when the node has none there."""
        return self._found(f"{LEDGER}/blocks/{int(height)}")

    def latest_block(self) -> dict[str, Any] | None:
        """The newest block; None before genesis."""
        return self._found(f"{LEDGER}/blocks/latest")

    def account(self, signer: str) -> dict[str, Any]:
        """A signer's participant record and next nonce."""
        return self._object(f"{LEDGER}/accounts/{_segment(signer)}")

    def permit(self) -> dict[str, Any]:
        """The operator's permit as the chain holds it, with the "ministry" nonce."""
        return self._object(f"{LEDGER}/permit")

    def holdings(self, holder: str) -> dict[str, Any]:
        """A holder's free, pledged and escrowed units per asset class."""
        return self._object(f"{LEDGER}/holdings/{_segment(holder)}")

    def history(self, holder: str, limit: int = 50, before: int | None = None) -> dict[str, Any]:
        """One page of the transactions a holder took part in, newest first."""
        query = f"?limit={limit}" + ("" if before is None else f"&before={before}")
        return self._object(f"{LEDGER}/history/{_segment(holder)}{query}")

    # Submitting.

    def submit(self, envelope: bytes) -> dict[str, Any]:
        """Submit one encoded envelope; {"tx_id", "state": "pending"} once admitted."""
        return self._object(f"{LEDGER}/transactions", envelope)

    def submit_batch(self, txs: Sequence[SignedTx]) -> list[dict[str, Any]]:
        """Submit up to 2,000 transactions; one outcome each ({"tx_id"} or {"error"})."""
        return self.submit_batch_body(batch_body(tx.to_bytes() for tx in txs))

    def submit_batch_body(self, body: bytes) -> list[dict[str, Any]]:
        """Submit a batch body made beforehand (`batch_body`); one outcome per envelope."""
        answer = self._object(f"{LEDGER}/transactions/batch", body)
        results = answer.get("results")
        if not isinstance(results, list):
            raise NodeError(self.url, 200, answer, "the batch answer has no results")
        return results

    # HTTP.

    def _found(self, path: str) -> dict[str, Any] | None:
        try:
            return self._object(path)
        except NodeError as error:
            if error.status == _NOT_FOUND and error.code == "not_found":
                return None
            raise

    def _object(self, path: str, body: bytes | None = None, wait: float = 0.0) -> dict[str, Any]:
        status, data = self._exchange(path, body, self.timeout + wait)
        try:
            answer = json.loads(data)
        except ValueError:
            raise NodeError(self.url + path, status, None, "the answer is not JSON") from None
        if not isinstance(answer, dict):
            raise NodeError(self.url + path, status, None, "the answer is not a JSON object")
        return answer

    def _exchange(self, path: str, body: bytes | None, timeout: float) -> tuple[int, bytes]:
        url = self.url + path
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked in __init__
            url,
            data=body,
            headers={"content-type": "application/json"},
            method="GET" if body is None else "POST",
        )
        try:
            with self._open(request, timeout=timeout) as response:
                return int(response.status), response.read()
        except urllib.error.HTTPError as error:
            raise _http_error(url, error) from None
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            # refused, reset, timed out, or cut off in the middle of the answer
            raise NodeUnreachable(url, _reason(error)) from None


def _http_error(url: str, error: urllib.error.HTTPError) -> NodeClientError:
    try:
        data = error.read()
    except (OSError, http.client.HTTPException) as cut:
        return NodeUnreachable(url, _reason(cut))
    try:
        body = json.loads(data)
    except ValueError:
        return NodeError(url, error.code, None, data[:200].decode("utf-8", "replace").strip())
    return NodeError(url, error.code, body if isinstance(body, dict) else None, "")


def _reason(error: BaseException) -> str:
    reason = getattr(error, "reason", None)
    return str(reason if reason is not None else error) or type(error).__name__


def _segment(value: str) -> str:
    return urllib.parse.quote(value, safe="")
