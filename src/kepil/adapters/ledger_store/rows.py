"""The rows one block adds to the ledger file, prepared before the write transaction opens."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Final

from kepil.adapters.ledger_store.body import encode_body
from kepil.ledger.block import OK, Block
from kepil.ledger.checkpoint import Checkpoint
from kepil.ledger.state import ChangeSet
from kepil.ledger.statekeys import VALUE_TYPES, StateKey, Value, key_text, value_json
from kepil.services.ledger.storage import block_parties, lock_owners, tx_seq

TOOK_PART: Final = 1  # holder_txs.tags: a signer of the transaction, or named in its payload
MOVED: Final = 2  # holder_txs.tags: a sender or recipient of one of its movements


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
    changed: tuple[int, str] | None = None
    block: tuple[int, str, int, str, int, str, str, int] | None = None
    applied: list[tuple[str, int, int]] = field(default_factory=list)
    refused: list[tuple[str, int, int, str]] = field(default_factory=list)
    txs: list[tuple[int, str, str, str]] = field(default_factory=list)
    asset_moves: list[tuple[str, int, int]] = field(default_factory=list)
    movement_count: int = 0
    # (holder, seq) -> tags, turned into holder_txs rows by holder_rows().
    holders: dict[tuple[str, int], int] = field(default_factory=dict)
    checkpoint: tuple[int, str] | None = None
    holder_records: list[tuple[str, str]] = field(default_factory=list)

    def holder_rows(self) -> list[tuple[str, int, int]]:
        """The holder_txs rows: one per holder and transaction."""
        # In key order: the inserts walk the index once instead of jumping about it.
        return [(holder, seq, tags) for (holder, seq), tags in sorted(self.holders.items())]


def state_rows(rows: BlockRows, changes: ChangeSet, height: int) -> None:
    """State upserts and deletions, the history of each changed key, and the keys changed."""
    previous = changes.previous
    keys = []
    for key, new in changes.writes.items():
        text = key_text(key)
        keys.append(text)
        old = previous.get(key)
        new_text = None if new is None else stored_value(new)
        if new_text is None:
            rows.deletes.append((text,))
        else:
            rows.upserts.append((text, new_text))
        rows.history.append((height, text, None if old is None else stored_value(old), new_text))
    rows.changed = (height, compact_json(keys))


def block_rows(rows: BlockRows, block: Block, moves: list[list[Any]], first_id: int) -> None:
    """The block's row (with its movements, block_moves(), numbered from `first_id`) and its
    lookups."""
    header = block.header
    height = header.height
    # Each envelope once, in its canonical text (which reads back by decode_tx's fast path).
    envelopes = [tx.to_bytes().decode() for tx in block.txs]
    ids = [tx.tx_id for tx in block.txs]
    results = [result.code for result in block.results]
    holders = rows.holders
    for number, (index, asset, _, sender, recipient, _, _) in enumerate(moves, start=first_id):
        rows.asset_moves.append((asset, number, height))
        seq = tx_seq(height, index)
        for party in (sender, recipient):
            if party is not None:
                holders[party, seq] = holders.get((party, seq), 0) | MOVED
    rows.movement_count = len(moves)
    rows.block = (
        height,
        block.hash,
        header.timestamp,
        header.state_root,
        header.tx_count,
        compact_json(header.to_json()),
        encode_body(ids, results, moves, envelopes),
        first_id,
    )
    first_seq = tx_seq(height, 0)  # a block's seqs are a run: tx_seq(height, i) = first_seq + i
    rows.txs = [
        (first_seq + index, tx_id, tx.type, code)
        for index, (tx_id, tx, code) in enumerate(zip(ids, block.txs, results, strict=True))
    ]
    for index, (tx_id, code) in enumerate(zip(ids, results, strict=True)):
        if code == OK:
            rows.applied.append((tx_id, height, index))
        else:
            rows.refused.append((tx_id, height, index, code))


def log_rows(rows: BlockRows, block: Block, checkpoint: Checkpoint, changes: ChangeSet) -> None:
    """The checkpoint, who took part in each transaction, and whose units each lock holds."""
    height = block.header.height
    rows.checkpoint = (height, compact_json(checkpoint.to_json()))
    holders = rows.holders
    for index, parties in enumerate(block_parties(block, changes)):
        seq = tx_seq(height, index)
        for party in parties:
            holders[party, seq] = holders.get((party, seq), 0) | TOOK_PART
    rows.holder_records.extend((owner, key_text(key)) for owner, key in lock_owners(changes))
