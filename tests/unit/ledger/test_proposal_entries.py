"""Consensus log entries: batches and checkpoints round-trip, and every spoilt entry is refused."""

from __future__ import annotations

import pytest
from tests.support.ledger import ALICE, BOB, CHAIN_ID, WHEAT, fixture_key, standard_chain

from kepil.ledger import Refusal, sign_checkpoint
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.proposal import (
    CheckpointBatch,
    TxBatch,
    batch_bytes,
    checkpoints_bytes,
    entry_from_bytes,
)


def _batch() -> TxBatch:
    chain = standard_chain()
    txs = tuple(chain.tx(Transfer(WHEAT, ALICE, BOB, n), ALICE) for n in (1, 2, 3))
    return TxBatch(chain.now, txs)


def test_a_batch_comes_back_from_its_entry_unchanged() -> None:
    batch = _batch()
    again = entry_from_bytes(CHAIN_ID, batch_bytes(CHAIN_ID, batch))
    assert again == batch
    assert isinstance(again, TxBatch)
    assert [tx.sigs for tx in again.txs] == [tx.sigs for tx in batch.txs]


def test_an_empty_batch_comes_back_empty() -> None:
    empty = TxBatch(1_000, ())
    assert entry_from_bytes(CHAIN_ID, batch_bytes(CHAIN_ID, empty)) == empty


def test_checkpoints_come_back_from_their_entry_unchanged() -> None:
    chain = standard_chain()
    checkpoints = tuple(
        sign_checkpoint(chain.blocks[-1], f"node-{i}", fixture_key(f"node-{i}")) for i in (1, 2)
    )
    entry = checkpoints_bytes(CHAIN_ID, checkpoints)
    assert entry_from_bytes(CHAIN_ID, entry) == CheckpointBatch(checkpoints)


@pytest.mark.parametrize(
    "spoil",
    [
        lambda entry: entry.replace(b'"count":3', b'"count":2'),
        lambda entry: entry.rsplit(b"\n", 1)[0],
        lambda entry: entry.replace(b"kepil/batch/v1", b"kepil/batch/v0"),
        lambda entry: entry + b"\n{}",
        lambda entry: b"not json\n" + entry,
        lambda entry: entry.replace(b'"timestamp":', b'"timestamp":-', 1),
        lambda entry: entry.replace(b'"sigs"', b'"Sigs"', 1),
    ],
    ids=["count", "missing tx", "format", "extra line", "garbage header", "time", "bad tx"],
)
def test_a_spoilt_batch_is_refused_as_malformed(spoil: object) -> None:
    entry = batch_bytes(CHAIN_ID, _batch())
    with pytest.raises(Refusal) as refused:
        entry_from_bytes(CHAIN_ID, spoil(entry))  # type: ignore[operator]
    assert refused.value.code.value == "malformed"


@pytest.mark.parametrize(
    "spoil",
    [
        lambda line: line.replace(b'"sig":"', b'"sig":"zz', 1),
        lambda line: line.replace(b'"height":', b'"height":-', 1),
        lambda line: line.replace(b'"node":"node-1"', b'"node":7', 1),
        lambda line: line.replace(b'"chain_id":"kepil-test"', b'"chain_id":"other"', 1),
    ],
    ids=["sig", "height", "node", "chain"],
)
def test_a_spoilt_checkpoint_is_refused_as_malformed(spoil: object) -> None:
    chain = standard_chain()
    checkpoint = sign_checkpoint(chain.blocks[-1], "node-1", fixture_key("node-1"))
    entry = checkpoints_bytes(CHAIN_ID, [checkpoint])
    with pytest.raises(Refusal) as refused:
        entry_from_bytes(CHAIN_ID, spoil(entry))  # type: ignore[operator]
    assert refused.value.code.value == "malformed"


def test_an_entry_of_another_chain_is_refused() -> None:
    entry = batch_bytes("another-chain", _batch())
    with pytest.raises(Refusal, match="another chain"):
        entry_from_bytes(CHAIN_ID, entry)
