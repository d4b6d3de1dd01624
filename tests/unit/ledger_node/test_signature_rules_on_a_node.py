"""A node admits under the signature rules of its next height, inline or in worker processes,
and commits a signature only version 2 accepts once the switch is active."""

from __future__ import annotations

import dataclasses

import pytest
from tests.support.ledger import ALICE, BOB, OPERATOR, WHEAT, World
from tests.support.zip215 import torsioned_signature

from kepil.ledger import SignedTx, preverify_rules
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.signature_rules import MIN_RULES_NOTICE, ScheduleSignatureRules
from kepil.ledger.sigrules import LIBSODIUM, NOT_CHECKED, ZIP215
from kepil.ledger.tx import signing_message
from kepil.services.ledger.node import NodeSettings, SubmitRefused
from kepil.services.ledger.signatures import (
    InlineChecker,
    ProcessPoolChecker,
    items_valid,
    signature_items,
)


def torsioned(world: World) -> SignedTx:
    """Alice's transfer whose signature only ZIP 215 accepts."""
    tx = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE)
    signature = torsioned_signature(world.signer.key(ALICE), signing_message(tx.tx_id))
    sigs = tuple(dataclasses.replace(s, sig=signature) for s in tx.sigs)
    return dataclasses.replace(tx, sigs=sigs)


def next_height(world: World) -> int:
    head = world.store.head()
    assert head is not None
    return head.height + 1


def commit(world: World, tx: SignedTx) -> str:
    """Submit `tx` as a batch of one and commit it in a block of its own; its code."""
    (outcome,) = world.node.submit_many([tx.to_bytes()])
    if not isinstance(outcome, str):
        return outcome.code
    world.node.produce_block()
    status = world.node.status(outcome)
    assert status.code is not None
    return status.code


def test_a_node_refuses_at_admission_a_schedule_not_signed_by_the_operator_alone(
    world: World,
) -> None:
    # Before every node knows the type, old nodes refuse it where new ones run it: only the
    # operator may put one in the log.
    world.run_setup()
    payload = ScheduleSignatureRules(ZIP215, next_height(world) + MIN_RULES_NOTICE)
    (refused,) = world.node.submit_many([world.signer.tx(payload, ALICE).to_bytes()])
    assert isinstance(refused, SubmitRefused)
    assert refused.code == "unexpected_signer"
    assert "only the operator" in refused.message
    (admitted,) = world.node.submit_many([world.signer.tx(payload, OPERATOR).to_bytes()])
    assert isinstance(admitted, str)


def test_a_refused_copy_of_a_pending_transaction_keeps_the_originals_admission(
    world: World,
) -> None:
    world.run_setup()
    original = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE)
    world.node.submit(original)
    assert world.node.executor.admitted_rules(original) != NOT_CHECKED
    spoiled = tuple(dataclasses.replace(s, sig="00" * 64) for s in original.sigs)
    copy = dataclasses.replace(original, sigs=spoiled, wire=None)
    with pytest.raises(SubmitRefused):
        world.node.submit(copy)  # same id, a signature that does not verify
    assert world.node.executor.admitted_rules(original) != NOT_CHECKED


def test_the_worker_items_check_under_the_version_they_are_given(world: World) -> None:
    world.run_setup()
    items = signature_items(torsioned(world))
    assert not items_valid(items, LIBSODIUM)
    assert items_valid(items, ZIP215)


@pytest.mark.parametrize("workers", [0, 1], ids=["inline", "worker pool"])
def test_a_node_admits_a_zip215_only_signature_once_its_next_block_is_under_version_2(
    workers: int,
) -> None:
    checker = ProcessPoolChecker(workers) if workers else InlineChecker()
    world = World.in_memory(NodeSettings(), checker)
    try:
        world.run_setup()
        activation = next_height(world) + MIN_RULES_NOTICE
        schedule = world.signer.tx(ScheduleSignatureRules(ZIP215, activation), OPERATOR)
        assert commit(world, schedule) == "ok"
        assert commit(world, torsioned(world)) == "bad_signature"
        world.signer.nonces[ALICE] -= 1
        while next_height(world) < activation:
            assert preverify_rules(world.store) == LIBSODIUM
            assert commit(world, world.signer.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE)) == "ok"
        assert preverify_rules(world.store) == ZIP215
        assert commit(world, torsioned(world)) == "ok"
        assert world.store.head() is not None
    finally:
        world.node.stop()
        checker.close()
