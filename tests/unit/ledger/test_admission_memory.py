"""The executor remembers admission's static check only for the very object it admitted."""

from __future__ import annotations

from tests.support.ledger import ALICE, BOB, WHEAT, fixture_key, standard_chain

from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.view import LedgerView


def test_an_admitted_transaction_executes_from_what_admission_remembered() -> None:
    chain = standard_chain()
    tx = chain.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    chain.executor.admit(tx)
    view = LedgerView(chain.state)
    assert chain.executor.execute(tx, view, 99, chain.now, signatures_checked=True) is None
    assert view.balance(BOB, WHEAT) == chain.balance(BOB) + 5


def test_a_copy_with_the_same_id_is_not_taken_for_the_admitted_one() -> None:
    chain = standard_chain()
    genuine = chain.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    copy = genuine.unsigned.with_signatures([genuine.unsigned.signature(ALICE, fixture_key("x"))])
    chain.executor.admit(genuine)
    code = chain.executor.execute(
        copy, LedgerView(chain.state), 99, chain.now, signatures_checked=True
    )
    assert code is not None
    assert code.value == "signer_key_mismatch"


def test_a_forgotten_admission_leaves_nothing_behind() -> None:
    chain = standard_chain()
    tx = chain.tx(Transfer(WHEAT, ALICE, BOB, 5), ALICE)
    chain.executor.admit(tx)
    chain.executor.forget(tx)
    assert chain.executor._admitted == {}
