"""Signature rules: the operator schedules ZIP 215 (ed25519-zebra) at an agreed height; blocks
below it keep libsodium's rules, blocks from it on accept what only ZIP 215 accepts."""

from __future__ import annotations

import dataclasses

import ed25519_zebra
import pytest
from tests.support import edwards
from tests.support.ledger import (
    ALICE,
    BOB,
    CAROL,
    CHAIN_ID,
    OPERATOR,
    WHEAT,
    Chain,
    FakePermitVerifier,
    standard_chain,
)
from tests.support.zip215 import (
    DAVE,
    SMALL_ORDER_KEY,
    P,
    dave_admitted,
    next_height,
    non_canonical_signature,
    reach,
    schedule,
    small_order_signature,
    small_order_transfer,
    switched_chain,
    torsioned_signature,
    torsioned_transfer,
    with_signature,
)
from tests.unit.ledger.test_audit import audit, reader_of

from kepil.ledger import (
    BlockProposal,
    Executor,
    MemoryState,
    apply_block,
    default_registry,
    preverify_rules,
    public_key_hex,
)
from kepil.ledger.block import TxResult
from kepil.ledger.codes import ReasonCode
from kepil.ledger.crypto import key_from_seed, sign_hex, verify_hex
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.signature_rules import MIN_RULES_NOTICE, ScheduleSignatureRules
from kepil.ledger.records import SignatureRules
from kepil.ledger.sigrules import (
    LIBSODIUM,
    SMALL_ORDER_YS,
    ZIP215,
    rules_at,
    small_order_key,
    verifier,
    zip215_verify_hex,
)
from kepil.services.ledger.audit import FindingKind

# The verifiers themselves.


def test_every_signature_libsodium_accepts_zip215_accepts_too() -> None:
    for n in range(200):
        key = key_from_seed(f"key {n}".encode())
        public = public_key_hex(key)
        message = f"message {n}".encode()
        good = sign_hex(key, message)
        spoiled = good[:-2] + f"{(int(good[-2:], 16) ^ (n % 255 + 1)):02x}"
        for signature in (good, spoiled, torsioned_signature(key, message)):
            for text in (message, message + b"!"):
                if verify_hex(public, text, signature):
                    assert zip215_verify_hex(public, text, signature)
        assert verify_hex(public, message, good)
        assert zip215_verify_hex(public, message, good)


# A small-order key in every encoding ZIP 215 decodes: each y of the eight small-order points,
# both x signs, and y + p where that still fits in 255 bits (y < 19).
SMALL_ORDER_ENCODINGS = [
    (y | (sign << 255)).to_bytes(32, "little")
    for y in sorted(SMALL_ORDER_YS) + [y + P for y in sorted(SMALL_ORDER_YS) if y < 19]
    for sign in (0, 1)
]


def test_the_small_order_ys_are_the_identity_order_2_order_4_and_order_8_points() -> None:
    d = -121665 * pow(121666, -1, P) % P
    assert {1, P - 1, 0} < SMALL_ORDER_YS
    order_8 = SMALL_ORDER_YS - {1, P - 1, 0}
    assert len(order_8) == 2
    # Doubling (x, y) gives y = 0 (a point of order 4) exactly when d y^4 + 2 y^2 - 1 = 0.
    assert all((d * y**4 + 2 * y * y - 1) % P == 0 for y in order_8)


def test_zebra_alone_accepts_a_small_order_key_signing_any_message() -> None:
    # Why version 2 refuses small-order keys: R = identity, S = 0 "signs" anything for them.
    for message in (b"any", b"other message"):
        for signature in (small_order_signature(message), non_canonical_signature()):
            assert ed25519_zebra.ed_verify(
                bytes.fromhex(signature), message, bytes.fromhex(SMALL_ORDER_KEY)
            )


@pytest.mark.parametrize("key", SMALL_ORDER_ENCODINGS, ids=lambda key: key.hex()[:8])
def test_neither_version_accepts_a_small_order_key(key: bytes) -> None:
    assert small_order_key(key)
    for signature in (small_order_signature(b"any"), non_canonical_signature()):
        assert not verifier(LIBSODIUM)(key.hex(), b"any", signature)
        assert not verifier(ZIP215)(key.hex(), b"any", signature)


def test_no_real_key_is_taken_for_a_small_order_one() -> None:
    for n in range(200):
        key = key_from_seed(f"key {n}".encode())
        assert not small_order_key(bytes(key.verify_key))


@pytest.mark.parametrize("torsion", [4, 1], ids=["order 2", "order 8"])
def test_every_signature_libsodium_accepts_under_a_key_with_a_torsion_part_zip215_accepts_too(
    torsion: int,
) -> None:
    # libsodium refuses small-order keys but not keys with a small-order part (A = [a]B + T);
    # under such a key its cofactorless equation holds only for some messages (k T = 0).
    assert edwards.BASE is not None
    assert edwards.ORDER_8 is not None
    secret = 0x1D2C3B4A5968778695A4B3C2D1E0F
    twist = edwards.mul(torsion, edwards.ORDER_8)
    public = edwards.encode(edwards.add(edwards.mul(secret, edwards.BASE), twist))
    accepted = 0
    for n in range(24):
        message = f"message {n}".encode()
        for r_extra in (edwards.IDENTITY, twist):
            signature = edwards.signature(secret, public, message, 1000 + n, r_extra).hex()
            if verify_hex(public.hex(), message, signature):
                accepted += 1
                assert zip215_verify_hex(public.hex(), message, signature)
    assert accepted > 0  # the inputs are fixed: this says the case was reached


def test_a_signature_with_a_torsion_part_verifies_only_under_zip215() -> None:
    key = key_from_seed(b"alice")
    signature = torsioned_signature(key, b"message")
    assert not verify_hex(public_key_hex(key), b"message", signature)
    assert zip215_verify_hex(public_key_hex(key), b"message", signature)
    assert not zip215_verify_hex(public_key_hex(key), b"another message", signature)


def test_zip215_refuses_keys_and_signatures_of_the_wrong_length_or_not_hex() -> None:
    key = key_from_seed(b"alice")
    public, signature = public_key_hex(key), sign_hex(key, b"m")
    assert zip215_verify_hex(public, b"m", signature)
    assert not zip215_verify_hex(public[:-2], b"m", signature)
    assert not zip215_verify_hex(public, b"m", signature[:-2])
    assert not zip215_verify_hex(public, b"m", signature + "00")
    assert not zip215_verify_hex("zz" * 32, b"m", signature)


def test_the_version_in_force_changes_at_the_activation_height() -> None:
    switch = SignatureRules(ZIP215, 150, 50)
    assert rules_at(None, 10**6) == LIBSODIUM
    assert [rules_at(switch, h) for h in (50, 149, 150, 151)] == [1, 1, 2, 2]


# The schedule.


def test_the_operator_schedules_the_switch_and_the_state_records_it(chain: Chain) -> None:
    activation = schedule(chain)
    assert chain.view().signature_rules() == SignatureRules(
        ZIP215, activation, activation - MIN_RULES_NOTICE
    )


def test_a_schedule_not_signed_by_the_operator_is_refused(chain: Chain) -> None:
    payload = ScheduleSignatureRules(ZIP215, next_height(chain) + MIN_RULES_NOTICE)
    assert chain.run(payload, ALICE) == ReasonCode.MISSING_SIGNATURE
    assert chain.run(payload, OPERATOR, ALICE) == ReasonCode.UNEXPECTED_SIGNER
    assert chain.view().signature_rules() is None


def test_a_schedule_of_another_version_than_the_next_is_refused(chain: Chain) -> None:
    payload = ScheduleSignatureRules(3, next_height(chain) + MIN_RULES_NOTICE)
    assert chain.run(payload, OPERATOR) == ReasonCode.WRONG_RULES_VERSION
    assert chain.run(ScheduleSignatureRules(1, 10**6), OPERATOR) == ReasonCode.MALFORMED


def test_a_schedule_with_less_than_the_minimum_notice_is_refused(chain: Chain) -> None:
    too_soon = ScheduleSignatureRules(ZIP215, next_height(chain) + MIN_RULES_NOTICE - 1)
    assert chain.run(too_soon, OPERATOR) == ReasonCode.RULES_NOTICE_TOO_SHORT
    assert chain.run(ScheduleSignatureRules(ZIP215, 1), OPERATOR) == (
        ReasonCode.RULES_NOTICE_TOO_SHORT
    )


def test_a_second_schedule_while_one_is_pending_is_refused(chain: Chain) -> None:
    activation = schedule(chain)
    again = ScheduleSignatureRules(ZIP215, activation + 10)
    assert chain.run(again, OPERATOR) == ReasonCode.RULES_SWITCH_PENDING
    reach(chain, activation)
    # In force now: the next version would be 3, which this software does not know.
    later = ScheduleSignatureRules(3, activation + MIN_RULES_NOTICE)
    assert chain.run(later, OPERATOR) == ReasonCode.WRONG_RULES_VERSION


def test_a_pending_switch_still_far_ahead_is_moved_and_one_close_by_is_not(chain: Chain) -> None:
    mistyped = schedule(chain, notice=10 * MIN_RULES_NOTICE)
    corrected = next_height(chain) + MIN_RULES_NOTICE
    assert chain.run(ScheduleSignatureRules(ZIP215, corrected), OPERATOR) == "ok"
    assert chain.view().signature_rules() == SignatureRules(ZIP215, corrected, corrected - 100)
    assert corrected < mistyped
    reach(chain, corrected - MIN_RULES_NOTICE + 1)
    moved_again = ScheduleSignatureRules(ZIP215, next_height(chain) + MIN_RULES_NOTICE)
    assert chain.run(moved_again, OPERATOR) == ReasonCode.RULES_SWITCH_PENDING


# Blocks under the version of their height.


def test_a_torsioned_signature_is_refused_before_the_activation_and_applies_from_it(
    chain: Chain,
) -> None:
    activation = schedule(chain)
    reach(chain, activation - 1)
    assert chain.send(torsioned_transfer(chain)).reason is ReasonCode.BAD_SIGNATURE
    chain.nonces[ALICE] -= 1  # the refused one used no nonce
    assert next_height(chain) == activation
    assert chain.send(torsioned_transfer(chain)).ok
    assert chain.balance(BOB) == 505


@pytest.mark.parametrize("non_canonical", [False, True], ids=["canonical R", "non-canonical R"])
def test_a_small_order_key_signs_nothing_before_or_after_the_activation(
    chain: Chain, non_canonical: bool
) -> None:
    dave_admitted(chain)
    activation = schedule(chain)
    refused = chain.send(small_order_transfer(chain, non_canonical))
    assert refused.reason is ReasonCode.BAD_SIGNATURE
    chain.nonces[DAVE] -= 1
    reach(chain, activation)
    refused = chain.send(small_order_transfer(chain, non_canonical))
    assert refused.reason is ReasonCode.BAD_SIGNATURE
    assert chain.balance(DAVE) == 5


def test_a_chain_that_never_switches_keeps_the_state_root_it_had_before_the_rules_existed() -> None:
    chain = standard_chain()
    assert chain.transfer(ALICE, BOB, 7) == "ok"
    assert chain.transfer(BOB, CAROL, 3) == "ok"
    # Computed with main before signature rules (77662e3): the same blocks, the same state.
    assert chain.state.state_root() == (
        "297a84182c643ca1af8245532c1fbfddcdb25f59d4118c16f95fdec9fd535910"
    )
    assert chain.blocks[-1].hash == (
        "2aa4d624929b35f83455a818c2e8064bfc23ad9a83faf8bd93fb5b21399845bb"
    )


def test_two_executors_applying_the_same_blocks_reach_the_same_roots() -> None:
    chain, _ = switched_chain()
    state = MemoryState()
    executor = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    for block in chain.blocks:
        h = block.header
        proposal = BlockProposal(h.height, h.previous_hash, h.timestamp, block.txs)
        outcome = apply_block(state, proposal, executor)
        assert outcome.block == block
        state.commit(outcome.changes, outcome.block.head())
    assert state.state_root() == chain.state.state_root()


def test_the_audit_replays_a_switched_chain_under_each_blocks_version() -> None:
    chain, _ = switched_chain()
    report = audit(reader_of(chain))
    assert report.ok, report.findings
    assert report.state_root == chain.state.state_root()


def test_the_audit_finds_a_block_below_the_activation_that_applied_a_v2_only_signature() -> None:
    chain, activation = switched_chain()
    reader = reader_of(chain)
    height, block = next(
        (b.header.height, b)
        for b in chain.blocks
        if b.header.height < activation
        and any(r.reason is ReasonCode.BAD_SIGNATURE for r in b.results)
    )
    # What a node verifying by version 2 too early would have recorded for that block.
    applied = tuple(TxResult(r.tx_id, None) for r in block.results)
    reader.blocks[height] = dataclasses.replace(block, results=applied)
    report = audit(reader)
    assert [(f.height, f.kind) for f in report.findings] == [(height, FindingKind.BAD_TX_SIGNATURE)]


def test_a_block_below_the_activation_verifies_again_under_1_what_was_checked_under_2() -> None:
    chain, activation = switched_chain()
    forged = next(
        i
        for i, block in enumerate(chain.blocks)
        if block.header.height < activation
        and any(r.reason is ReasonCode.BAD_SIGNATURE for r in block.results)
    )
    # The block as a node running version 2 too early would have made it.
    block = chain.blocks[forged]
    head = chain.blocks[forged - 1].head()
    state = MemoryState()
    replica = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    for earlier in chain.blocks[:forged]:
        h = earlier.header
        proposal = BlockProposal(h.height, h.previous_hash, h.timestamp, earlier.txs)
        outcome = apply_block(state, proposal, replica)
        state.commit(outcome.changes, outcome.block.head())
    assert state.head() == head
    proposal = BlockProposal(
        block.header.height, block.header.previous_hash, block.header.timestamp, block.txs
    )
    # Told the signatures were checked under version 2, apply_block checks them again under 1.
    again = apply_block(state, proposal, replica, [ZIP215])
    assert again.block.results[0].reason is ReasonCode.BAD_SIGNATURE
    # Told they were checked under version 1 (what admission does below the activation), it
    # trusts the caller: which is why nothing pre-verifies under 2 before the activation.
    trusting = apply_block(state, proposal, replica, [LIBSODIUM])
    assert trusting.block.results[0].ok


# Pre-verification before the height is known.


def test_pre_verification_uses_libsodium_until_the_next_block_is_at_the_activation(
    chain: Chain,
) -> None:
    assert preverify_rules(chain.state) == LIBSODIUM
    activation = schedule(chain)
    reach(chain, activation - 1)
    assert preverify_rules(chain.state) == LIBSODIUM
    chain.block([])
    assert next_height(chain) == activation
    assert preverify_rules(chain.state) == ZIP215


def test_a_check_under_version_2_is_redone_in_a_block_below_the_activation(chain: Chain) -> None:
    schedule(chain)
    tx = torsioned_transfer(chain)
    # Admitted as if the block were under version 2 (a node whose head ran ahead, say).
    assert chain.executor.admit(tx, ZIP215, ZIP215).rules == ZIP215
    assert chain.executor.admitted_rules(tx) == ZIP215
    head = chain.state.head()
    assert head is not None
    proposal = BlockProposal(head.height + 1, head.block_hash, chain.now, (tx,))
    outcome = apply_block(chain.state, proposal, chain.executor, [ZIP215])
    assert outcome.block.results[0].reason is ReasonCode.BAD_SIGNATURE


def test_a_check_under_version_1_counts_in_a_block_under_version_2(chain: Chain) -> None:
    activation = schedule(chain)
    reach(chain, activation)
    tx = chain.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    spoiled = with_signature(tx, ALICE, "00" * 64)
    head = chain.state.head()
    assert head is not None
    proposal = BlockProposal(head.height + 1, head.block_hash, chain.now, (spoiled,))
    # The caller vouches for version 1, which covers version 2: no second check here.
    assert apply_block(chain.state, proposal, chain.executor, [LIBSODIUM]).block.results[0].ok
    assert apply_block(chain.state, proposal, chain.executor).block.results[0].reason is (
        ReasonCode.BAD_SIGNATURE
    )
