"""Genesis anchors the operator's permit; the Ministry changes its status; issue obeys it."""

from __future__ import annotations

import pytest
from tests.support.ledger import (
    ALICE,
    BOB,
    DAY,
    ISSUER,
    OPERATOR,
    T0,
    WHEAT,
    YEAR,
    Chain,
    b64,
    genesis_payload,
    permit_document,
)

from kepil.ledger import MINISTRY, BlockRejected, ReasonCode
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.issuers import Issue
from kepil.ledger.handlers.permit import PermitStatusChange
from kepil.ledger.vocab import PermitAction, PermitStatus


def test_genesis_records_the_operator_the_permit_and_the_nodes() -> None:
    chain = Chain()
    chain.genesis()
    view = chain.view()
    meta, permit = view.chain(), view.permit()
    assert meta is not None
    assert permit is not None
    assert (meta.operator, len(meta.nodes)) == (OPERATOR, 2)
    assert (permit.number, permit.holder, permit.status) == (
        "KZ-PERMIT-0001",
        OPERATOR,
        PermitStatus.ACTIVE,
    )
    assert view.participant(OPERATOR) is not None


def genesis_code(payload_permit: bytes, at: int = T0) -> str:
    chain = Chain(now=at)
    payload = genesis_payload(payload_permit)
    with pytest.raises(BlockRejected) as rejected:
        chain.block([chain.tx(payload, OPERATOR)])
    return str(rejected.value)


def test_a_forged_permit_rejects_the_genesis_block() -> None:
    assert ReasonCode.PERMIT_REFUSED in genesis_code(permit_document(forged=True))


def test_a_permit_of_another_holder_rejects_the_genesis_block() -> None:
    other = permit_document(holder="150640123402")
    assert ReasonCode.PERMIT_HOLDER_MISMATCH in genesis_code(other)


def test_an_expired_permit_rejects_the_genesis_block() -> None:
    assert ReasonCode.PERMIT_EXPIRED in genesis_code(permit_document(), at=T0 + 4 * YEAR)


def test_a_second_genesis_is_refused(chain: Chain) -> None:
    assert chain.run(genesis_payload(), OPERATOR) == ReasonCode.ALREADY_INITIALISED


def test_nothing_but_genesis_runs_on_an_empty_chain() -> None:
    chain = Chain()
    with pytest.raises(BlockRejected):
        chain.block([chain.tx(Transfer(WHEAT, ALICE, BOB, 1), ALICE)])


def test_issue_is_refused_while_the_permit_is_suspended(chain: Chain) -> None:
    assert chain.run(PermitStatusChange(PermitAction.SUSPEND, "Order 12", None), MINISTRY) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_SUSPENDED
    assert chain.transfer(ALICE, BOB, 1) == "ok"  # circulation of issued units goes on


def test_issue_resumes_when_the_ministry_reinstates_the_permit(chain: Chain) -> None:
    chain.run(PermitStatusChange(PermitAction.SUSPEND, "Order 12", None), MINISTRY)
    assert chain.run(PermitStatusChange(PermitAction.REINSTATE, "Order 13", None), MINISTRY) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"


def test_a_revoked_permit_stays_revoked(chain: Chain) -> None:
    assert chain.run(PermitStatusChange(PermitAction.REVOKE, "Order 14", None), MINISTRY) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_REVOKED
    reinstate = PermitStatusChange(PermitAction.REINSTATE, "Order 15", None)
    assert chain.run(reinstate, MINISTRY) == ReasonCode.PERMIT_REVOKED


def test_issue_is_refused_once_the_permit_expires(chain: Chain) -> None:
    chain.advance(3 * YEAR)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_EXPIRED


def test_a_renewal_extends_the_permit(chain: Chain) -> None:
    renewed = permit_document(number="KZ-PERMIT-0002", valid_until=T0 + 6 * YEAR)
    change = PermitStatusChange(PermitAction.RENEW, "Order 20", b64(renewed))
    assert chain.run(change, MINISTRY) == "ok"
    chain.advance(4 * YEAR)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"
    permit = chain.view().permit()
    assert permit is not None
    assert permit.number == "KZ-PERMIT-0002"


def test_a_renewal_with_a_forged_permit_is_refused(chain: Chain) -> None:
    forged = permit_document(valid_until=T0 + 6 * YEAR, forged=True)
    change = PermitStatusChange(PermitAction.RENEW, "Order 20", b64(forged))
    assert chain.run(change, MINISTRY) == ReasonCode.PERMIT_REFUSED


def test_only_the_ministry_changes_the_permit_status(chain: Chain) -> None:
    change = PermitStatusChange(PermitAction.SUSPEND, "Order 12", None)
    assert chain.run(change, OPERATOR) == ReasonCode.MISSING_SIGNATURE


def test_suspending_a_suspended_permit_is_refused(chain: Chain) -> None:
    change = PermitStatusChange(PermitAction.SUSPEND, "Order 12", None)
    chain.run(change, MINISTRY)
    assert chain.run(change, MINISTRY) == ReasonCode.BAD_PERMIT_TRANSITION


def test_a_permit_document_comes_only_with_a_renewal(chain: Chain) -> None:
    change = PermitStatusChange(PermitAction.SUSPEND, "Order 12", b64(permit_document()))
    assert chain.run(change, MINISTRY) == ReasonCode.MALFORMED


def test_a_permit_not_yet_in_force_rejects_the_genesis_block() -> None:
    early = permit_document(valid_from=T0 + DAY)
    assert ReasonCode.PERMIT_NOT_YET_VALID in genesis_code(early)


def test_issue_is_refused_under_a_renewal_not_yet_in_force(chain: Chain) -> None:
    later = permit_document(valid_from=chain.now + DAY, valid_until=chain.now + 3 * YEAR)
    chain.run(PermitStatusChange(PermitAction.RENEW, "Order 21", b64(later)), MINISTRY)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_NOT_YET_VALID
