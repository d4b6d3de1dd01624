"""The ledger's writes as commands on the message bus, and their handlers.

A handler takes its command and the node (bound by name when bootstrap registers it) and
answers what the node answers: a transaction's id, or one outcome per envelope of a batch.
Refusals before the mempool raise SubmitRefused with a stable code, as the node does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

from kepil.ledger import Refusal
from kepil.ledger.tx import MAX_FAST_OPENERS, parse_json
from kepil.services.ledger.node import LedgerNode, SubmitRefused
from kepil.services.messagebus import Command

MAX_BATCH: Final = 2000
_BATCH_OPENING: Final = b'{"transactions":['
_BATCH_CLOSING: Final = b"]}"


@dataclass(frozen=True, slots=True)
class SubmitTransaction(Command[str]):
    """Admit one signed envelope (wire bytes) into the mempool; answers its id."""

    envelope: bytes


@dataclass(frozen=True, slots=True)
class SubmitTransactions(Command[list[str | SubmitRefused]]):
    """Admit up to MAX_BATCH envelopes, each on its own; answers one outcome per envelope."""

    envelopes: tuple[Any, ...]

    @classmethod
    def from_body(cls, body: bytes) -> SubmitTransactions:
        """The batch `{"transactions": [envelope, ...]}`; raise SubmitRefused for the whole."""
        envelopes = _exact_envelopes(body)
        if envelopes is not None:
            return cls(envelopes)
        try:
            parsed = parse_json(body)
        except Refusal as refusal:
            raise SubmitRefused(refusal.code.value, str(refusal)) from None
        items = (
            parsed.get("transactions") if isinstance(parsed, dict) and len(parsed) == 1 else None
        )
        if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
            raise SubmitRefused(
                "malformed", f'the body must be {{"transactions": [1-{MAX_BATCH} envelopes]}}'
            )
        return cls(tuple(items))


def _exact_envelopes(body: bytes) -> tuple[bytes, ...] | None:
    """Each envelope's own bytes when `body` is exactly its envelopes' sorted compact JSON.

    As a client writes a batch of canonical envelopes (node_client.batch_body). Each envelope
    then reaches decode_tx as bytes: its fast path, and bytes a transaction can keep, so that
    the batch it goes into need not be decoded again by this node (Replica). The outcome is the
    one of the strict path: orjson writes the body back byte for byte (no repeated key, NaN,
    big integer or other spelling), every envelope is an object (the strict path reads a
    string as JSON text again) and has few enough arrays and objects that the standard
    parser's nesting limit is far. Anything else takes the strict path.
    """
    if not body.startswith(_BATCH_OPENING) or not body.endswith(_BATCH_CLOSING):
        return None
    try:
        parts = _written_items(orjson.loads(body))
    except (orjson.JSONDecodeError, orjson.JSONEncodeError):
        return None
    if parts is None or _BATCH_OPENING + b",".join(parts) + _BATCH_CLOSING != body:
        return None
    if any(part.count(b"{") + part.count(b"[") > MAX_FAST_OPENERS for part in parts):
        return None
    # The same bytes sliced from the body, exact in size (orjson's results keep their buffers).
    envelopes, start = [], len(_BATCH_OPENING)
    for part in parts:
        envelopes.append(body[start : start + len(part)])
        start += len(part) + 1  # and the comma
    return tuple(envelopes)


def _written_items(parsed: object) -> list[bytes] | None:
    """orjson's sorted writing of each envelope of a parsed batch, or None if it is no batch."""
    items = parsed.get("transactions") if type(parsed) is dict and len(parsed) == 1 else None
    if type(items) is not list or not 0 < len(items) <= MAX_BATCH:
        return None
    if not all(type(item) is dict for item in items):
        return None
    return [orjson.dumps(item, option=orjson.OPT_SORT_KEYS) for item in items]


def submit_transaction(command: SubmitTransaction, node: LedgerNode) -> str:
    """Queue the envelope on `node`; its transaction id, or SubmitRefused."""
    return node.submit_bytes(command.envelope)


def submit_transactions(command: SubmitTransactions, node: LedgerNode) -> list[str | SubmitRefused]:
    """Queue the batch on `node`, its signatures checked together; one outcome each."""
    return node.submit_many(command.envelopes)
