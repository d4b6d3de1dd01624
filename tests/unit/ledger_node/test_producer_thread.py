"""The producer thread: batching by time, waiting for commits with a timeout, stopping."""

from __future__ import annotations

from tests.support.ledger import ALICE, World

from kepil.ledger.vocab import Role
from kepil.services.ledger.node import NodeSettings, TxState

TIMEOUT = 10.0


def test_the_running_node_commits_a_transaction_and_wait_returns_its_status() -> None:
    world = World.in_memory(NodeSettings(max_wait_seconds=0.01))
    node = world.node
    node.start()
    try:
        ids = [node.submit(tx) for tx in world.setup()]
        statuses = [node.wait(tx_id, TIMEOUT) for tx_id in ids]
    finally:
        node.stop()
    assert {(s.state, s.code) for s in statuses} == {(TxState.COMMITTED, "ok")}


def test_wait_gives_up_after_its_timeout_while_nothing_produces(world: World) -> None:
    tx_id = world.node.submit(world.genesis())
    assert world.node.wait(tx_id, 0.05).state is TxState.PENDING


def test_stopping_the_node_commits_what_is_still_pending() -> None:
    world = World.in_memory(NodeSettings(max_wait_seconds=60))
    node = world.node
    node.start()
    genesis = node.submit(world.genesis())
    assert node.wait(genesis, TIMEOUT).code == "ok"
    admitted = node.submit(world.admit(ALICE, Role.HOLDER))
    node.stop()
    assert node.status(admitted).code == "ok"
    assert node.pending_count() == 0
