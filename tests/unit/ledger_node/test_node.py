"""The embedded node: mempool, blocks, statuses, checkpoints, reads, with a hand-moved clock."""

from __future__ import annotations

import pytest
from tests.support.ledger import ALICE, BOB, CAROL, WHEAT, World, fixture_key

from kepil.ledger import checkpoint_valid, decode_tx
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.records import NodeKey
from kepil.ledger.vocab import Role
from kepil.services.ledger.node import NodeSettings, SubmitRefused, TxState


def test_a_submitted_transaction_is_pending_until_a_block_commits_it(world: World) -> None:
    tx_id = world.node.submit(world.genesis())
    assert world.node.status(tx_id).state is TxState.PENDING
    block = world.node.produce_block()
    assert block is not None
    assert block.header.height == 0
    status = world.node.status(tx_id)
    assert (status.state, status.height, status.index, status.code) == (
        TxState.COMMITTED, 0, 0, "ok",
    )  # fmt: skip


def test_the_genesis_block_holds_one_transaction_and_later_blocks_up_to_the_limit(
    world: World,
) -> None:
    for tx in world.setup():
        world.node.submit(tx)
    sizes = []
    while (block := world.node.produce_block()) is not None:
        sizes.append(len(block.txs))
    assert sizes == [1, 3, 3, 1]


def test_a_duplicate_transaction_is_refused_while_pending_and_after_commit(world: World) -> None:
    genesis = world.genesis()
    world.node.submit(genesis)
    with pytest.raises(SubmitRefused) as pending:
        world.node.submit(genesis)
    world.node.produce_block()
    with pytest.raises(SubmitRefused) as committed:
        world.node.submit_bytes(genesis.to_bytes())
    assert pending.value.code == committed.value.code == "duplicate"


def test_a_full_mempool_refuses_with_mempool_full() -> None:
    world = World.in_memory(NodeSettings(mempool_limit=1))
    node = world.node
    node.submit(world.genesis())
    with pytest.raises(SubmitRefused) as refused:
        node.submit(world.admit(ALICE, Role.HOLDER))
    assert refused.value.code == "mempool_full"


def test_a_transaction_of_another_chain_or_unreadable_bytes_are_refused_at_once(
    world: World,
) -> None:
    other = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 1, None), ALICE, chain="other-chain")
    with pytest.raises(SubmitRefused) as wrong:
        world.node.submit(other)
    with pytest.raises(SubmitRefused) as garbage:
        world.node.submit_bytes(b"{not json")
    assert (wrong.value.code, garbage.value.code) == ("wrong_chain", "malformed")


def test_an_id_never_submitted_is_unknown(world: World) -> None:
    assert world.node.status("ab" * 32).state is TxState.UNKNOWN


def test_a_refused_transaction_is_committed_with_its_reason_code(world: World) -> None:
    world.run_setup()
    tx_id = world.node.submit(world.signer.tx(Transfer(WHEAT, BOB, CAROL, 5, None), BOB))
    world.node.produce_block()
    status = world.node.status(tx_id)
    assert (status.state, status.code) == (TxState.COMMITTED, "insufficient_units")


def test_a_forged_signature_is_refused_at_admission_and_never_reaches_a_block(
    world: World,
) -> None:
    world.run_setup()
    honest = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    envelope = honest.to_json()
    envelope["sigs"][0]["sig"] = "00" * 64
    with pytest.raises(SubmitRefused) as refused:
        world.node.submit(decode_tx(envelope))
    assert refused.value.code == "bad_signature"
    assert world.node.pending_count() == 0
    assert world.node.status(honest.tx_id).state is TxState.UNKNOWN


def test_a_copy_signed_with_another_key_cannot_keep_the_genuine_transaction_out(
    world: World,
) -> None:
    world.run_setup()
    honest = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    thief = fixture_key("thief")
    forged = honest.unsigned.with_signatures([honest.unsigned.signature(ALICE, thief)])
    assert forged.tx_id == honest.tx_id
    world.node.submit(forged)  # a valid signature, but not with Alice's key
    world.node.submit(honest)
    block = world.node.produce_block()
    assert block is not None
    assert [r.code for r in block.results] == ["signer_key_mismatch", "ok"]
    status = world.node.status(honest.tx_id)
    assert (status.state, status.code) == (TxState.COMMITTED, "ok")
    assert [(h.asset, h.free) for h in world.node.holdings(BOB)] == [(WHEAT, 5)]


def test_a_transaction_whose_nonce_was_used_is_refused_at_admission(world: World) -> None:
    world.run_setup()
    first = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    world.node.submit(first)
    world.node.produce_block()
    world.signer.nonces[ALICE] -= 1  # build another transaction with the same nonce
    again = world.signer.tx(Transfer(WHEAT, ALICE, CAROL, 5, None), ALICE)
    with pytest.raises(SubmitRefused) as refused:
        world.node.submit(again)
    assert refused.value.code == "stale_nonce"


def test_a_batch_is_admitted_one_outcome_per_envelope(world: World) -> None:
    world.run_setup()
    good = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    forged = good.to_json()
    forged["sigs"][0]["sig"] = "00" * 64
    outcomes = world.node.submit_many([good.to_bytes(), b"{", decode_tx(forged).to_bytes()])
    assert outcomes[0] == good.tx_id
    assert [getattr(o, "code", None) for o in outcomes[1:]] == ["malformed", "bad_signature"]
    assert world.node.pending_count() == 1


def test_block_timestamps_follow_the_clock_and_never_go_backwards(world: World) -> None:
    world.node.submit(world.genesis())
    first = world.node.produce_block()
    world.clock.advance(-100)
    world.node.submit(world.admit(ALICE, Role.HOLDER))
    second = world.node.produce_block()
    world.clock.advance(1000)
    world.node.submit(world.admit(BOB, Role.HOLDER))
    third = world.node.produce_block()
    assert first
    assert second
    assert third
    stamps = [b.header.timestamp for b in (first, second, third)]
    now = int(world.clock.now().timestamp())
    assert stamps == [now - 900, now - 900, now]


def test_every_block_has_a_checkpoint_signed_with_the_node_key(world: World) -> None:
    world.run_setup()
    head = world.node.head()
    assert head is not None
    registered = [NodeKey("node-1", fixture_key("node-1").verify_key.encode().hex())]
    for height in range(head.height + 1):
        checkpoint = world.node.checkpoint(height)
        block = world.node.block(height)
        assert checkpoint is not None
        assert block is not None
        assert checkpoint.block_hash == block.hash
        assert checkpoint_valid(checkpoint, registered)


def test_holdings_and_history_follow_committed_transfers(world: World) -> None:
    world.run_setup()
    ids = [
        world.node.submit(world.signer.tx(Transfer(WHEAT, ALICE, BOB, n, None), ALICE))
        for n in (100, 200)
    ]
    world.node.produce_block()
    alice = world.node.holdings(ALICE)
    bob = world.node.holdings(BOB)
    assert [(h.asset, h.free) for h in alice] == [(WHEAT, 700)]
    assert [(h.asset, h.free) for h in bob] == [(WHEAT, 300)]
    page = world.node.history(BOB, limit=1)
    assert [e.tx_id for e in page.entries] == [ids[1]]
    assert page.next_before is not None
    rest = world.node.history(BOB, limit=10, before=page.next_before)
    assert next(e.tx_id for e in rest.entries) == ids[0]
    assert rest.next_before is None


def test_a_refused_genesis_is_reported_rejected_and_leaves_no_block(world: World) -> None:
    tx_id = world.node.submit(world.admit(ALICE, Role.HOLDER))
    assert world.node.produce_block() is None
    status = world.node.status(tx_id)
    assert status.state is TxState.REJECTED
    assert "genesis" in (status.detail or "")
    assert world.node.head() is None
