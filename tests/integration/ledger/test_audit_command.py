"""`kepil audit` on a real ledger file: a clean file passes, a spoiled row is found, unreadable
input exits 2, and the audited file is never changed."""

from __future__ import annotations

import json
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.support.ledger import (
    ALICE,
    WHEAT,
    Chain,
    FakePermitVerifier,
    fixture_key,
    standard_chain,
)
from typer.testing import CliRunner

from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.entrypoints.cli import audit_cmd
from kepil.entrypoints.cli.audit_cmd import audit
from kepil.ledger import replay_block, sign_checkpoint
from kepil.ledger.statekeys import balance_key, key_text

root = typer.Typer()
root.command("audit")(audit)


@root.callback()
def _root() -> None:
    """Mount `audit` as a sub-command, as main.py does."""


runner = CliRunner()
SPOILED_HEIGHT = 4


@pytest.fixture(scope="module")
def chain() -> Chain:
    return standard_chain()


@pytest.fixture(autouse=True)
def fixture_permits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chains here start with a test fixture permit, which only the fake verifier accepts."""
    monkeypatch.setattr(audit_cmd, "make_permit_verifier", FakePermitVerifier)


def fill(store: SqliteLedgerStore, chain: Chain) -> None:
    """Record every block as node-1 does, then both nodes' checkpoints as the log delivers them."""
    for block in chain.blocks:
        outcome = replay_block(store, block, chain.executor)
        checkpoints = [
            sign_checkpoint(outcome.block, node, fixture_key(node)) for node in ("node-1", "node-2")
        ]
        height = block.header.height
        store.record(outcome, checkpoints[0], log_index=2 * height + 1)
        store.record_checkpoints(checkpoints, log_index=2 * height + 2)


@pytest.fixture
def data_dir(chain: Chain, tmp_path: Path) -> Path:
    """A node's data directory with its ledger file, closed."""
    (tmp_path / "ledger").mkdir()
    with SqliteLedgerStore(tmp_path / "ledger" / "ledger.sqlite3") as store:
        fill(store, chain)
    return tmp_path


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(root, ["audit", *args])
    return result.exit_code, result.stdout, result.stderr


def run_json(*args: str) -> tuple[int, dict[str, Any]]:
    code, out, err = run(*args, "--json")
    assert out.count("\n") == 1, err
    return code, json.loads(out)


def fingerprint(directory: Path) -> dict[str, tuple[bytes, int]]:
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(directory.iterdir())}


def spoil(path: Path, sql: str, *params: object) -> None:
    with closing(sqlite3.connect(path)) as connection:
        assert connection.execute(sql, params).rowcount == 1
        connection.commit()


def test_a_clean_ledger_file_audits_ok_and_is_left_untouched(chain: Chain, data_dir: Path) -> None:
    ledger = data_dir / "ledger"
    before = fingerprint(ledger)
    code, report = run_json(str(data_dir))
    assert code == 0
    head = len(chain.blocks) - 1
    assert report["file"] == str(ledger / "ledger.sqlite3")
    assert report["ok"] is True
    assert report["chain_id"] == chain.executor.chain_id  # taken from the genesis block
    assert (report["head_height"], report["heights_checked"]) == (head, head + 1)
    assert report["transactions"] == sum(len(b.txs) for b in chain.blocks)
    assert report["confirmed_height"] == head
    assert report["unconfirmed"] == []
    assert report["state_root"] == chain.state.state_root()
    assert report["findings"] == []
    assert fingerprint(ledger) == before


def test_the_summary_is_readable(chain: Chain, data_dir: Path) -> None:
    code, out, err = run(str(data_dir / "ledger" / "ledger.sqlite3"))
    assert code == 0, err
    assert f"confirmed up to height {len(chain.blocks) - 1}" in out
    assert "node-1, node-2 (a majority is 2)" in out
    assert out.rstrip().endswith("OK: no findings")


@pytest.mark.parametrize(
    ("sql", "params", "kind", "height"),
    [
        (
            # A block's results are in its row: a changed result is the block's.
            'UPDATE blocks SET body = replace(body, \'"results":["ok"\', '
            '\'"results":["insufficient_units"\') '
            'WHERE height = ? AND body LIKE \'%"results":["ok"%\'',
            (SPOILED_HEIGHT,),
            "replay_mismatch",
            SPOILED_HEIGHT,
        ),
        (
            # The ids beside the envelopes are an index: what it says is checked against them.
            'UPDATE blocks SET body = replace(body, \'{"ids":["\', \'{"ids":["00\') '
            "WHERE height = ?",
            (SPOILED_HEIGHT,),
            "index_mismatch",
            SPOILED_HEIGHT,
        ),
        (
            "UPDATE state SET value = '999999999' WHERE key = ?",
            (key_text(balance_key(ALICE, WHEAT)),),
            "state_table_mismatch",
            None,
        ),
        (
            "UPDATE peer_checkpoints SET body = json_set(body, '$.sig', ?) "
            "WHERE height = ? AND node = 'node-2'",
            ("00" * 64, SPOILED_HEIGHT),
            "checkpoint_bad_signature",
            SPOILED_HEIGHT,
        ),
    ],
)
def test_a_spoiled_row_is_found_with_exit_status_1(
    data_dir: Path, sql: str, params: tuple[object, ...], kind: str, height: int | None
) -> None:
    ledger_file = data_dir / "ledger" / "ledger.sqlite3"
    spoil(ledger_file, sql, *params)
    before = fingerprint(ledger_file.parent)
    code, report = run_json(str(ledger_file))
    assert code == 1
    assert report["ok"] is False
    assert [(f["height"], f["kind"]) for f in report["findings"]] == [(height, kind)]
    assert fingerprint(ledger_file.parent) == before
    code, out, _ = run(str(ledger_file))
    assert code == 1
    assert f": {kind}: " in out


def _applied_at_spoiled_height(chain: Chain) -> str:
    block = chain.blocks[SPOILED_HEIGHT]
    return next(tx.tx_id for tx, r in zip(block.txs, block.results, strict=True) if r.ok)


OTHER_HEIGHT = SPOILED_HEIGHT + 2


@pytest.mark.parametrize(
    ("sql", "heights"),
    [
        # locate() and transaction() would answer from another block's transaction.
        (f"UPDATE applied SET height = {OTHER_HEIGHT} WHERE id = ?", [SPOILED_HEIGHT]),
        # Applied-once would let the transaction apply again; the counts differ too.
        ("DELETE FROM applied WHERE id = ?", [SPOILED_HEIGHT, None]),
        (
            "INSERT INTO refused SELECT id, height, idx, 'stale_nonce' FROM applied WHERE id = ?",
            [SPOILED_HEIGHT, None],
        ),
        # A history entry would show it refused.
        ("UPDATE txs SET result = 'stale_nonce' WHERE id = ?", [SPOILED_HEIGHT]),
        # A row no block check looks at: only the counts see it.
        ("INSERT INTO refused SELECT 'ff' || id, 1, 0, 'stale_nonce' FROM applied WHERE id = ?",
         [None]),
    ],
)  # fmt: skip
def test_a_spoiled_lookup_row_is_found_and_never_answers_for_another_transaction(
    chain: Chain, data_dir: Path, sql: str, heights: list[int | None]
) -> None:
    ledger_file = data_dir / "ledger" / "ledger.sqlite3"
    victim = _applied_at_spoiled_height(chain)
    spoil(ledger_file, sql, victim)
    code, report = run_json(str(ledger_file))
    assert code == 1
    assert [(f["height"], f["kind"]) for f in report["findings"]] == [
        (height, "index_mismatch") for height in heights
    ]
    with SqliteLedgerStore(ledger_file) as store:
        found = store.transaction(victim)
        location = store.locate(victim)
    assert found is None or (found.tx_id, found.height) == (victim, SPOILED_HEIGHT)
    assert location is None or location.height == SPOILED_HEIGHT


def test_a_running_nodes_file_is_read_through_its_wal(chain: Chain, tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite3"
    with SqliteLedgerStore(path) as store:
        fill(store, chain)
        assert path.with_name("ledger.sqlite3-wal").exists()
        code, report = run_json(str(tmp_path))
    assert code == 0
    assert report["confirmed_height"] == len(chain.blocks) - 1


def test_another_chain_id_fails_at_genesis(data_dir: Path) -> None:
    code, report = run_json(str(data_dir), "--chain-id", "kepil-other")
    assert code == 1
    assert report["chain_id"] == "kepil-other"
    assert [(f["height"], f["kind"]) for f in report["findings"]] == [(0, "replay_mismatch")]


def test_by_default_the_genesis_permit_is_checked_by_the_real_cms_verifier(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.undo()  # the real verifier refuses the fixture permit, so genesis does not apply
    monkeypatch.setenv("KEPIL_DATA_DIR", str(data_dir / "settings"))  # dev's test PKI goes here
    code, report = run_json(str(data_dir))
    assert code == 1
    assert [(f["height"], f["kind"]) for f in report["findings"]] == [(0, "replay_rejected")]


def test_unreadable_input_exits_2_with_one_line(tmp_path: Path) -> None:
    not_sqlite = tmp_path / "notes.sqlite3"
    not_sqlite.write_text("not a database, just words\n" * 100)
    SqliteLedgerStore(tmp_path / "empty.sqlite3").close()
    (tmp_path / "bare").mkdir()
    for target in (not_sqlite, tmp_path / "empty.sqlite3", tmp_path / "missing", tmp_path / "bare"):
        code, out, err = run(str(target))
        assert code == 2, (target, out)
        assert err.startswith("kepil: error:")
        assert err.count("\n") == 1
        assert out == ""


def test_the_file_is_unchanged_even_when_it_cannot_be_audited(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    SqliteLedgerStore(path).close()
    before = fingerprint(tmp_path), os.stat(path).st_mtime_ns
    assert run(str(path))[0] == 2
    assert (fingerprint(tmp_path), os.stat(path).st_mtime_ns) == before
