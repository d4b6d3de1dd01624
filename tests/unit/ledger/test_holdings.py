"""Transfer, swap and redeem of free units."""

from __future__ import annotations

from tests.support.ledger import ALICE, AUDITOR, BOB, CAROL, ISSUER, WHEAT, Chain, wheat

from kepil.ledger import ReasonCode
from kepil.ledger.handlers.holdings import Leg, Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import Issue

OATS = "OATS-2026"


def with_oats(chain: Chain) -> Chain:
    assert chain.run(wheat(asset=OATS, name="Oats"), ISSUER) == "ok"
    assert chain.run(Issue(OATS, BOB, 300), ISSUER) == "ok"
    return chain


def test_a_partial_transfer_moves_part_of_the_units(chain: Chain) -> None:
    assert chain.transfer(ALICE, BOB, 250) == "ok"
    assert (chain.balance(ALICE), chain.balance(BOB)) == (750, 750)


def test_a_whole_transfer_empties_the_holding(chain: Chain) -> None:
    assert chain.transfer(ALICE, CAROL, 1000) == "ok"
    assert (chain.balance(ALICE), chain.balance(CAROL)) == (0, 1000)


def test_a_transfer_beyond_the_holding_is_refused(chain: Chain) -> None:
    assert chain.transfer(ALICE, BOB, 1001) == ReasonCode.INSUFFICIENT_UNITS
    assert chain.balance(ALICE) == 1000


def test_a_transfer_to_oneself_is_refused(chain: Chain) -> None:
    assert chain.transfer(ALICE, ALICE, 1) == ReasonCode.SELF_DEALING


def test_a_transfer_to_an_auditor_is_refused(chain: Chain) -> None:
    assert chain.transfer(ALICE, AUDITOR, 1) == ReasonCode.RECIPIENT_CANNOT_HOLD


def test_only_the_sender_signs_a_transfer(chain: Chain) -> None:
    assert chain.run(Transfer(WHEAT, ALICE, BOB, 1), BOB) == ReasonCode.MISSING_SIGNATURE


def test_a_swap_moves_both_legs(chain: Chain) -> None:
    with_oats(chain)
    swap = Swap(Leg(ALICE, WHEAT, 100), Leg(BOB, OATS, 30))
    assert chain.run(swap, ALICE, BOB) == "ok"
    assert (chain.balance(ALICE), chain.balance(ALICE, OATS)) == (900, 30)
    assert (chain.balance(BOB), chain.balance(BOB, OATS)) == (600, 270)


def test_a_swap_needs_both_signatures(chain: Chain) -> None:
    with_oats(chain)
    swap = Swap(Leg(ALICE, WHEAT, 100), Leg(BOB, OATS, 30))
    assert chain.run(swap, ALICE) == ReasonCode.MISSING_SIGNATURE


def test_a_swap_with_one_short_leg_moves_nothing(chain: Chain) -> None:
    with_oats(chain)
    swap = Swap(Leg(ALICE, WHEAT, 100), Leg(BOB, OATS, 301))
    assert chain.run(swap, ALICE, BOB) == ReasonCode.INSUFFICIENT_UNITS
    assert (chain.balance(ALICE), chain.balance(BOB, OATS)) == (1000, 300)


def test_a_redemption_burns_the_units_and_is_recorded(chain: Chain) -> None:
    tx = chain.tx(Redeem(WHEAT, ALICE, 400, "delivery order 5"), ALICE)
    assert chain.send(tx).ok
    assert chain.balance(ALICE) == 600
    supply = chain.view().supply(WHEAT)
    assert (supply.issued, supply.redeemed, supply.outstanding) == (1500, 400, 1100)
    redemption = chain.view().redemption(tx.tx_id)
    assert redemption is not None
    assert (redemption.holder, redemption.issuer, redemption.amount) == (ALICE, ISSUER, 400)


def test_a_redemption_beyond_the_holding_is_refused(chain: Chain) -> None:
    assert chain.run(Redeem(WHEAT, ALICE, 1001), ALICE) == ReasonCode.INSUFFICIENT_UNITS
