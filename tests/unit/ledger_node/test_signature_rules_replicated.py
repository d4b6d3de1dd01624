"""Replicated nodes switch signature rules together; a node whose software does not know the
schedule's type refuses it, and the majority's checkpoints show it diverged at that block."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.clock import MovableClock
from tests.support.ledger import (
    ALICE,
    BOB,
    CHAIN_ID,
    OPERATOR,
    T0,
    WHEAT,
    FakePermitVerifier,
    World,
    fixture_key,
)
from tests.support.zip215 import torsioned_signature, with_signature
from tests.unit.ledger_node.test_replicas import (
    NAMES,
    LoopbackLog,
    Network,
    _set_up,
    _wait,
)

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.ledger import Executor, Registry, SignedTx, default_registry
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.signature_rules import MIN_RULES_NOTICE, ScheduleSignatureRules
from kepil.ledger.records import SignatureRules
from kepil.ledger.sigrules import ZIP215
from kepil.ledger.tx import signing_message
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings
from kepil.services.ledger.views import node_status


def build(old: frozenset[str] = frozenset()) -> Network:
    """Three replicas over one log; those named in `old` run without the signature_rules type."""
    log, clock = LoopbackLog(), MovableClock(T0)
    nodes, stores = {}, {}
    for name in NAMES:
        registry = default_registry(FakePermitVerifier())
        if name in old:
            kept = (registry.get(t) for t in registry.names() if t != ScheduleSignatureRules.TYPE)
            registry = Registry([h for h in kept if h is not None])
        store = MemoryLedgerStorage()
        node = LedgerNode(
            Executor(CHAIN_ID, registry),
            store,
            clock,
            NodeIdentity(name, fixture_key(name)),
            NodeSettings(max_block_txs=50),
        )
        node.attach(log.member(name, node.replicate()))
        nodes[name], stores[name] = node, store
    return Network(log, nodes, stores, World(nodes[NAMES[0]], stores[NAMES[0]], clock))


@pytest.fixture
def network() -> Iterator[Network]:
    net = build()
    yield net
    for node in net.nodes.values():
        node.stop()


@pytest.fixture
def with_an_old_node() -> Iterator[Network]:
    net = build(frozenset({"node-3"}))
    yield net
    for node in net.nodes.values():
        node.stop()


def commit_at(net: Network, name: str, tx: SignedTx) -> str | None:
    node = net.nodes[name]
    node.submit(tx)
    node.produce_block()
    return node.status(tx.tx_id).code


def schedule(net: Network) -> tuple[int, int]:
    """The operator's schedule, committed through node-1; (its height, the activation)."""
    head = net.nodes["node-1"].head()
    assert head is not None
    activation = head.height + 1 + MIN_RULES_NOTICE
    tx = net.world.signer.tx(ScheduleSignatureRules(ZIP215, activation), OPERATOR)
    assert commit_at(net, "node-1", tx) == "ok"
    height = net.nodes["node-1"].status(tx.tx_id).height
    assert height is not None
    return height, activation


def test_three_replicas_switch_at_the_activation_and_keep_one_root(network: Network) -> None:
    _set_up(network)
    height, activation = schedule(network)
    signer = network.world.signer
    for node in network.nodes.values():
        assert node.signature_rules() == (1, SignatureRules(ZIP215, activation, height))
    while (head := network.nodes["node-1"].head()) is not None and head.height + 1 < activation:
        assert commit_at(network, "node-1", signer.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE))
    tx = signer.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    forged = torsioned_signature(signer.key(ALICE), signing_message(tx.tx_id))
    # Proposed by node-2 (admitted there under version 2); the others verify it in the block.
    assert commit_at(network, "node-2", with_signature(tx, ALICE, forged)) == "ok"
    for node in network.nodes.values():
        assert node.status(tx.tx_id).code == "ok"
        assert node_status(node).signature_rules.next_block == ZIP215
    assert len(network.roots()) == 1


def test_a_node_without_the_new_type_diverges_at_the_schedule(with_an_old_node: Network) -> None:
    net = with_an_old_node
    _set_up(net)
    height, _ = schedule(net)
    old_block, new_block = net.nodes["node-3"].block(height), net.nodes["node-1"].block(height)
    assert old_block is not None
    assert new_block is not None
    assert [r.code for r in old_block.results] == ["unknown_type"]
    assert [r.code for r in new_block.results] == ["ok"]
    _wait(lambda: net.nodes["node-3"].divergence() is not None)
    divergence = net.nodes["node-3"].divergence()
    assert divergence is not None
    assert divergence.height == height
    assert set(divergence.theirs) == {"node-1", "node-2"}
    for name in ("node-1", "node-2"):
        assert net.nodes[name].divergence() is None
