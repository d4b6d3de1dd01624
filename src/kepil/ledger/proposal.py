"""Consensus log entries: a batch of transactions for the next block, or nodes' checkpoints.

Each entry is a header line, then one canonical JSON document per line. Canonical JSON never
holds a raw newline (strings escape it), so lines split the entry without parsing it, and each
envelope goes through decode_tx's fast path as the bytes it arrived as.

A batch names no height and no previous hash: every node places it after its own head, in log
order. Any node may therefore propose its own batch (the leader orders them), none is ever void
because another came first, and a transaction that two nodes both proposed applies once (its
nonce is spent by the first) with the same refusal for the copy everywhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from kepil.ledger.checkpoint import Checkpoint
from kepil.ledger.codes import Refusal
from kepil.ledger.encoding import canonical_json
from kepil.ledger.fields import HEX64, Fields, malformed
from kepil.ledger.tx import SignedTx, decode_tx, parse_json

BATCH_FORMAT: Final = "kepil/batch/v1"
CHECKPOINTS_FORMAT: Final = "kepil/checkpoints/v1"
MAX_NODE_NAME: Final = 100
_NEWLINE: Final = b"\n"


@dataclass(frozen=True, slots=True)
class TxBatch:
    """Transactions for the next block, with the proposer's clock (unix seconds)."""

    timestamp: int
    txs: tuple[SignedTx, ...]


@dataclass(frozen=True, slots=True)
class CheckpointBatch:
    """Checkpoints one or more nodes signed, to be kept by every node."""

    checkpoints: tuple[Checkpoint, ...]


Entry = TxBatch | CheckpointBatch


def batch_bytes(chain_id: str, batch: TxBatch) -> bytes:
    """The entry that carries `batch` of chain `chain_id`."""
    header = {
        "format": BATCH_FORMAT,
        "chain": chain_id,
        "timestamp": batch.timestamp,
        "count": len(batch.txs),
    }
    return _NEWLINE.join([canonical_json(header), *(tx.to_bytes() for tx in batch.txs)])


def checkpoints_bytes(chain_id: str, checkpoints: Sequence[Checkpoint]) -> bytes:
    """The entry that carries `checkpoints` of chain `chain_id`."""
    header = {"format": CHECKPOINTS_FORMAT, "chain": chain_id, "count": len(checkpoints)}
    lines = [canonical_json(c.to_json()) for c in checkpoints]
    return _NEWLINE.join([canonical_json(header), *lines])


def entry_from_bytes(chain_id: str, entry: bytes) -> Entry:
    """What an entry carries; Refusal (malformed) when it is not an entry of chain `chain_id`."""
    first, *lines = entry.split(_NEWLINE)
    reader = Fields(parse_json(first), "entry")
    kind = reader.raw("format")
    if kind not in (BATCH_FORMAT, CHECKPOINTS_FORMAT):
        raise malformed(f"not a {BATCH_FORMAT} or {CHECKPOINTS_FORMAT} entry")
    if reader.raw("chain") != chain_id:
        raise malformed(f"an entry of another chain than {chain_id!r}")
    timestamp = reader.integer("timestamp") if kind == BATCH_FORMAT else 0
    count = reader.integer("count")
    reader.done()
    if count != len(lines):
        raise malformed(f"the entry announces {count} items, not {len(lines)}")
    if kind == CHECKPOINTS_FORMAT:
        return CheckpointBatch(tuple(_checkpoint(chain_id, line) for line in lines))
    try:
        txs = tuple(decode_tx(line) for line in lines)
    except Refusal as refusal:
        raise malformed(f"a transaction of the batch is unreadable: {refusal}") from None
    return TxBatch(timestamp, txs)


def _checkpoint(chain_id: str, line: bytes) -> Checkpoint:
    reader = Fields(parse_json(line), "checkpoint")
    if reader.raw("chain_id") != chain_id:
        raise malformed(f"a checkpoint of another chain than {chain_id!r}")
    height = reader.integer("height")
    block_hash = reader.hex64("block_hash")
    state_root = reader.hex64("state_root")
    node = reader.text("node", MAX_NODE_NAME)
    key = reader.hex64("key")
    sig = reader.raw("sig")
    reader.done()
    if not isinstance(sig, str) or not HEX64.fullmatch(sig[:64]) or len(sig) != 128:
        raise malformed("checkpoint.sig must be 128 lowercase hex digits")
    if not HEX64.fullmatch(sig[64:]):
        raise malformed("checkpoint.sig must be 128 lowercase hex digits")
    return Checkpoint(chain_id, height, block_hash, state_root, node, key, sig)
