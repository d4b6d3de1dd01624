"""The relay's reach into platforms: their nodes' HTTP API (adapters/node_client.py) and the
`permit_status` transaction built from the Ministry's files (adapters/ledger_permit.py)."""

from __future__ import annotations

import re
from typing import Final

from kepil.adapters.ledger_permit import permit_change_tx
from kepil.adapters.node_addresses import NodeAddressGuard
from kepil.adapters.node_client import NodeClient, NodeError, NodeUnreachable
from kepil.services.bridge.relay import (
    BuiltTx,
    ChainPermit,
    Committed,
    NodeRefusal,
    NodeUnavailable,
)

DEFAULT_TIMEOUT: Final = 5.0
_ALREADY_KNOWN: Final = "duplicate"
_SERVER_ERROR: Final = 500
_BUSY: Final = 503
_CODE: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")


class HttpPlatformNodes:
    """Talks to a platform's nodes by base URL, each request bounded by `timeout` seconds.

    The node URLs come from whoever registered the platform: connections go through `guard`
    (no address inside this server's networks unless allowed, no redirect), and what is kept
    of an error is the node's code and the HTTP status, never the body of the answer."""

    def __init__(
        self, guard: NodeAddressGuard | None = None, timeout: float = DEFAULT_TIMEOUT
    ) -> None:
        """Give each node `timeout` seconds to answer (plus any wait the relay asks for)."""
        self._timeout = timeout
        self._opener = (guard or NodeAddressGuard(allow_private=False)).opener()

    def _client(self, url: str) -> NodeClient:
        return NodeClient(url, self._timeout, self._opener)

    def submit(self, url: str, envelope: bytes) -> None:
        """Hand the node the envelope; one it already knows is no error."""
        try:
            self._client(url).submit(envelope)
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            if error.code == _ALREADY_KNOWN:
                return
            code = _code(error)
            if error.code != code or error.status >= _SERVER_ERROR or error.status == _BUSY:
                raise NodeUnavailable(_short(error)) from None
            raise NodeRefusal(code, f"HTTP {error.status}") from None
        except ValueError as error:  # not an http(s) URL: the register checks, but be sure
            raise NodeUnavailable(str(error)) from None

    def committed(self, url: str, tx_id: str, wait: float) -> Committed | None:
        """The block that holds `tx_id`, waiting up to `wait` seconds; None if none yet."""
        try:
            status = self._client(url).status(tx_id, wait=wait)
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            raise NodeUnavailable(_short(error)) from None
        if status.get("state") != "committed" or status.get("height") is None:
            return None
        return Committed(int(status["height"]), str(status.get("code") or ""))

    def permit(self, url: str) -> ChainPermit:
        """The chain's permit as the node holds it (its status and last change's reference)."""
        try:
            found = self._client(url).permit()
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            raise NodeUnavailable(_short(error)) from None
        status, reference = found.get("status"), found.get("reference")
        if not isinstance(status, str) or not isinstance(reference, str):
            raise NodeUnavailable("the node's permit has no status or reference")
        return ChainPermit(status, reference)


def _short(error: NodeError) -> str:
    """The node's error code and the HTTP status: never the answer's text, which a server that
    is not a node (or one inside a network it should not be) would fill with anything."""
    return f"{_code(error)} (HTTP {error.status})"


def _code(error: NodeError) -> str:
    """The ledger's code as its codes are spelled, or a word of ours for anything else."""
    code = error.code or ""
    return code if _CODE.fullmatch(code) else "not_a_node_answer"


def build_change_tx(chain_id: str, cms: bytes, document: bytes, now: int) -> BuiltTx:
    """The `permit_status` transaction relaying the files (the same files and `now`, the same
    transaction); ValueError when the CMS cannot be read."""
    tx = permit_change_tx(chain_id, cms, document or None, now)
    return BuiltTx(tx.tx_id, tx.to_bytes())
