"""The receipt read model: confirmed by a majority of genesis nodes' valid, agreeing checkpoints."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support.ledger import World, fixture_key, genesis_payload

from kepil.ledger import Block, Checkpoint, public_key_hex, sign_checkpoint
from kepil.ledger.records import NodeKey
from kepil.ledger.view import LedgerView
from kepil.services.ledger import views
from kepil.services.ledger.node import TxState, TxStatus

NAMES = ("node-1", "node-2", "node-3")


def _genesis_of(world: World, names: tuple[str, ...]) -> str:
    """Commit a genesis listing `names` as the network's nodes; the genesis transaction id."""
    nodes = tuple(NodeKey(n, public_key_hex(fixture_key(n))) for n in names)
    payload = dataclasses.replace(genesis_payload(), nodes=nodes)
    tx_id = world.node.submit(world.signer.tx(payload, payload.operator.id))
    assert world.node.produce_block() is not None
    return tx_id


@pytest.fixture
def world() -> World:
    """A node of a three-node network whose genesis block is committed in memory."""
    world = World.in_memory()
    _genesis_of(world, NAMES)
    return world


def _signed(block: Block, name: str) -> Checkpoint:
    return sign_checkpoint(block, name, fixture_key(name))


def _block(world: World) -> Block:
    block = world.store.block(0)
    assert block is not None
    return block


def _receipt(world: World, checkpoints: list[Checkpoint]) -> views.ReceiptView:
    """The receipt of block 0 from what the in-memory storage delivered as the log would."""
    world.store.record_checkpoints(checkpoints, log_index=1)
    status = TxStatus("ab" * 32, TxState.COMMITTED, 0, 0, "ok")
    chain = LedgerView(world.store).chain()
    return views.receipt_of(_block(world), chain, world.store.checkpoints(0), status)


def test_a_receipt_is_confirmed_once_a_majority_of_genesis_nodes_signed_the_block(
    world: World,
) -> None:
    block = _block(world)
    receipt = _receipt(world, [_signed(block, "node-1"), _signed(block, "node-3")])
    assert (receipt.nodes, receipt.majority, receipt.confirmed) == (3, 2, True)
    assert [c.node for c in receipt.checkpoints] == ["node-1", "node-3"]
    assert (receipt.block_hash, receipt.height) == (block.hash, 0)


def test_one_checkpoint_of_three_nodes_is_no_majority(world: World) -> None:
    receipt = _receipt(world, [_signed(_block(world), "node-2")])
    assert (receipt.confirmed, [c.node for c in receipt.checkpoints]) == (False, ["node-2"])


def test_checkpoints_a_genesis_node_did_not_sign_with_its_registered_key_are_left_out(
    world: World,
) -> None:
    block = _block(world)
    impostor = sign_checkpoint(block, "node-2", fixture_key("someone else"))
    forged = dataclasses.replace(_signed(block, "node-3"), sig="00" * 64)
    stranger = _signed(block, "node-9")
    receipt = _receipt(world, [_signed(block, "node-1"), impostor, forged, stranger])
    assert [c.node for c in receipt.checkpoints] == ["node-1"]
    assert receipt.confirmed is False


def test_a_valid_checkpoint_of_another_block_at_the_height_is_left_out(world: World) -> None:
    block = _block(world)
    other_root = dataclasses.replace(block.header, state_root="ff" * 32)
    other = dataclasses.replace(block, header=other_root, hash=other_root.block_hash())
    receipt = _receipt(world, [_signed(block, "node-1"), _signed(other, "node-2")])
    assert [c.node for c in receipt.checkpoints] == ["node-1"]
    assert receipt.confirmed is False


def test_a_node_counts_once_however_many_of_its_checkpoints_agree(world: World) -> None:
    block = _block(world)
    chain = LedgerView(world.store).chain()
    status = TxStatus("ab" * 32, TxState.COMMITTED, 0, 0, "ok")
    twice = [_signed(block, "node-1"), _signed(block, "node-1")]
    receipt = views.receipt_of(block, chain, twice, status)
    assert (len(receipt.checkpoints), receipt.confirmed) == (2, False)


def test_an_embedded_node_alone_in_genesis_confirms_its_own_blocks() -> None:
    world = World.in_memory()
    tx_id = _genesis_of(world, ("node-1",))
    receipt = views.receipt(world.node, tx_id)
    assert (receipt.nodes, receipt.majority, receipt.confirmed) == (1, 1, True)
    assert receipt.transaction == world.node.status(tx_id)


def test_an_embedded_node_of_a_network_cannot_confirm_alone() -> None:
    world = World.in_memory()
    tx_id = _genesis_of(world, NAMES)
    receipt = views.receipt(world.node, tx_id)
    assert ([c.node for c in receipt.checkpoints], receipt.confirmed) == (["node-1"], False)


def test_a_receipt_of_a_transaction_not_committed_is_refused(world: World) -> None:
    with pytest.raises(views.NotCommittedError, match="is unknown"):
        views.receipt(world.node, "0" * 64)
