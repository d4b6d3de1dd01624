"""Whether the chain's genesis lists this node's checkpoint key, and the warning when it does not.

A node genesis does not list keeps working (blocks commit, checkpoints are signed), but no
receipt of its chain is ever confirmed; the operator is told so when the node is assembled.
"""

from __future__ import annotations

import logging

import pytest
from tests.support.clock import MovableClock
from tests.support.ledger import CHAIN_ID, T0, FakePermitVerifier, World, fixture_key, make_node

from kepil.bootstrap.ledger import genesis_lists_node, warn_unless_genesis_lists
from kepil.ledger import Executor, default_registry
from kepil.services.ledger.node import LedgerNode, NodeIdentity


def test_before_genesis_nothing_is_known_and_nothing_is_said(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    warn_unless_genesis_lists(world.node)
    assert genesis_lists_node(world.node) is None
    assert not caplog.records


def test_a_node_genesis_lists_with_its_key_is_listed(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    world.run_setup()  # genesis lists node-1 and node-2 with their fixture keys
    warn_unless_genesis_lists(world.node)
    assert genesis_lists_node(world.node) is True
    assert not caplog.records


def test_a_node_genesis_does_not_list_keeps_working_and_is_warned_about(
    caplog: pytest.LogCaptureFixture,
) -> None:
    world = World.in_memory()
    world.run_setup()
    stranger = make_node(world.store, MovableClock(T0), name="node-9")  # same chain, other key
    with caplog.at_level(logging.WARNING, logger="kepil.ledger.wiring"):
        warn_unless_genesis_lists(stranger)
    assert genesis_lists_node(stranger) is False
    [record] = caplog.records
    assert "receipts stay unconfirmed" in record.getMessage()
    assert record.public_key == stranger.public_key  # type: ignore[attr-defined]
    world.node.stop()


def test_the_nodes_name_with_another_key_is_not_listed() -> None:
    world = World.in_memory()
    world.run_setup()
    executor = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    identity = NodeIdentity("node-1", fixture_key("a key the genesis never saw"))
    renamed = LedgerNode(executor, world.store, MovableClock(T0), identity)
    assert genesis_lists_node(renamed) is False
    world.node.stop()
