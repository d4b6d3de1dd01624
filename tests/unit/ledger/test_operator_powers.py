"""Freeze, unfreeze and forced transfer by the operator on a court's decision."""

from __future__ import annotations

from tests.support.ledger import ALICE, BOB, CAROL, OPERATOR, WHEAT, Chain

from kepil.ledger import ReasonCode
from kepil.ledger.handlers.operator import ForcedTransfer, FreezeOrder, Unfreeze

BASIS = "Civil Procedure Code art. 158"
COURT = "2-1234/2026, Almaty city court"


def test_a_frozen_holder_cannot_transfer_but_can_receive(chain: Chain) -> None:
    assert chain.run(FreezeOrder(ALICE, WHEAT, BASIS, COURT), OPERATOR) == "ok"
    assert chain.transfer(ALICE, BOB, 1) == ReasonCode.ACCOUNT_FROZEN
    assert chain.transfer(BOB, ALICE, 1) == "ok"


def test_a_freeze_of_all_assets_covers_each_asset(chain: Chain) -> None:
    chain.run(FreezeOrder(ALICE, None, BASIS, COURT), OPERATOR)
    assert chain.transfer(ALICE, BOB, 1) == ReasonCode.ACCOUNT_FROZEN


def test_unfreezing_lets_the_holder_transfer_again(chain: Chain) -> None:
    chain.run(FreezeOrder(ALICE, WHEAT, BASIS, COURT), OPERATOR)
    assert chain.run(Unfreeze(ALICE, WHEAT, BASIS, COURT + ", appeal"), OPERATOR) == "ok"
    assert chain.transfer(ALICE, BOB, 1) == "ok"


def test_unfreezing_what_is_not_frozen_is_refused(chain: Chain) -> None:
    assert chain.run(Unfreeze(ALICE, WHEAT, BASIS, COURT), OPERATOR) == ReasonCode.NOT_FROZEN


def test_freezing_twice_is_refused(chain: Chain) -> None:
    chain.run(FreezeOrder(ALICE, WHEAT, BASIS, COURT), OPERATOR)
    assert chain.run(FreezeOrder(ALICE, WHEAT, BASIS, COURT), OPERATOR) == ReasonCode.ALREADY_FROZEN


def test_a_freeze_needs_a_court_reference(chain: Chain) -> None:
    assert chain.run(FreezeOrder(ALICE, WHEAT, BASIS, " "), OPERATOR) == (
        ReasonCode.LEGAL_BASIS_MISSING
    )


def test_only_the_operator_freezes(chain: Chain) -> None:
    assert chain.run(FreezeOrder(ALICE, WHEAT, BASIS, COURT), BOB) == ReasonCode.MISSING_SIGNATURE


def test_a_forced_transfer_moves_units_even_from_a_frozen_holder(chain: Chain) -> None:
    chain.run(FreezeOrder(ALICE, None, BASIS, COURT), OPERATOR)
    forced = ForcedTransfer(WHEAT, ALICE, CAROL, 300, BASIS, COURT)
    assert chain.run(forced, OPERATOR) == "ok"
    assert (chain.balance(ALICE), chain.balance(CAROL)) == (700, 300)


def test_a_forced_transfer_without_a_legal_basis_is_refused(chain: Chain) -> None:
    forced = ForcedTransfer(WHEAT, ALICE, CAROL, 300, "", COURT)
    assert chain.run(forced, OPERATOR) == ReasonCode.LEGAL_BASIS_MISSING


def test_a_forced_transfer_needs_the_operator(chain: Chain) -> None:
    forced = ForcedTransfer(WHEAT, ALICE, CAROL, 300, BASIS, COURT)
    assert chain.run(forced, CAROL) == ReasonCode.MISSING_SIGNATURE
