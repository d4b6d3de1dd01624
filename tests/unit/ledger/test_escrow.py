"""Escrow against an off-ledger payment: confirmation by the agent, refund after the deadline."""

from __future__ import annotations

from tests.support.ledger import AGENT, ALICE, BOB, CAROL, DAY, OPERATOR, WHEAT, Chain

from kepil.ledger import ReasonCode
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen, EscrowRefund
from kepil.ledger.handlers.participants import Suspend


def open_escrow(chain: Chain, amount: int = 300, agent: str = AGENT) -> str:
    payload = EscrowOpen(WHEAT, ALICE, BOB, agent, amount, 150_000, "KZT", "inv-7", chain.now + DAY)
    tx = chain.tx(payload, ALICE)
    assert chain.send(tx).ok
    return tx.tx_id


def test_opening_an_escrow_locks_the_sellers_units(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    assert chain.balance(ALICE) == 700
    assert chain.view().escrow(escrow_id) is not None
    assert chain.transfer(ALICE, CAROL, 701) == ReasonCode.INSUFFICIENT_UNITS


def test_the_payment_agents_confirmation_delivers_the_units(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    assert chain.run(EscrowConfirm(escrow_id, "inv-7"), AGENT) == "ok"
    assert (chain.balance(ALICE), chain.balance(BOB)) == (700, 800)
    assert chain.view().escrow(escrow_id) is None


def test_another_participant_cannot_confirm(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    assert chain.run(EscrowConfirm(escrow_id, "inv-7"), BOB) == ReasonCode.NOT_ESCROW_AGENT


def test_a_confirmation_of_another_payment_is_refused(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    assert chain.run(EscrowConfirm(escrow_id, "inv-8"), AGENT) == ReasonCode.PAYMENT_REF_MISMATCH


def test_the_agent_must_be_a_payment_agent(chain: Chain) -> None:
    payload = EscrowOpen(WHEAT, ALICE, BOB, CAROL, 1, 100, "KZT", "inv-1", chain.now + DAY)
    assert chain.run(payload, ALICE) == ReasonCode.MISSING_ROLE


def test_a_confirmation_after_the_deadline_is_refused(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    chain.advance(DAY)
    assert chain.run(EscrowConfirm(escrow_id, "inv-7"), AGENT) == ReasonCode.DEADLINE_PASSED


def test_a_refund_before_the_deadline_is_refused(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    assert chain.run(EscrowRefund(escrow_id), ALICE) == ReasonCode.DEADLINE_NOT_REACHED


def test_after_the_deadline_anyone_returns_the_units_to_the_seller(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    chain.advance(DAY)
    assert chain.run(EscrowRefund(escrow_id), CAROL) == "ok"
    assert chain.balance(ALICE) == 1000
    assert chain.run(EscrowRefund(escrow_id), OPERATOR) == ReasonCode.UNKNOWN_ESCROW


def test_a_suspended_agent_cannot_confirm(chain: Chain) -> None:
    escrow_id = open_escrow(chain)
    chain.run(Suspend(AGENT, "licence lapsed"), OPERATOR)
    assert chain.run(EscrowConfirm(escrow_id, "inv-7"), AGENT) == ReasonCode.SIGNER_INACTIVE


def test_a_deadline_in_the_past_is_refused(chain: Chain) -> None:
    payload = EscrowOpen(WHEAT, ALICE, BOB, AGENT, 1, 100, "KZT", "inv-1", chain.now)
    assert chain.run(payload, ALICE) == ReasonCode.DEADLINE_IN_PAST


def test_a_price_currency_must_be_an_iso_code(chain: Chain) -> None:
    payload = EscrowOpen(WHEAT, ALICE, BOB, AGENT, 1, 100, "kzt", "inv-1", chain.now + DAY)
    assert chain.run(payload, ALICE) == ReasonCode.MALFORMED
