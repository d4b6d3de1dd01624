"""Blocks, followers' re-execution, checkpoints, the state root and the state's stored form."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support.ledger import ALICE, BOB, OPERATOR, Chain, fixture_key, person, standard_chain

from kepil.ledger import (
    BlockMismatch,
    BlockProposal,
    BlockRejected,
    MemoryState,
    agrees_with,
    apply_block,
    checkpoint_valid,
    replay_block,
    sign_checkpoint,
)
from kepil.ledger.block import TxResult
from kepil.ledger.codes import ReasonCode
from kepil.ledger.handlers.participants import Suspend
from kepil.ledger.statekeys import key_from_text, key_text, value_from_json, value_json
from kepil.ledger.vocab import Role


def follow(chain: Chain) -> MemoryState:
    """A follower's state after re-executing every block of `chain`."""
    state = MemoryState()
    for block in chain.blocks:
        outcome = replay_block(state, block, chain.executor)
        state.commit(outcome.changes, outcome.block.head())
    return state


def test_a_follower_reproduces_every_block_and_the_state_root(chain: Chain) -> None:
    chain.transfer(ALICE, BOB, 5)
    chain.transfer(ALICE, BOB, 5000)
    follower = follow(chain)
    assert follower.state_root() == chain.state.state_root()
    assert follower.snapshot() == chain.state.snapshot()


def test_the_same_transactions_give_the_same_state_root() -> None:
    assert standard_chain().state.state_root() == standard_chain().state.state_root()


def test_the_incremental_root_equals_the_root_computed_from_scratch(chain: Chain) -> None:
    chain.transfer(ALICE, BOB, 1000)
    assert chain.state.state_root() == chain.state.recomputed_root()


def test_the_root_depends_on_the_state_not_on_the_order_that_led_to_it() -> None:
    first, second = Chain(), Chain()
    a, b = person(60), person(61)
    for chain, order in ((first, (a, b)), (second, (b, a))):
        chain.genesis()
        for participant in order:
            chain.admit(participant, Role.HOLDER)
    assert first.state.snapshot() != {}
    assert first.state.state_root() == second.state.state_root()


def test_a_different_state_gives_a_different_root(chain: Chain) -> None:
    other = standard_chain()
    chain.transfer(ALICE, BOB, 1)
    other.transfer(ALICE, BOB, 2)
    assert chain.state.state_root() != other.state.state_root()


def test_a_block_with_a_forged_result_is_detected(chain: Chain) -> None:
    chain.transfer(ALICE, BOB, 5000)
    last = chain.blocks[-1]
    forged = dataclasses.replace(last, results=(TxResult(last.results[0].tx_id, None),))
    state = MemoryState()
    for block in chain.blocks[:-1]:
        outcome = replay_block(state, block, chain.executor)
        state.commit(outcome.changes, outcome.block.head())
    with pytest.raises(BlockMismatch):
        replay_block(state, forged, chain.executor)


def test_a_block_with_a_forged_state_root_is_detected(chain: Chain) -> None:
    first = chain.blocks[0]
    header = dataclasses.replace(first.header, state_root="00" * 32)
    with pytest.raises(BlockMismatch):
        replay_block(MemoryState(), dataclasses.replace(first, header=header), chain.executor)


def test_a_block_at_the_wrong_height_is_rejected(chain: Chain) -> None:
    head = chain.state.head()
    assert head is not None
    proposal = BlockProposal(head.height + 2, head.block_hash, chain.now, ())
    with pytest.raises(BlockRejected):
        apply_block(chain.state, proposal, chain.executor)


def test_a_block_on_another_parent_is_rejected(chain: Chain) -> None:
    head = chain.state.head()
    assert head is not None
    proposal = BlockProposal(head.height + 1, "11" * 32, chain.now, ())
    with pytest.raises(BlockRejected):
        apply_block(chain.state, proposal, chain.executor)


def test_a_block_earlier_than_its_parent_is_rejected(chain: Chain) -> None:
    head = chain.state.head()
    assert head is not None
    proposal = BlockProposal(head.height + 1, head.block_hash, head.timestamp - 1, ())
    with pytest.raises(BlockRejected):
        apply_block(chain.state, proposal, chain.executor)


def test_an_empty_block_keeps_the_state_root(chain: Chain) -> None:
    before = chain.state.state_root()
    block = chain.block([])
    assert block.header.state_root == before


def test_applying_a_block_does_not_change_the_state_until_commit(chain: Chain) -> None:
    head = chain.state.head()
    assert head is not None
    root = chain.state.state_root()
    tx = chain.tx(Suspend(ALICE, "review"), OPERATOR)
    outcome = apply_block(
        chain.state,
        BlockProposal(head.height + 1, head.block_hash, chain.now, (tx,)),
        chain.executor,
    )
    assert outcome.block.results[0].ok
    assert chain.state.state_root() == root != outcome.changes.state_root


def test_presigned_transactions_skip_verification_but_nothing_else(chain: Chain) -> None:
    head = chain.state.head()
    assert head is not None
    tx = chain.tx(Suspend(ALICE, "review"), BOB)
    proposal = BlockProposal(head.height + 1, head.block_hash, chain.now, (tx,))
    outcome = apply_block(chain.state, proposal, chain.executor, signatures_checked=[True])
    assert outcome.block.results[0].reason is ReasonCode.MISSING_SIGNATURE


def test_a_nodes_checkpoint_verifies_against_the_genesis_node_keys(chain: Chain) -> None:
    meta = chain.view().chain()
    assert meta is not None
    block = chain.blocks[-1]
    checkpoint = sign_checkpoint(block, "node-1", fixture_key("node-1"))
    assert checkpoint_valid(checkpoint, meta.nodes)
    assert agrees_with(checkpoint, block)


def test_a_checkpoint_by_an_unregistered_key_is_invalid(chain: Chain) -> None:
    meta = chain.view().chain()
    assert meta is not None
    checkpoint = sign_checkpoint(chain.blocks[-1], "node-1", fixture_key("impostor"))
    assert not checkpoint_valid(checkpoint, meta.nodes)


def test_a_checkpoint_of_a_diverging_root_disagrees(chain: Chain) -> None:
    other = standard_chain()
    chain.transfer(ALICE, BOB, 1)
    other.transfer(ALICE, BOB, 2)
    theirs = sign_checkpoint(other.blocks[-1], "node-2", fixture_key("node-2"))
    assert not agrees_with(theirs, chain.blocks[-1])


def test_every_state_entry_survives_its_stored_form(chain: Chain) -> None:
    for key, value in chain.state.items():
        assert key_from_text(key_text(key)) == key
        assert value_from_json(key, value_json(value)) == value
