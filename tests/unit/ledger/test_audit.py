"""The offline audit of a node's chain: replay from genesis, checkpoints, majorities, findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from tests.support.ledger import (
    ALICE,
    BOB,
    CHAIN_ID,
    WHEAT,
    Chain,
    FakePermitVerifier,
    fixture_key,
    genesis_payload,
)

from kepil.ledger import (
    Block,
    ChainHead,
    Checkpoint,
    Executor,
    default_registry,
    public_key_hex,
    sign_checkpoint,
)
from kepil.ledger.block import TxResult
from kepil.ledger.codes import ReasonCode
from kepil.ledger.crypto import sign_hex
from kepil.ledger.records import NodeKey
from kepil.ledger.statekeys import StateKey, Value, balance_key
from kepil.ledger.tx import signing_message
from kepil.services.ledger.audit import AuditReport, FindingKind, audit_chain

NODES = ("node-1", "node-2")


@dataclass
class ChainReader:
    """A node's ledger in memory, as the audit reads it; tests spoil it field by field."""

    head_: ChainHead | None
    blocks: list[Block]
    root: str
    own: dict[int, Checkpoint] = field(default_factory=dict)
    kept: dict[int, list[Checkpoint]] = field(default_factory=dict)

    def head(self) -> ChainHead | None:
        return self.head_

    def block(self, height: int) -> Block | None:
        return self.blocks[height] if 0 <= height < len(self.blocks) else None

    def checkpoint(self, height: int) -> Checkpoint | None:
        return self.own.get(height)

    def checkpoints(self, height: int) -> list[Checkpoint]:
        return self.kept.get(height, [])

    def state_root(self) -> str:
        return self.root


def signed(block: Block, node: str) -> Checkpoint:
    return sign_checkpoint(block, node, fixture_key(node))


def reader_of(chain: Chain, nodes: tuple[str, ...] = NODES) -> ChainReader:
    """node-1's ledger: its own checkpoints, and every node's as the log delivered them."""
    reader = ChainReader(chain.state.head(), list(chain.blocks), chain.state.state_root())
    for block in chain.blocks:
        height = block.header.height
        reader.own[height] = signed(block, nodes[0])
        reader.kept[height] = [signed(block, node) for node in nodes]
    return reader


def audit(reader: ChainReader, **options: object) -> AuditReport:
    executor = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    return audit_chain(reader, executor, **options)  # type: ignore[arg-type]


def kinds(report: AuditReport) -> list[tuple[int | None, FindingKind]]:
    return [(f.height, f.kind) for f in report.findings]


def rehashed(block: Block, **header_changes: object) -> Block:
    """`block` with other header fields and the hash that header really has."""
    header = dataclasses.replace(block.header, **header_changes)  # type: ignore[arg-type]
    return dataclasses.replace(block, header=header, hash=header.block_hash())


@pytest.fixture
def head_height(chain: Chain) -> int:
    return len(chain.blocks) - 1


def test_a_clean_chain_audits_ok_and_every_height_is_confirmed(
    chain: Chain, head_height: int
) -> None:
    report = audit(reader_of(chain))
    assert report.ok, report.findings
    assert report.complete
    assert report.heights_checked == len(chain.blocks)
    assert report.transactions == sum(len(b.txs) for b in chain.blocks)
    assert (report.nodes, report.majority) == (NODES, 2)
    assert report.confirmed_height == head_height
    assert report.unconfirmed == ()
    assert report.state_root == chain.state.state_root()
    document = report.to_json()
    assert document["ok"] is True
    assert document["findings"] == []
    assert document["chain_id"] == CHAIN_ID


def test_the_progress_callback_follows_every_block(chain: Chain, head_height: int) -> None:
    seen: list[tuple[int, int]] = []
    audit(reader_of(chain), progress=lambda height, head: seen.append((height, head)))
    assert seen == [(h, head_height) for h in range(head_height + 1)]


def altered_result(block: Block) -> Block:
    results = (TxResult(block.results[0].tx_id, ReasonCode.INSUFFICIENT_UNITS),)
    return dataclasses.replace(block, results=results + block.results[1:])


def forged_signature(block: Block) -> Block:
    tx = block.txs[0]
    stranger = fixture_key("someone else")
    sig = dataclasses.replace(tx.sigs[0], sig=sign_hex(stranger, signing_message(tx.tx_id)))
    forged = dataclasses.replace(tx, sigs=(sig, *tx.sigs[1:]))
    return dataclasses.replace(block, txs=(forged, *block.txs[1:]))


def broken_link(block: Block) -> Block:
    return rehashed(block, previous_hash="ab" * 32)


def wrong_hash(block: Block) -> Block:
    return dataclasses.replace(block, hash="cd" * 32)


def other_root(block: Block) -> Block:
    return rehashed(block, state_root="ef" * 32)


@pytest.mark.parametrize(
    ("spoil", "kind"),
    [
        (altered_result, FindingKind.REPLAY_MISMATCH),
        (forged_signature, FindingKind.BAD_TX_SIGNATURE),
        (broken_link, FindingKind.BROKEN_LINK),
        (wrong_hash, FindingKind.HASH_MISMATCH),
        (other_root, FindingKind.REPLAY_MISMATCH),
    ],
)
def test_a_spoiled_block_is_found_and_the_replay_stops_there(
    chain: Chain, spoil: Callable[[Block], Block], kind: FindingKind
) -> None:
    reader = reader_of(chain)
    height = 4
    assert chain.blocks[height].results[0].ok
    reader.blocks[height] = spoil(reader.blocks[height])
    report = audit(reader)
    assert kinds(report) == [(height, kind)]
    assert not report.ok
    assert not report.complete
    assert report.heights_checked == height
    assert report.confirmed_height == height - 1
    assert report.state_root is None


def test_a_block_that_does_not_decode_is_found(chain: Chain) -> None:
    class Unreadable(ChainReader):
        def block(self, height: int) -> Block | None:
            if height == 2:
                raise ValueError("block 2: the hash is not the header's")
            return super().block(height)

    plain = reader_of(chain)
    report = audit(Unreadable(plain.head_, plain.blocks, plain.root, plain.own, plain.kept))
    assert kinds(report) == [(2, FindingKind.UNREADABLE_BLOCK)]
    assert report.heights_checked == 2


def test_a_missing_block_below_the_head_is_found(chain: Chain) -> None:
    reader = reader_of(chain)
    del reader.blocks[5:]
    assert kinds(audit(reader)) == [(5, FindingKind.MISSING_BLOCK)]


def bad_signature(block: Block) -> Checkpoint:
    genuine = signed(block, "node-2")
    return dataclasses.replace(genuine, sig=sign_hex(fixture_key("node-2"), b"something else"))


def by_a_stranger(block: Block) -> Checkpoint:
    return signed(block, "node-9")


def with_another_key(block: Block) -> Checkpoint:
    return sign_checkpoint(block, "node-2", fixture_key("node-9"))


def of_another_root(block: Block) -> Checkpoint:
    return signed(other_root(block), "node-2")


def of_another_height(block: Block) -> Checkpoint:
    return signed(rehashed(block, height=block.header.height + 1), "node-2")


@pytest.mark.parametrize(
    ("forge", "kind"),
    [
        (bad_signature, FindingKind.CHECKPOINT_BAD_SIGNATURE),
        (by_a_stranger, FindingKind.CHECKPOINT_STRANGER),
        (with_another_key, FindingKind.CHECKPOINT_WRONG_KEY),
        (of_another_root, FindingKind.CHECKPOINT_DISAGREES),
        (of_another_height, FindingKind.CHECKPOINT_DISAGREES),
    ],
)
def test_a_bad_checkpoint_is_found_and_does_not_count_toward_a_majority(
    chain: Chain, head_height: int, forge: Callable[[Block], Checkpoint], kind: FindingKind
) -> None:
    reader = reader_of(chain)
    height = 3
    reader.kept[height] = [signed(chain.blocks[height], "node-1"), forge(chain.blocks[height])]
    report = audit(reader)
    assert kinds(report) == [(height, kind)]
    assert report.complete  # a bad checkpoint does not stop the replay
    assert report.unconfirmed == ((height, height),)
    assert report.confirmed_height == head_height


def test_a_bad_own_checkpoint_is_found_too(chain: Chain) -> None:
    reader = reader_of(chain)
    reader.own[1] = of_another_root(chain.blocks[1])
    assert kinds(audit(reader)) == [(1, FindingKind.CHECKPOINT_DISAGREES)]


def test_heights_still_waiting_for_a_majority_are_reported_but_are_not_findings(
    chain: Chain, head_height: int
) -> None:
    reader = reader_of(chain)
    for height in (0, head_height - 2, head_height - 1, head_height):
        reader.kept[height] = reader.kept[height][:1]  # only node-1's own so far
    report = audit(reader)
    assert report.ok
    assert report.unconfirmed == ((0, 0), (head_height - 2, head_height))
    assert report.confirmed_height == head_height - 3
    assert report.to_json()["unconfirmed"] == [[0, 0], [head_height - 2, head_height]]


def test_a_single_embedded_nodes_own_checkpoints_confirm_its_chain() -> None:
    chain = Chain()
    single = (NodeKey("node-1", public_key_hex(fixture_key("node-1"))),)
    chain.genesis(dataclasses.replace(genesis_payload(), nodes=single))
    assert chain.transfer(ALICE, BOB, 1) != "ok"  # a refused transaction is still replayed
    reader = reader_of(chain, nodes=("node-1",))
    reader.kept.clear()  # an embedded node has no consensus log delivering checkpoints
    report = audit(reader)
    assert report.ok, report.findings
    assert (report.nodes, report.majority) == (("node-1",), 1)
    assert report.confirmed_height == 1


def test_a_state_root_other_than_the_replays_is_found(chain: Chain) -> None:
    reader = reader_of(chain)
    reader.root = "00" * 32
    assert kinds(audit(reader)) == [(None, FindingKind.STATE_ROOT_MISMATCH)]


def test_a_head_other_than_the_last_block_is_found(chain: Chain, head_height: int) -> None:
    reader = reader_of(chain)
    assert reader.head_ is not None
    reader.head_ = dataclasses.replace(reader.head_, block_hash="12" * 32)
    assert kinds(audit(reader)) == [(head_height, FindingKind.HEAD_MISMATCH)]


def test_a_block_beyond_the_head_is_found(chain: Chain, head_height: int) -> None:
    reader = reader_of(chain)
    reader.head_ = chain.blocks[-2].head()
    reader.root = chain.blocks[-2].header.state_root
    report = audit(reader)
    assert kinds(report) == [(head_height, FindingKind.EXTRA_BLOCK)]


def test_the_state_table_must_hold_what_the_replay_reached(chain: Chain) -> None:
    entries: dict[StateKey, Value] = dict(chain.state.items())
    assert audit(reader_of(chain), state_entries=entries.items()).ok
    entries[balance_key(ALICE, WHEAT)] = 10**6
    del entries[balance_key(BOB, WHEAT)]
    report = audit(reader_of(chain), state_entries=entries.items())
    assert kinds(report) == [(None, FindingKind.STATE_TABLE_MISMATCH)]
    assert "1 entries differ" in report.findings[0].detail
    assert "1 missing" in report.findings[0].detail


def test_an_empty_ledger_is_a_finding_not_a_pass() -> None:
    report = audit(ChainReader(None, [], "00" * 32))
    assert kinds(report) == [(None, FindingKind.EMPTY)]
    assert report.head_height is None


def test_a_chain_replayed_under_another_chain_id_fails_at_genesis(chain: Chain) -> None:
    executor = Executor("kepil-other", default_registry(FakePermitVerifier()))
    report = audit_chain(reader_of(chain), executor)
    assert kinds(report) == [(0, FindingKind.REPLAY_MISMATCH)]
    assert report.heights_checked == 0


def test_an_unreadable_checkpoint_is_found_and_the_others_still_count(chain: Chain) -> None:
    class SpoiledCheckpoints(ChainReader):
        def checkpoints(self, height: int) -> list[Checkpoint]:
            if height == 2:
                raise TypeError("Checkpoint.__init__() got an unexpected keyword argument 'x'")
            return super().checkpoints(height)

    plain = reader_of(chain)
    report = audit(SpoiledCheckpoints(plain.head_, plain.blocks, plain.root, plain.own, plain.kept))
    assert kinds(report) == [(2, FindingKind.UNREADABLE_CHECKPOINT)]
    assert report.unconfirmed == ((2, 2),)  # node-1's own alone is no majority of two
