"""The relay's reach into platforms: their nodes' HTTP API (adapters/node_client.py) and the
`permit_status` transaction built from the Ministry's files (adapters/ledger_permit.py)."""

from __future__ import annotations

from typing import Final

from kepil.adapters.ledger_permit import permit_change_tx
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


class HttpPlatformNodes:
    """Talks to a platform's nodes by base URL, each request bounded by `timeout` seconds."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        """Give each node `timeout` seconds to answer (plus any wait the relay asks for)."""
        self._timeout = timeout

    def submit(self, url: str, envelope: bytes) -> None:
        """Hand the node the envelope; one it already knows is no error."""
        try:
            NodeClient(url, self._timeout).submit(envelope)
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            if error.code == _ALREADY_KNOWN:
                return
            if error.code is None or error.status >= _SERVER_ERROR or error.status == _BUSY:
                raise NodeUnavailable(str(error)) from None
            raise NodeRefusal(error.code, error.message) from None
        except ValueError as error:  # not an http(s) URL: the register checks, but be sure
            raise NodeUnavailable(str(error)) from None

    def committed(self, url: str, tx_id: str, wait: float) -> Committed | None:
        """The block that holds `tx_id`, waiting up to `wait` seconds; None if none yet."""
        try:
            status = NodeClient(url, self._timeout).status(tx_id, wait=wait)
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            raise NodeUnavailable(str(error)) from None
        if status.get("state") != "committed" or status.get("height") is None:
            return None
        return Committed(int(status["height"]), str(status.get("code") or ""))

    def permit(self, url: str) -> ChainPermit:
        """The chain's permit as the node holds it (its status and last change's reference)."""
        try:
            found = NodeClient(url, self._timeout).permit()
        except NodeUnreachable as error:
            raise NodeUnavailable(error.reason) from None
        except NodeError as error:
            raise NodeUnavailable(str(error)) from None
        status, reference = found.get("status"), found.get("reference")
        if not isinstance(status, str) or not isinstance(reference, str):
            raise NodeUnavailable("the node's permit has no status or reference")
        return ChainPermit(status, reference)


def build_change_tx(chain_id: str, cms: bytes, document: bytes, now: int) -> BuiltTx:
    """The `permit_status` transaction relaying the files (the same files and `now`, the same
    transaction); ValueError when the CMS cannot be read."""
    tx = permit_change_tx(chain_id, cms, document or None, now)
    return BuiltTx(tx.tx_id, tx.to_bytes())
