"""Schema 6: a file of schema 2 to 5 is upgraded in place and answers every query as a new one."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from tests.support.chains import BARLEY, busy_chain
from tests.support.ledger import (
    AGENT,
    ALICE,
    BOB,
    CAROL,
    ISSUER,
    OPERATOR,
    PLEDGEE,
    WHEAT,
    Chain,
    fixture_key,
)
from tests.support.ledger_v4 import write_v4_file

from kepil.adapters.ledger_store import SchemaMismatch, SqliteLedgerStore
from kepil.adapters.ledger_store.schema import SCHEMA_VERSION, NoRoomToUpgrade
from kepil.ledger import replay_block, sign_checkpoint
from kepil.ledger.handlers.holdings import Transfer

PARTIES = (ALICE, BOB, CAROL, ISSUER, OPERATOR, PLEDGEE, AGENT)
NODE = "node-1"
NODE_KEY = fixture_key(NODE)


@pytest.fixture(scope="module")
def chain() -> Chain:
    """The busy chain, and a replay of an applied transfer refused in a later block."""
    chain = busy_chain()
    transfer = chain.tx(Transfer(WHEAT, ALICE, BOB, 3, None), ALICE)
    assert chain.send(transfer).code == "ok"
    assert chain.send(transfer).code != "ok"
    return chain


def _record_all(store: SqliteLedgerStore, chain: Chain) -> None:
    for log_index, block in enumerate(chain.blocks, start=1):
        outcome = replay_block(store, block, chain.executor)
        checkpoint = sign_checkpoint(outcome.block, NODE, NODE_KEY)
        store.record(outcome, checkpoint)
        store.record_checkpoints([checkpoint], log_index)


def _pages(read: Any) -> list[Any]:
    """Every page of a paginated read, following its cursor."""
    pages, before = [], None
    while True:
        page = read(before)
        pages.append(page)
        cursor = getattr(page, "next_before", None)
        if cursor is None:
            return pages
        before = cursor


def _answers(store: SqliteLedgerStore, chain: Chain) -> dict[str, object]:
    heights = [block.header.height for block in chain.blocks]
    answers: dict[str, object] = {
        "head": store.head(),
        "root": store.state_root(),
        "log index": store.applied_log_index(),
        "headers": store.block_headers(0, 1000),
    }
    for block in chain.blocks:
        height = block.header.height
        answers[f"block {height}"] = (
            store.block(height),
            store.block_json(height),
            store.block_by_hash(block.hash),
            store.block_transactions(height),
            store.state_changes(height),
            store.checkpoint(height),
            store.checkpoints(height),
        )
        for tx in block.txs:
            answers[f"tx {tx.tx_id}"] = (store.transaction(tx.tx_id), store.locate(tx.tx_id))
        for change in store.state_changes(height):
            answers[f"value {change.key} {height}"] = store.value_at(change.key, height)
    for party in PARTIES:
        answers[f"holder {party}"] = (
            store.holdings(party),
            store.locks(party),
            _pages(lambda before, p=party: store.history(p, 2, before)),
            _pages(lambda before, p=party: store.movements(p, before, 2)),
            [store.holdings_at(party, h) for h in heights],
            [store.balance_at(party, WHEAT, h) for h in heights],
        )
    for asset in (WHEAT, BARLEY):
        answers[f"asset {asset}"] = (
            store.custody(asset),
            [store.custody(asset, after, 3) for after in range(0, 40, 3)],
            [store.balances_at(asset, h) for h in heights],
        )
    return answers


def _version(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT value FROM meta WHERE name = 'schema_version'")
        return int(row.fetchone()[0])


@pytest.mark.parametrize("old_version", [4, 3, 2])
def test_a_file_of_an_old_schema_is_upgraded_and_answers_every_query_as_a_new_file(
    chain: Chain, tmp_path: Path, old_version: int
) -> None:
    new, old = tmp_path / "new.sqlite3", tmp_path / "old.sqlite3"
    with SqliteLedgerStore(new) as store:
        _record_all(store, chain)
        expected = _answers(store, chain)
    write_v4_file(old, chain, NODE, NODE_KEY)
    with sqlite3.connect(old) as connection:
        if old_version < 4:  # as schema 3 left it: no unique index of applied ids
            connection.execute("DROP INDEX transactions_applied_once")
        if old_version == 2:  # schema 2 also kept each block whole in its own column
            connection.execute("UPDATE blocks SET block = header")
        connection.execute(
            "UPDATE meta SET value = ? WHERE name = 'schema_version'", (old_version,)
        )
    with SqliteLedgerStore(old) as upgraded:
        assert _answers(upgraded, chain) == expected
    assert _version(old) == SCHEMA_VERSION == 6
    with sqlite3.connect(old) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    assert not names & {"transactions", "movements", "movement_parties", "tx_parties"}


def _write_v5_file(path: Path, chain: Chain) -> None:
    """A file as schema 5 wrote it: schema 6's tables but `txs`."""
    with SqliteLedgerStore(path) as store:
        _record_all(store, chain)
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE txs")
        connection.execute("UPDATE meta SET value = 5 WHERE name = 'schema_version'")


def test_a_schema_5_file_gains_its_txs_rows_and_answers_every_query_as_a_new_file(
    chain: Chain, tmp_path: Path
) -> None:
    new, old = tmp_path / "new.sqlite3", tmp_path / "old.sqlite3"
    with SqliteLedgerStore(new) as store:
        _record_all(store, chain)
        expected = _answers(store, chain)
    _write_v5_file(old, chain)
    with SqliteLedgerStore(old) as upgraded:
        assert _answers(upgraded, chain) == expected
    assert _version(old) == SCHEMA_VERSION
    rows = "SELECT * FROM txs ORDER BY seq"
    with sqlite3.connect(new) as fresh, sqlite3.connect(old) as filled:
        assert filled.execute(rows).fetchall() == fresh.execute(rows).fetchall() != []


def test_an_upgrade_without_the_disk_space_it_needs_is_refused_naming_the_bytes(
    chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "old.sqlite3"
    write_v4_file(path, chain, NODE, NODE_KEY)
    size = path.stat().st_size
    usage = shutil.disk_usage(tmp_path)._replace(free=size)  # room for one more copy only
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage)  # the module schema.py calls
    with pytest.raises(NoRoomToUpgrade, match=f"needs {int(size * 2.5)} bytes free"):
        SqliteLedgerStore(path)
    assert _version(path) == 4


def test_an_upgraded_file_goes_on_numbering_movements_where_it_stopped(
    chain: Chain, tmp_path: Path
) -> None:
    write_v4_file(tmp_path / "old.sqlite3", chain, NODE, NODE_KEY)
    with SqliteLedgerStore(tmp_path / "old.sqlite3") as upgraded:
        before = upgraded.custody(WHEAT)
        more = chain.tx(Transfer(WHEAT, BOB, CAROL, 1, None), BOB)
        assert chain.send(more).code == "ok"
        upgraded.commit_block(replay_block(upgraded, chain.blocks[-1], chain.executor))
        after = upgraded.custody(WHEAT)
    chain.blocks.pop()  # the module's chain stays as the other tests know it
    assert after[:-1] == before
    assert after[-1].id == max(m.id for m in before) + 1
    assert (after[-1].sender, after[-1].recipient, after[-1].amount) == (BOB, CAROL, 1)


def test_an_upgrade_that_fails_leaves_the_file_as_it_was(chain: Chain, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    write_v4_file(path, chain, NODE, NODE_KEY)
    with sqlite3.connect(path) as connection:  # a gap within a block's movements
        (middle,) = connection.execute(
            "SELECT min(id) + 1 FROM movements GROUP BY height HAVING count(*) >= 3 LIMIT 1"
        ).fetchone()
        connection.execute("DELETE FROM movement_parties WHERE movement_id = ?", (middle,))
        connection.execute("DELETE FROM movements WHERE id = ?", (middle,))
        tables = connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
        movements = connection.execute("SELECT count(*) FROM movements").fetchone()
    with pytest.raises(SchemaMismatch, match="do not number"):
        SqliteLedgerStore(path)
    assert _version(path) == 4
    with sqlite3.connect(path) as connection:
        assert (
            connection.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == tables
        )
        assert connection.execute("SELECT count(*) FROM movements").fetchone() == movements
