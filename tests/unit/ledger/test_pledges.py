"""Encumber, release and enforce: pledged units move only by release or enforce."""

from __future__ import annotations

from tests.support.ledger import AGENT, ALICE, BOB, CAROL, DAY, OPERATOR, PLEDGEE, WHEAT, Chain

from kepil.ledger import ReasonCode, SignedTx
from kepil.ledger.handlers.escrow import EscrowOpen
from kepil.ledger.handlers.holdings import Leg, Redeem, Swap
from kepil.ledger.handlers.operator import FreezeOrder
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release

TERMS = "12" * 32


def pledge(chain: Chain, amount: int = 600, days: int = 30) -> str:
    tx: SignedTx = chain.tx(
        Encumber(WHEAT, ALICE, PLEDGEE, amount, TERMS, chain.now + days * DAY), ALICE, PLEDGEE
    )
    assert chain.send(tx).ok
    return tx.tx_id


def test_a_pledge_moves_units_out_of_the_free_balance(chain: Chain) -> None:
    pledge_id = pledge(chain)
    assert chain.balance(ALICE) == 400
    found = chain.view().encumbrance(pledge_id)
    assert found is not None
    assert (found.pledgor, found.pledgee, found.amount) == (
        ALICE,
        PLEDGEE,
        600,
    )


def test_a_pledge_needs_the_pledgor_and_the_pledgee(chain: Chain) -> None:
    encumber = Encumber(WHEAT, ALICE, PLEDGEE, 10, TERMS, chain.now + DAY)
    assert chain.run(encumber, ALICE) == ReasonCode.MISSING_SIGNATURE


def test_a_pledge_to_a_participant_without_the_pledgee_role_is_refused(chain: Chain) -> None:
    encumber = Encumber(WHEAT, ALICE, BOB, 10, TERMS, chain.now + DAY)
    assert chain.run(encumber, ALICE, BOB) == ReasonCode.MISSING_ROLE


def test_a_pledge_already_expired_is_refused(chain: Chain) -> None:
    encumber = Encumber(WHEAT, ALICE, PLEDGEE, 10, TERMS, chain.now)
    assert chain.run(encumber, ALICE, PLEDGEE) == ReasonCode.PLEDGE_EXPIRED


def test_encumbered_units_cannot_be_transferred(chain: Chain) -> None:
    pledge(chain, 600)
    assert chain.transfer(ALICE, BOB, 401) == ReasonCode.INSUFFICIENT_UNITS
    assert chain.transfer(ALICE, BOB, 400) == "ok"


def test_encumbered_units_cannot_be_swapped(chain: Chain) -> None:
    pledge(chain, 1000)
    swap = Swap(Leg(ALICE, WHEAT, 1), Leg(BOB, WHEAT, 1))
    assert chain.run(swap, ALICE, BOB) == ReasonCode.INSUFFICIENT_UNITS


def test_encumbered_units_cannot_be_redeemed(chain: Chain) -> None:
    pledge(chain, 1000)
    assert chain.run(Redeem(WHEAT, ALICE, 1), ALICE) == ReasonCode.INSUFFICIENT_UNITS


def test_encumbered_units_cannot_be_escrowed(chain: Chain) -> None:
    pledge(chain, 1000)
    escrow = EscrowOpen(WHEAT, ALICE, BOB, AGENT, 1, 100, "KZT", "inv-1", chain.now + DAY)
    assert chain.run(escrow, ALICE) == ReasonCode.INSUFFICIENT_UNITS


def test_the_pledgee_releases_the_pledge(chain: Chain) -> None:
    pledge_id = pledge(chain)
    assert chain.run(Release(pledge_id), PLEDGEE) == "ok"
    assert chain.balance(ALICE) == 1000
    assert chain.view().encumbrance(pledge_id) is None


def test_the_pledgor_cannot_release_before_expiry(chain: Chain) -> None:
    pledge_id = pledge(chain, days=30)
    assert chain.run(Release(pledge_id), ALICE) == ReasonCode.PLEDGE_NOT_EXPIRED


def test_the_pledgor_releases_a_lapsed_pledge(chain: Chain) -> None:
    pledge_id = pledge(chain, days=30)
    chain.advance(30 * DAY)
    assert chain.run(Release(pledge_id), ALICE) == "ok"
    assert chain.balance(ALICE) == 1000


def test_a_stranger_cannot_release(chain: Chain) -> None:
    pledge_id = pledge(chain)
    assert chain.run(Release(pledge_id), BOB) == ReasonCode.NOT_PLEDGEE


def test_the_pledgee_forecloses_to_itself(chain: Chain) -> None:
    pledge_id = pledge(chain, 600)
    assert chain.run(Enforce(pledge_id), PLEDGEE) == "ok"
    assert (chain.balance(ALICE), chain.balance(PLEDGEE)) == (400, 600)
    assert chain.view().encumbrance(pledge_id) is None


def test_the_pledgee_forecloses_part_to_a_buyer(chain: Chain) -> None:
    pledge_id = pledge(chain, 600)
    assert chain.run(Enforce(pledge_id, 200, CAROL), PLEDGEE) == "ok"
    assert chain.balance(CAROL) == 200
    remaining = chain.view().encumbrance(pledge_id)
    assert remaining is not None
    assert remaining.amount == 400


def test_foreclosing_more_than_pledged_is_refused(chain: Chain) -> None:
    pledge_id = pledge(chain, 600)
    assert chain.run(Enforce(pledge_id, 601), PLEDGEE) == ReasonCode.INSUFFICIENT_UNITS


def test_only_the_pledgee_forecloses(chain: Chain) -> None:
    pledge_id = pledge(chain)
    assert chain.run(Enforce(pledge_id), ALICE) == ReasonCode.NOT_PLEDGEE


def test_a_lapsed_pledge_cannot_be_foreclosed(chain: Chain) -> None:
    pledge_id = pledge(chain, days=1)
    chain.advance(DAY)
    assert chain.run(Enforce(pledge_id), PLEDGEE) == ReasonCode.PLEDGE_EXPIRED


def test_a_court_freeze_stops_foreclosure(chain: Chain) -> None:
    pledge_id = pledge(chain)
    chain.run(FreezeOrder(ALICE, None, "Civil Procedure Code art. 158", "2-1234/2026"), OPERATOR)
    assert chain.run(Enforce(pledge_id), PLEDGEE) == ReasonCode.ACCOUNT_FROZEN


def test_an_unknown_pledge_is_refused(chain: Chain) -> None:
    assert chain.run(Release("34" * 32), PLEDGEE) == ReasonCode.UNKNOWN_ENCUMBRANCE
