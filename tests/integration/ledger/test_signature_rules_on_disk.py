"""A chain that switched to signature rules 2, on real ledger files: two stores replaying it
reach the same root, and `kepil audit` replays each block under its own version."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.integration.ledger.test_audit_command import fill, run_json
from tests.support.chains import replay_into
from tests.support.ledger import FakePermitVerifier
from tests.support.zip215 import switched_chain

from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.entrypoints.cli import audit_cmd


@pytest.fixture(autouse=True)
def fixture_permits(monkeypatch: pytest.MonkeyPatch) -> None:
    """The chain starts with a test fixture permit, which only the fake verifier accepts."""
    monkeypatch.setattr(audit_cmd, "make_permit_verifier", FakePermitVerifier)


def test_two_ledger_files_replaying_a_switched_chain_reach_its_root(tmp_path: Path) -> None:
    chain, _ = switched_chain()
    roots = []
    for name in ("a", "b"):
        with SqliteLedgerStore(tmp_path / f"{name}.sqlite3") as store:
            replay_into(store, chain)
            roots.append(store.state_root())
    assert roots == [chain.state.state_root()] * 2


def test_kepil_audit_passes_a_switched_chain_on_disk(tmp_path: Path) -> None:
    chain, _ = switched_chain()
    (tmp_path / "ledger").mkdir()
    with SqliteLedgerStore(tmp_path / "ledger" / "ledger.sqlite3") as store:
        fill(store, chain)
    code, report = run_json(str(tmp_path))
    assert code == 0, report
    assert report["ok"] is True
    assert report["state_root"] == chain.state.state_root()
    assert report["transactions"] == sum(len(b.txs) for b in chain.blocks)
