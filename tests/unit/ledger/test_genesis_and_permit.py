"""Genesis anchors the operator's permit; the Ministry changes its status; issue obeys it."""

from __future__ import annotations

import hashlib

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
    genesis_payload,
    permit_document,
    renewal,
    status_change,
)

from kepil.ledger import BlockRejected, ReasonCode
from kepil.ledger.handlers.genesis import Genesis
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


SUSPEND = PermitAction.SUSPEND
REINSTATE = PermitAction.REINSTATE
REVOKE = PermitAction.REVOKE


def test_issue_is_refused_while_the_permit_is_suspended(chain: Chain) -> None:
    assert chain.relay(status_change(SUSPEND, T0 + 1), T0 + 1) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_SUSPENDED
    assert chain.transfer(ALICE, BOB, 1) == "ok"  # circulation of issued units goes on


def test_issue_resumes_when_the_ministry_reinstates_the_permit(chain: Chain) -> None:
    chain.relay(status_change(SUSPEND, T0 + 1), T0 + 1)
    assert chain.relay(status_change(REINSTATE, T0 + 2), T0 + 2) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"


def test_a_revoked_permit_stays_revoked(chain: Chain) -> None:
    assert chain.relay(status_change(REVOKE, T0 + 1), T0 + 1) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_REVOKED
    assert chain.relay(status_change(REINSTATE, T0 + 2), T0 + 2) == ReasonCode.PERMIT_REVOKED


def test_issue_is_refused_once_the_permit_expires_with_no_message(chain: Chain) -> None:
    chain.advance(3 * YEAR)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_EXPIRED


def test_a_renewal_extends_the_permit(chain: Chain) -> None:
    renewed = permit_document(number="KZ-PERMIT-0002", valid_until=T0 + 6 * YEAR, signed_at=T0 + 5)
    assert chain.relay(renewal(renewed), T0 + 5) == "ok"
    chain.advance(4 * YEAR)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"
    permit = chain.view().permit()
    assert permit is not None
    assert permit.number == "KZ-PERMIT-0002"


def test_a_renewal_with_a_forged_permit_is_refused(chain: Chain) -> None:
    forged = permit_document(valid_until=T0 + 6 * YEAR, forged=True, signed_at=T0 + 5)
    assert chain.relay(renewal(forged), T0 + 5) == ReasonCode.PERMIT_REFUSED


def test_a_renewal_for_another_holder_is_refused(chain: Chain) -> None:
    other = permit_document(holder="150640123402", signed_at=T0 + 5)
    assert chain.relay(renewal(other), T0 + 5) == ReasonCode.PERMIT_HOLDER_MISMATCH


def test_a_status_change_signed_by_anyone_but_a_ministry_head_is_refused_with_its_code(
    chain: Chain,
) -> None:
    for code in (
        ReasonCode.PERMIT_SIGNER_UNTRUSTED,
        ReasonCode.PERMIT_SIGNER_NOT_MINISTRY,
        ReasonCode.PERMIT_SIGNER_NOT_HEAD,
    ):
        assert chain.relay(status_change(SUSPEND, T0 + 1, refused_as=code), T0 + 1) == code
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"
    # Refused before its nonce was taken: the genuine change signed at the same moment applies.
    assert chain.relay(status_change(SUSPEND, T0 + 1), T0 + 1) == "ok"


def test_a_status_change_about_another_permit_is_refused(chain: Chain) -> None:
    change = status_change(SUSPEND, T0 + 1, number="KZ-PERMIT-0999")
    assert chain.relay(change, T0 + 1) == ReasonCode.PERMIT_CHANGE_FOR_ANOTHER_PERMIT


def test_a_replayed_status_change_is_applied_once(chain: Chain) -> None:
    suspend = status_change(SUSPEND, T0 + 1)
    assert chain.relay(suspend, T0 + 1) == "ok"
    assert chain.relay(status_change(REINSTATE, T0 + 2), T0 + 2) == "ok"
    assert chain.relay(suspend, T0 + 1) == ReasonCode.PERMIT_CHANGE_REPLAYED
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == "ok"


def test_a_change_older_than_the_last_applied_is_refused_as_a_replay(chain: Chain) -> None:
    assert chain.relay(status_change(SUSPEND, T0 + 5), T0 + 5) == "ok"
    assert (
        chain.relay(status_change(REINSTATE, T0 + 4), T0 + 4) == ReasonCode.PERMIT_CHANGE_REPLAYED
    )


def test_the_ministry_nonce_must_be_the_signing_moment(chain: Chain) -> None:
    assert chain.relay(status_change(SUSPEND, T0 + 1), T0 + 99) == ReasonCode.MALFORMED


def test_the_permit_records_the_hash_of_the_act_that_changed_it(chain: Chain) -> None:
    change = status_change(SUSPEND, T0 + 1)
    chain.relay(change, T0 + 1)
    permit = chain.view().permit()
    assert permit is not None
    assert permit.reference == hashlib.sha256(change.signed_bytes).hexdigest()


def test_no_participant_signs_a_permit_status_change(chain: Chain) -> None:
    assert chain.run(status_change(SUSPEND, T0 + 1), OPERATOR) == ReasonCode.MALFORMED


def test_suspending_a_suspended_permit_is_refused(chain: Chain) -> None:
    chain.relay(status_change(SUSPEND, T0 + 1), T0 + 1)
    assert chain.relay(status_change(SUSPEND, T0 + 2), T0 + 2) == ReasonCode.BAD_PERMIT_TRANSITION


def test_a_permit_not_yet_in_force_rejects_the_genesis_block() -> None:
    early = permit_document(valid_from=T0 + DAY)
    assert ReasonCode.PERMIT_NOT_YET_VALID in genesis_code(early)


def test_issue_is_refused_under_a_renewal_not_yet_in_force(chain: Chain) -> None:
    later = permit_document(
        valid_from=chain.now + DAY, valid_until=chain.now + 3 * YEAR, signed_at=T0 + 5
    )
    chain.relay(renewal(later), T0 + 5)
    assert chain.run(Issue(WHEAT, ALICE, 1), ISSUER) == ReasonCode.PERMIT_NOT_YET_VALID


def test_a_genesis_permit_signed_by_anyone_but_a_ministry_head_rejects_the_block() -> None:
    for code in (
        ReasonCode.PERMIT_SIGNER_UNTRUSTED,
        ReasonCode.PERMIT_SIGNER_NOT_MINISTRY,
        ReasonCode.PERMIT_SIGNER_NOT_HEAD,
    ):
        assert code in genesis_code(permit_document(refused_as=code))


def test_a_legacy_genesis_naming_a_ministry_key_and_certificate_still_parses() -> None:
    legacy = {
        **genesis_payload().to_json(),
        "ministry_key": "ab" * 32,
        "ministry_certificate": "QQ==",
    }
    parsed = Genesis.parse(legacy)
    assert (parsed.ministry_key, parsed.ministry_certificate) == ("ab" * 32, "QQ==")
    assert Genesis.parse(genesis_payload().to_json()).ministry_certificate == ""


def test_a_renewal_reads_back_from_its_json_without_a_document() -> None:
    change = renewal(permit_document())
    assert PermitStatusChange.parse(change.to_json()) == change
    assert PermitStatusChange.parse({"submitter": change.submitter, "cms": change.cms}) == change
