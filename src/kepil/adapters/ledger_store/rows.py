"""The rows one block adds to the ledger file, prepared before the write transaction opens."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from kepil.adapters.ledger_store.movements import Movement
from kepil.ledger.block import Block
from kepil.ledger.checkpoint import Checkpoint
from kepil.ledger.state import ChangeSet
from kepil.ledger.statekeys import VALUE_TYPES, Space, StateKey, Value, key_text, value_json
from kepil.services.ledger.storage import block_parties, lock_owners, tx_seq

_BALANCE = Space.BALANCE.value


def stored_value(value: Value) -> str:
    """A value's column text: canonical JSON (integers are their own decimal text)."""
    return str(value) if type(value) is int else value_json(value)


def loaded_value(key: StateKey, text: str) -> Value:
    """The value `stored_value` wrote under `key`."""
    record_type = VALUE_TYPES[key[0]]
    if record_type is None:
        return int(text)
    return record_type.from_json(json.loads(text))


def compact_json(value: Any) -> str:
    """JSON text for storage (not hashed, so not canonical)."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


@dataclass
class BlockRows:
    """Everything a commit writes, as parameter tuples for executemany."""

    upserts: list[tuple[str, str]] = field(default_factory=list)
    deletes: list[tuple[str]] = field(default_factory=list)
    history: list[tuple[int, str, str | None, str | None]] = field(default_factory=list)
    balances: list[tuple[str, str, int, int]] = field(default_factory=list)
    block: tuple[int, str, int, str, int, str, str] | None = None
    transactions: list[tuple[int, int, str, str, str, str, str]] = field(default_factory=list)
    movements: list[tuple[Any, ...]] = field(default_factory=list)
    parties: list[tuple[str, int]] = field(default_factory=list)
    checkpoint: tuple[int, str] | None = None
    tx_parties: list[tuple[str, int, int, int]] = field(default_factory=list)
    holder_records: list[tuple[str, str]] = field(default_factory=list)


def state_rows(rows: BlockRows, changes: ChangeSet, height: int) -> None:
    """State upserts and deletions, the history of each changed key, and balance history."""
    previous = changes.previous
    for key, new in changes.writes.items():
        text = key_text(key)
        old = previous.get(key)
        new_text = None if new is None else stored_value(new)
        if new_text is None:
            rows.deletes.append((text,))
        else:
            rows.upserts.append((text, new_text))
        rows.history.append((height, text, None if old is None else stored_value(old), new_text))
        if key[0] == _BALANCE:
            amount = new if isinstance(new, int) else 0
            rows.balances.append((key[2], key[1], height, amount))


def block_rows(rows: BlockRows, block: Block, movements: list[Movement], first_id: int) -> None:
    """The block, its transactions, and its movements numbered from `first_id`."""
    header = block.header
    # Each envelope once, in its canonical text (which reads back by decode_tx's fast path);
    # the block's own column stays empty: the block is assembled from these rows (schema 3).
    envelopes = [tx.to_bytes().decode() for tx in block.txs]
    rows.block = (
        header.height,
        block.hash,
        header.timestamp,
        header.state_root,
        header.tx_count,
        compact_json(header.to_json()),
        "",
    )
    for index, (tx, result, envelope) in enumerate(
        zip(block.txs, block.results, envelopes, strict=True)
    ):
        signers = compact_json(sorted(tx.unsigned.nonces))
        rows.transactions.append(
            (header.height, index, tx.tx_id, tx.type, result.code, signers, envelope)
        )
    for number, move in enumerate(movements, start=first_id):
        rows.movements.append(
            (number, move.height, move.tx_index, move.tx_id, move.asset, move.kind, move.sender,
             move.recipient, move.amount, move.ref)
        )  # fmt: skip
        rows.parties.extend((party, number) for party in sorted(move.parties()))


def log_rows(rows: BlockRows, block: Block, checkpoint: Checkpoint, changes: ChangeSet) -> None:
    """The checkpoint, who took part in each transaction, and whose units each lock holds."""
    height = block.header.height
    rows.checkpoint = (height, compact_json(checkpoint.to_json()))
    for index, parties in enumerate(block_parties(block, changes)):
        seq = tx_seq(height, index)
        rows.tx_parties.extend((party, seq, height, index) for party in sorted(parties))
    rows.holder_records.extend((owner, key_text(key)) for owner, key in lock_owners(changes))
