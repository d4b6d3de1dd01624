"""The SQLite ledger store: the same roots as memory, atomic commits, reopening, history."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.support.chains import BARLEY, busy_chain, file_snapshot, replay_into
from tests.support.ledger import (
    ALICE,
    BOB,
    CAROL,
    OPERATOR,
    PLEDGEE,
    WHEAT,
    Chain,
    standard_chain,
)

from kepil.adapters.ledger_store import (
    CommitRefused,
    Movement,
    SchemaMismatch,
    SqliteLedgerStore,
    queries,
)
from kepil.adapters.ledger_store.schema import SCHEMA_VERSION
from kepil.adapters.ledger_store.store import SqliteLedgerStore as StoreClass
from kepil.ledger import Block, BlockProposal, apply_block, replay_block
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.operator import FreezeOrder, Unfreeze
from kepil.ledger.statekeys import balance_key, freeze_key, nonce_key, participant_key


@pytest.fixture
def chain() -> Chain:
    """A memory chain with every kind of movement."""
    return busy_chain()


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the ledger file goes."""
    return tmp_path / "ledger.sqlite3"


def test_the_same_blocks_give_the_same_state_root_in_sqlite_as_in_memory(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        assert store.state_root() == chain.state.state_root()
        assert store.head() == chain.state.head()
    assert file_snapshot(path) == chain.state.snapshot()


def test_blocks_executed_on_the_sqlite_store_match_the_memory_chain(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        for block in chain.blocks:
            header = block.header
            proposal = BlockProposal(
                header.height, header.previous_hash, header.timestamp, block.txs
            )
            outcome = apply_block(store, proposal, chain.executor)
            assert outcome.block == block
            store.commit_block(outcome)
        assert store.state_root() == chain.state.recomputed_root()


def test_reopening_the_file_restores_the_head_the_root_and_the_state(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain, upto=10)
        head, root = store.head(), store.state_root()
    with SqliteLedgerStore(path) as reopened:
        assert reopened.head() == head
        assert reopened.state_root() == root
        replay_into_rest(reopened, chain, after=10)
        assert reopened.state_root() == chain.state.state_root()
        assert reopened.get(balance_key(ALICE, WHEAT)) == chain.balance(ALICE)


def replay_into_rest(store: SqliteLedgerStore, chain: Chain, after: int) -> None:
    """Re-execute the blocks above height `after`."""
    for block in chain.blocks[after + 1 :]:
        store.commit_block(replay_block(store, block, chain.executor))


def test_a_failure_between_writes_leaves_the_previous_block_as_head(
    chain: Chain, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteLedgerStore(path)
    replay_into(store, chain, upto=11)
    head, root = store.head(), store.state_root()
    alice = store.get(balance_key(ALICE, WHEAT))
    outcome = replay_block(store, chain.blocks[12], chain.executor)

    def crash(*args: object) -> None:
        raise OSError("simulated power cut after the state rows were written")

    monkeypatch.setattr(StoreClass, "_write_head", crash)
    with pytest.raises(OSError, match="power cut"):
        store.commit_block(outcome)
    assert (store.head(), store.state_root()) == (head, root)
    assert store.get(balance_key(ALICE, WHEAT)) == alice
    assert store.block(12) is None
    store.close()
    monkeypatch.undo()
    with SqliteLedgerStore(path) as reopened:
        assert (reopened.head(), reopened.state_root()) == (head, root)
        assert reopened.state_changes(12) == []
        replay_into_rest(reopened, chain, after=11)
        assert reopened.state_root() == chain.state.state_root()


def test_a_commit_that_does_not_follow_the_head_is_refused_and_writes_nothing(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain, upto=3)
        outcome = replay_block(store, chain.blocks[4], chain.executor)
        store.commit_block(outcome)
        with pytest.raises(CommitRefused, match="does not follow"):
            store.commit_block(outcome)
        other = standard_chain()
        with pytest.raises(CommitRefused):
            store.commit(outcome.changes, other.blocks[5].head())
        assert store.head() == chain.blocks[4].head()


def test_stored_blocks_and_transactions_read_back_as_they_were(chain: Chain, path: Path) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        for block in chain.blocks:
            assert store.block(block.header.height) == block
            assert store.block_by_hash(block.hash) == block
        assert Block.from_json(chain.blocks[3].to_json()) == chain.blocks[3]
        refused = next(b for b in chain.blocks if not b.results[0].ok)
        stored = store.transaction(refused.txs[0].tx_id)
        assert stored is not None
        assert (stored.height, stored.result, stored.signers) == (
            refused.header.height,
            "insufficient_units",
            (ALICE,),
        )
        assert [h["hash"] for h in store.block_headers(0, 3)] == [b.hash for b in chain.blocks[:3]]


def test_a_replayed_transaction_is_kept_beside_the_one_that_applied(path: Path) -> None:
    chain = standard_chain()
    transfer = chain.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE)
    assert chain.send(transfer).code == "ok"
    assert chain.send(transfer).code == "stale_nonce"
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        stored = store.transaction(transfer.tx_id)
        assert stored is not None
        assert (stored.result, stored.height) == ("ok", chain.blocks[-2].header.height)


def test_the_chain_of_custody_lists_every_movement_of_an_asset_class_in_order(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        custody = store.custody(WHEAT)
    kinds = [(m.kind, m.sender, m.recipient, m.amount) for m in custody]
    pledge = next(m.ref for m in custody if m.kind == "encumber")
    assert kinds == [
        ("issue", None, ALICE, 1000),
        ("issue", None, BOB, 500),
        ("transfer", ALICE, BOB, 100),
        ("swap", ALICE, CAROL, 50),
        ("encumber", BOB, PLEDGEE, 200),
        ("enforce", BOB, CAROL, 80),
        ("release", PLEDGEE, BOB, 120),
        ("transfer", BOB, ALICE, 5),
        ("escrow_open", ALICE, CAROL, 40),
        ("escrow_confirm", ALICE, CAROL, 40),
        ("redeem", CAROL, None, 20),
    ]
    assert {m.ref for m in custody if m.kind in ("encumber", "enforce", "release")} == {pledge}
    assert [m.id for m in custody] == sorted(m.id for m in custody)
    assert [m.kind for m in store_custody_after(path, custody[8].id)] == [
        "escrow_confirm",
        "redeem",
    ]


def store_custody_after(path: Path, after: int) -> list[Movement]:
    """Custody of wheat after movement `after`, from a freshly opened file."""
    with SqliteLedgerStore(path) as store:
        return store.custody(WHEAT, after=after)


def _movement_pages(
    store: SqliteLedgerStore, holder: str, limit: int
) -> list[tuple[Movement, ...]]:
    """Every page of `holder`'s movements, following each page's cursor to the end."""
    pages, before = [], None
    while True:
        page = store.movements(holder, before=before, limit=limit)
        pages.append(page.items)
        if page.next_before is None:
            return pages
        before = page.next_before


def test_a_holders_movements_come_newest_first_in_pages(chain: Chain, path: Path) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        everything = store.movements(CAROL, limit=1000).items
        pages = _movement_pages(store, CAROL, limit=2)
    assert [m for items in pages for m in items] == list(everything)
    assert [m.kind for m in everything] == [
        "redeem", "escrow_confirm", "escrow_open", "enforce", "swap", "swap", "issue",
    ]  # fmt: skip
    assert all(len(items) == 2 for items in pages[:-1])


def test_a_page_that_would_decode_too_many_blocks_ends_early_with_a_cursor(
    chain: Chain, path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        everything = store.movements(CAROL, limit=1000).items
        custody = store.custody(WHEAT)
        monkeypatch.setattr(queries, "MAX_PAGE_BODIES", 2)
        pages = _movement_pages(store, CAROL, limit=1000)
        short = store.custody(WHEAT)
        paged = list(short)
        while more := store.custody(WHEAT, after=paged[-1].id):
            paged.extend(more)
    assert [m for items in pages for m in items] == list(everything)
    assert len(pages) > 1
    assert len({m.height for m in pages[0]}) == 2
    assert len({m.height for m in short}) == 2
    assert paged == custody


def test_balances_as_of_a_height_follow_the_history(chain: Chain, path: Path) -> None:
    memory_at: dict[int, dict[str, int]] = {}
    follower = Chain()
    for block in chain.blocks:
        follower.state.commit(
            replay_block(follower.state, block, chain.executor).changes, block.head()
        )
        memory_at[block.header.height] = {
            key[1]: value
            for key, value in follower.state.items()
            if key[0] == "balance" and key[2] == WHEAT and isinstance(value, int)
        }
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        for height, balances in memory_at.items():
            assert store.balances_at(WHEAT, height) == balances
            assert store.balance_at(ALICE, WHEAT, height) == balances.get(ALICE, 0)
        last = chain.blocks[-1].header.height
        assert store.holdings_at(CAROL, last) == {
            WHEAT: chain.balance(CAROL),
            BARLEY: chain.balance(CAROL, BARLEY),
        }
        assert store.balance_at(ALICE, WHEAT, 0) == 0


def test_every_state_change_of_a_block_is_recorded_with_its_old_and_new_value(
    chain: Chain, path: Path
) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        height = next(b.header.height for b in chain.blocks if len(b.txs) == 4)
        changes = {c.key: (c.old, c.new) for c in store.state_changes(height)}
    outcome_state = Chain()
    for block in chain.blocks[:height]:
        outcome_state.state.commit(
            replay_block(outcome_state.state, block, chain.executor).changes, block.head()
        )
    outcome = replay_block(outcome_state.state, chain.blocks[height], chain.executor)
    expected = {k: (outcome.changes.previous[k], v) for k, v in outcome.changes.writes.items()}
    assert changes == expected


def test_blocks_are_stored_once_each_in_its_own_row(chain: Chain, path: Path) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        for block in chain.blocks:
            assert store.block(block.header.height) == block
            assert store.block_json(block.header.height) == block.to_json()
        tables = {row[0] for row in store._conn.execute("SELECT name FROM sqlite_master")}
        version = store._conn.execute(
            "SELECT value FROM meta WHERE name = 'schema_version'"
        ).fetchone()
    assert int(version[0]) == SCHEMA_VERSION == 6
    assert not tables & {"transactions", "movements", "movement_parties", "balance_history"}


def test_a_file_of_an_unknown_schema_is_refused_untouched(chain: Chain, path: Path) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        store._conn.execute("UPDATE meta SET value = 1 WHERE name = 'schema_version'")
    with pytest.raises(SchemaMismatch, match="schema 1"):
        SqliteLedgerStore(path)


def test_freezes_are_read_from_memory_and_survive_reopening_and_lifting(path: Path) -> None:
    chain = standard_chain()
    assert chain.run(FreezeOrder(ALICE, WHEAT, "art. 158", "2-1/2026"), OPERATOR) == "ok"
    assert chain.run(FreezeOrder(BOB, None, "art. 158", "2-2/2026"), OPERATOR) == "ok"
    frozen_at = len(chain.blocks) - 1
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
        assert store.get(freeze_key(ALICE, WHEAT)) == chain.view().freeze(ALICE, WHEAT)
    assert chain.run(Unfreeze(ALICE, WHEAT, "art. 158", "2-1/2026, appeal"), OPERATOR) == "ok"
    assert chain.transfer(ALICE, CAROL, 5) == "ok"
    assert chain.transfer(BOB, CAROL, 5) == "account_frozen"
    with SqliteLedgerStore(path) as reopened:
        assert reopened.get(freeze_key(BOB, None)) is not None
        replay_into_rest(reopened, chain, after=frozen_at)
        assert reopened.get(freeze_key(ALICE, WHEAT)) is None
        assert reopened.get(freeze_key(BOB, None)) == chain.view().freeze(BOB, None)
        assert reopened.state_root() == chain.state.state_root()
    with SqliteLedgerStore(path) as again:
        assert again.get(freeze_key(ALICE, WHEAT)) is None
        assert again.get(freeze_key(BOB, None)) is not None


def test_prefetched_keys_read_as_without_prefetch_in_one_query(chain: Chain, path: Path) -> None:
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
    memory = chain.state
    keys = [
        *(nonce_key(who) for who in (ALICE, BOB, CAROL, "990101300017")),
        *(participant_key(who) for who in (ALICE, BOB, CAROL, "990101300017")),
        balance_key(ALICE, WHEAT),
        freeze_key(ALICE, WHEAT),  # resident: never asked of the file
    ]
    with SqliteLedgerStore(path) as cold:
        queries: list[str] = []
        cold._conn.set_trace_callback(queries.append)
        cold.prefetch([*keys, *keys])
        assert len(queries) == 1
        assert [cold.get(key) for key in keys] == [memory.get(key) for key in keys]
        assert len(queries) == 1  # every later read came from the cache
        cold.prefetch(keys)
        assert len(queries) == 1


PARTY_SPACES = ("nonce", "participant", "balance")


def test_a_block_reads_its_parties_nonces_records_and_balances_in_one_query(path: Path) -> None:
    chain = standard_chain()
    with SqliteLedgerStore(path) as store:
        replay_into(store, chain)
    assert chain.transfer(ALICE, BOB, 3) == "ok"
    with SqliteLedgerStore(path) as cold:  # nothing cached yet
        queries: list[str] = []
        cold._conn.set_trace_callback(queries.append)
        replay_block(cold, chain.blocks[-1], chain.executor)  # raises unless the same block
    # The chain, the permit and the asset class are read once and stay cached for good.
    one_by_one = [
        q for q in queries if "key = " in q and any(f"'{space}\x1f" in q for space in PARTY_SPACES)
    ]
    assert one_by_one == []
    assert sum("key IN (" in q for q in queries) == 1
