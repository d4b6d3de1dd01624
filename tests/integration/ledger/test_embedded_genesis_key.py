"""The embedded node (`kepil serve`'s) and the genesis that lists its checkpoint key.

The key is the node's own, in the data directory, created once with mode 0600; a genesis that
lists it confirms receipts on one node, and a chain whose genesis does not keeps working while
the operator is told why its receipts stay unconfirmed.
"""

from __future__ import annotations

import dataclasses
import logging
import stat
from pathlib import Path

import pytest
from tests.support.clock import MovableClock
from tests.support.ledger import CHAIN_ID, OPERATOR, T0, Chain, FakePermitVerifier, genesis_payload

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.bootstrap.ledger import (
    NODE_KEY_FILE,
    create_ledger_node,
    embedded_node_key,
    genesis_lists_node,
)
from kepil.config import Settings
from kepil.ledger.records import NodeKey
from kepil.services.ledger.node import LedgerNode
from kepil.services.ledger.views import receipt

_WARNING = "does not list this node's checkpoint key"


def _embedded(tmp_path: Path) -> tuple[Settings, LedgerNode]:
    settings = Settings(data_dir=tmp_path, ledger_chain_id=CHAIN_ID, ledger_signature_workers=0)
    node = create_ledger_node(
        settings, MovableClock(T0), storage=MemoryLedgerStorage(), verifier=FakePermitVerifier()
    )
    return settings, node


def _commit_genesis(node: LedgerNode, listing: tuple[NodeKey, ...]) -> str:
    tx = Chain().tx(dataclasses.replace(genesis_payload(), nodes=listing), OPERATOR)
    tx_id = node.submit(tx)
    node.produce_block()
    assert node.status(tx_id).code == "ok"
    return tx_id


def test_the_key_genesis_lists_is_the_one_the_node_signs_with(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    listed = embedded_node_key(settings)  # before the node exists: created here, once
    seed = tmp_path / "ledger" / NODE_KEY_FILE
    assert stat.S_IMODE(seed.stat().st_mode) == 0o600
    _, node = _embedded(tmp_path)
    assert (listed.name, listed.key) == (node.name, node.public_key)
    assert embedded_node_key(settings) == listed  # read again, never made anew


def test_a_genesis_listing_the_embedded_key_confirms_its_receipt(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings, node = _embedded(tmp_path)
    tx_id = _commit_genesis(node, (embedded_node_key(settings),))
    found = receipt(node, tx_id)
    assert found.confirmed is True
    assert genesis_lists_node(node) is True
    assert _WARNING not in caplog.text


def test_a_genesis_without_the_key_commits_and_the_operator_is_told_at_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _, node = _embedded(tmp_path)
    with caplog.at_level(logging.WARNING, logger="kepil.ledger.wiring"):
        tx_id = _commit_genesis(node, genesis_payload().nodes)  # fixture keys, not the node's
    found = receipt(node, tx_id)
    assert found.confirmed is False
    assert _WARNING in caplog.text
