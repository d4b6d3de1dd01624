"""The ledger's writes as commands on the message bus, and their handlers.

A handler takes its command and the node (bound by name when bootstrap registers it) and
answers what the node answers: a transaction's id, or one outcome per envelope of a batch.
Refusals before the mempool raise SubmitRefused with a stable code, as the node does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from kepil.ledger import Refusal
from kepil.ledger.tx import parse_json
from kepil.services.ledger.node import LedgerNode, SubmitRefused
from kepil.services.messagebus import Command

MAX_BATCH: Final = 2000


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


def submit_transaction(command: SubmitTransaction, node: LedgerNode) -> str:
    """Queue the envelope on `node`; its transaction id, or SubmitRefused."""
    return node.submit_bytes(command.envelope)


def submit_transactions(command: SubmitTransactions, node: LedgerNode) -> list[str | SubmitRefused]:
    """Queue the batch on `node`, its signatures checked together; one outcome each."""
    return node.submit_many(command.envelopes)
