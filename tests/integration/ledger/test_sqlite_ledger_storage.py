"""The SQLite ledger file as the node's LedgerStorage: answers as memory's, kept on reopen."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.chains import busy_chain
from tests.support.ledger import (
    AGENT,
    ALICE,
    BOB,
    CAROL,
    ISSUER,
    OPERATOR,
    PLEDGEE,
    Chain,
    fixture_key,
)

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.adapters.ledger_store import CommitRefused, SqliteLedgerStore
from kepil.adapters.ledger_store.body import Bodies
from kepil.ledger import replay_block, sign_checkpoint
from kepil.services.ledger.storage import LedgerStorage

PARTIES = (ALICE, BOB, CAROL, ISSUER, OPERATOR, PLEDGEE, AGENT)
NODE_KEY = fixture_key("node-1")


def _record_all(storage: LedgerStorage, chain: Chain) -> None:
    for block in chain.blocks:
        outcome = replay_block(storage, block, chain.executor)
        storage.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY))


def _answers(storage: LedgerStorage, chain: Chain) -> dict[str, object]:
    answers: dict[str, object] = {}
    for party in PARTIES:
        answers[f"holdings {party}"] = storage.holdings(party)
        pages, before = [], None
        while True:
            page = storage.history(party, 2, before)
            pages.append(page.entries)
            if page.next_before is None:
                break
            before = page.next_before
        answers[f"history {party}"] = pages
    for block in chain.blocks:
        height = block.header.height
        answers[f"checkpoint {height}"] = storage.checkpoint(height)
        answers[f"block {height}"] = storage.block(height)
        for tx in block.txs:
            answers[f"locate {tx.tx_id}"] = storage.locate(tx.tx_id)
    return answers


@pytest.fixture(scope="module")
def chain() -> Chain:
    return busy_chain()


def test_the_ledger_file_answers_every_log_query_as_memory_does(
    chain: Chain, tmp_path: Path
) -> None:
    memory = MemoryLedgerStorage()
    locked = 0
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as stored:
        for block in chain.blocks:
            for storage in (memory, stored):
                outcome = replay_block(storage, block, chain.executor)
                storage.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY))
            holdings = [stored.holdings(party) for party in PARTIES]
            assert holdings == [memory.holdings(party) for party in PARTIES]
            locked += sum(h.pledged + h.escrowed for held in holdings for h in held)
        assert _answers(stored, chain) == _answers(memory, chain)
    assert locked > 0  # pledges and escrows were held at some height


def test_blocks_checkpoints_and_history_survive_reopening_the_file(
    chain: Chain, tmp_path: Path
) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteLedgerStore(path) as stored:
        _record_all(stored, chain)
        before = _answers(stored, chain)
    with SqliteLedgerStore(path) as reopened:
        assert _answers(reopened, chain) == before


def test_a_checkpoint_of_another_block_is_refused_and_nothing_is_written(
    chain: Chain, tmp_path: Path
) -> None:
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as stored:
        genesis = replay_block(stored, chain.blocks[0], chain.executor)
        stored.record(genesis, sign_checkpoint(genesis.block, "node-1", NODE_KEY))
        first = replay_block(stored, chain.blocks[1], chain.executor)
        with pytest.raises(CommitRefused):
            stored.record(first, sign_checkpoint(genesis.block, "node-1", NODE_KEY))
        head = stored.head()
        assert head is not None
        assert head.height == 0
        assert stored.block(1) is None
        assert stored.checkpoint(1) is None


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_the_consensus_log_index_grows_with_each_block_and_survives_reopening(
    chain: Chain, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "ledger.sqlite3"
    storage: LedgerStorage = MemoryLedgerStorage() if kind == "memory" else SqliteLedgerStore(path)
    assert storage.applied_log_index() == 0
    genesis = replay_block(storage, chain.blocks[0], chain.executor)
    storage.record(genesis, sign_checkpoint(genesis.block, "node-1", NODE_KEY), log_index=3)
    storage.skip_log_index(4)  # an entry that carried no block that attaches
    first = replay_block(storage, chain.blocks[1], chain.executor)
    checkpoint = sign_checkpoint(first.block, "node-1", NODE_KEY)
    with pytest.raises((CommitRefused, ValueError)):
        storage.record(first, checkpoint, log_index=4)  # already applied: a replay
    head = storage.head()
    assert head is not None
    assert (head.height, storage.applied_log_index()) == (0, 4)
    storage.record(first, checkpoint, log_index=5)
    if isinstance(storage, SqliteLedgerStore):
        storage.close()
        with SqliteLedgerStore(path) as reopened:
            assert reopened.applied_log_index() == 5
            reopened_head = reopened.head()
            assert reopened_head is not None
            assert reopened_head.height == 1


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
def test_every_nodes_checkpoints_are_kept_once_each_with_the_log_index(
    chain: Chain, tmp_path: Path, kind: str
) -> None:
    path = tmp_path / "ledger.sqlite3"
    storage: LedgerStorage = MemoryLedgerStorage() if kind == "memory" else SqliteLedgerStore(path)
    genesis = replay_block(storage, chain.blocks[0], chain.executor)
    storage.record(genesis, sign_checkpoint(genesis.block, "node-1", NODE_KEY), log_index=1)
    theirs = [sign_checkpoint(genesis.block, n, fixture_key(n)) for n in ("node-2", "node-1")]
    storage.record_checkpoints(theirs, 2)
    storage.record_checkpoints(theirs[:1], 3)  # a retried entry: kept once
    with pytest.raises((CommitRefused, ValueError)):
        storage.record_checkpoints(theirs, 3)  # a replayed index
    assert [c.node for c in storage.checkpoints(0)] == ["node-1", "node-2"]
    assert storage.checkpoints(0)[1] == theirs[0]
    assert storage.applied_log_index() == 3
    if isinstance(storage, SqliteLedgerStore):
        storage.close()
        with SqliteLedgerStore(path) as reopened:
            assert [c.node for c in reopened.checkpoints(0)] == ["node-1", "node-2"]
            assert reopened.applied_log_index() == 3


def test_a_snapshot_of_the_file_installs_elsewhere_with_its_blocks_state_and_log_index(
    chain: Chain, tmp_path: Path
) -> None:
    source = SqliteLedgerStore(tmp_path / "a.sqlite3")
    for index, block in enumerate(chain.blocks, start=1):
        outcome = replay_block(source, block, chain.executor)
        source.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY), index)
    assert source.save_snapshot(tmp_path / "snapshot.sqlite3") == len(chain.blocks)
    with SqliteLedgerStore(tmp_path / "b.sqlite3") as target:
        target.install_snapshot(tmp_path / "snapshot.sqlite3")
        assert target.head() == source.head()
        assert target.state_root() == source.state_root()
        assert target.applied_log_index() == len(chain.blocks)
        assert _answers(target, chain) == _answers(source, chain)
    source.close()
    with SqliteLedgerStore(tmp_path / "b.sqlite3") as reopened:
        assert reopened.head() == chain.blocks[-1].head()


def test_a_snapshot_view_keeps_the_state_it_began_with_while_blocks_commit(
    chain: Chain, tmp_path: Path
) -> None:
    source = SqliteLedgerStore(tmp_path / "a.sqlite3")
    half = len(chain.blocks) // 2
    for index, block in enumerate(chain.blocks, start=1):
        if index == half + 1:
            view = source.open_snapshot()
            head_then, root_then = source.head(), source.state_root()
        outcome = replay_block(source, block, chain.executor)
        source.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY), index)
    assert view.log_index == half
    view.copy_to(tmp_path / "snapshot.sqlite3")
    with SqliteLedgerStore(tmp_path / "b.sqlite3") as target:
        target.install_snapshot(tmp_path / "snapshot.sqlite3")
        assert (target.head(), target.state_root()) == (head_then, root_then)
        assert target.applied_log_index() == half
    source.close()


def test_the_locks_on_a_holders_units_agree_with_their_holdings_in_both_stores(
    chain: Chain, tmp_path: Path
) -> None:
    memory = MemoryLedgerStorage()
    seen: set[str] = set()
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as stored:
        for block in chain.blocks:
            for storage in (memory, stored):
                outcome = replay_block(storage, block, chain.executor)
                storage.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY))
            for party in PARTIES:
                locks = stored.locks(party)
                assert locks == memory.locks(party)
                locked = sum(h.pledged + h.escrowed for h in stored.holdings(party))
                assert sum(lock.amount for lock in locks) == locked
                seen.update(lock.id for lock in locks)
    assert seen  # a pledge or an escrow was held at some height


def test_a_read_begun_before_a_snapshot_is_installed_reads_the_installed_file(
    chain: Chain, tmp_path: Path
) -> None:
    with SqliteLedgerStore(tmp_path / "a.sqlite3") as source:
        for index, block in enumerate(chain.blocks, start=1):
            outcome = replay_block(source, block, chain.executor)
            source.record(outcome, sign_checkpoint(outcome.block, "node-1", NODE_KEY), index)
        source.save_snapshot(tmp_path / "snapshot.sqlite3")
    with SqliteLedgerStore(tmp_path / "b.sqlite3") as target:
        # A page being served takes its connection only under the store's lock: catching up
        # from a snapshot closes the old one in between (it raised "closed database" before).
        bodies = Bodies(target._connection, target._lock)
        target.install_snapshot(tmp_path / "snapshot.sqlite3")
        assert bodies.at(1) is not None
