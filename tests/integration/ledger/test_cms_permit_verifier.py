"""The real PermitVerifier: a Ministry head's CMS, judged under the node's own anchors."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.ledger import CHAIN_ID, OPERATOR, T0, fixture_key, genesis_payload
from tests.support.ministry import MINISTRY_BIN, SIGNED_AT, Ministry, official, permit

from kepil.adapters.ledger_permit import permit_change_tx
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.domain.canonical import canonical_bytes
from kepil.ledger import (
    BlockProposal,
    BlockRejected,
    Executor,
    MemoryState,
    PermitFacts,
    PermitRefusal,
    ReasonCode,
    StatusChangeFacts,
    Window,
    apply_block,
    default_registry,
)
from kepil.ledger.tx import build_tx
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import PermitAction
from kepil.signing.cms_sign import sign_cms
from kepil.signing.dev_ca import Holder, Profile

ALMATY_MIDNIGHT_2025_12_31 = int(datetime(2025, 12, 30, 19, 0, tzinfo=UTC).timestamp())
ALMATY_MIDNIGHT_2029_01_01 = int(datetime(2028, 12, 31, 19, 0, tzinfo=UTC).timestamp())
APPLICANT_BIN = OPERATOR


@pytest.fixture(scope="module")
def ministry() -> Ministry:
    """One test PKI for the module (key generation is the slow part)."""
    return Ministry.create()


def refusal(result: PermitFacts | StatusChangeFacts | PermitRefusal) -> PermitRefusal:
    """The refusal; fails the test if the document was accepted."""
    assert isinstance(result, PermitRefusal), result
    return result


def signed_by(
    ministry: Ministry, holder: Holder, content: bytes, *, detached: bool = False
) -> bytes:
    """`content` signed at SIGNED_AT by `holder`, issued by the Ministry's own test PKI."""
    credential = ministry.pki.issue(holder, SIGNED_AT - timedelta(days=30))
    return sign_cms(content, [credential], signing_time=SIGNED_AT, detached=detached)


def permit_bytes() -> bytes:
    return canonical_bytes(permit().to_canonical_dict())


def test_a_genuine_permit_gives_its_number_holder_validity_and_signing_moment(
    ministry: Ministry,
) -> None:
    result = ministry.verifier().verify(ministry.permit_document())
    assert result == PermitFacts(
        "KZ-OCA-0001",
        OPERATOR,
        ALMATY_MIDNIGHT_2025_12_31,
        ALMATY_MIDNIGHT_2029_01_01,
        int(SIGNED_AT.timestamp()),
    )


def test_an_acting_heads_signer_role_is_accepted() -> None:
    acting = Ministry.create(head=False)
    assert isinstance(acting.verifier().verify(acting.permit_document()), PermitFacts)


def test_a_permit_signed_by_the_applicants_own_certificate_is_refused(ministry: Ministry) -> None:
    # Forgery 1 of issue 21: the applicant's director signs "a permit" with a genuine NCA key.
    director = Holder(Profile.LEGAL_HEAD, "900101300126", "ТЕСТОВ ТЕСТ", APPLICANT_BIN, "ТОО")
    forged = signed_by(ministry, director, permit_bytes())
    result = refusal(ministry.verifier().verify(forged))
    assert result.code is ReasonCode.PERMIT_SIGNER_NOT_MINISTRY


def test_a_permit_under_a_ca_of_ones_own_making_is_refused_whatever_the_genesis_says(
    ministry: Ministry,
) -> None:
    # Forgery 2: `kepil pki init` makes a CA; a "Ministry head" of the right BIN under it.
    homemade = Ministry.create(datetime(2025, 6, 1, tzinfo=UTC))
    forged = homemade.permit_document()
    result = refusal(ministry.verifier().verify(forged))
    assert result.code is ReasonCode.PERMIT_SIGNER_UNTRUSTED


def test_the_forged_genesis_naming_its_own_ca_is_rejected(ministry: Ministry) -> None:
    homemade = Ministry.create()
    payload = dataclasses.replace(
        genesis_payload(),
        ministry_certificate=base64.b64encode(
            homemade.pki.root.public_bytes(Encoding.DER)
        ).decode(),
        permit=base64.b64encode(homemade.permit_document()).decode(),
    )
    tx = build_tx(CHAIN_ID, payload, {OPERATOR: 1}, _window()).sign(
        {OPERATOR: fixture_key(OPERATOR)}
    )
    executor = Executor(CHAIN_ID, default_registry(ministry.verifier()))
    with pytest.raises(BlockRejected, match=ReasonCode.PERMIT_SIGNER_UNTRUSTED):
        apply_block(MemoryState(), BlockProposal(0, "0" * 64, T0, (tx,)), executor)


def test_a_permit_signed_for_another_bin_or_by_no_head_is_refused(ministry: Ministry) -> None:
    other_body = signed_by(ministry, official("990140004654"), permit_bytes())
    employee = Holder(Profile.LEGAL_EMPLOYEE, "880715310006", "СОТРУДНИКОВ", MINISTRY_BIN, "Мин")
    clerk = signed_by(ministry, employee, permit_bytes())
    verifier = ministry.verifier()
    assert refusal(verifier.verify(other_body)).code is ReasonCode.PERMIT_SIGNER_NOT_MINISTRY
    assert refusal(verifier.verify(clerk)).code is ReasonCode.PERMIT_SIGNER_NOT_HEAD


def test_a_node_without_a_ministry_bin_trusts_no_permit(ministry: Ministry) -> None:
    result = refusal(ministry.verifier("").verify(ministry.permit_document()))
    assert result.code is ReasonCode.PERMIT_SIGNER_NOT_MINISTRY


def test_validity_is_judged_at_the_signing_time_not_the_wall_clock() -> None:
    old = Ministry.create(datetime(2019, 1, 1, tzinfo=UTC))  # its certificate expired in 2020
    document = old.permit_document(
        permit(issued=date(2019, 6, 1)), at=datetime(2019, 6, 1, 9, tzinfo=UTC)
    )
    assert isinstance(old.verifier().verify(document), PermitFacts)
    late = old.permit_document(at=datetime(2021, 6, 1, tzinfo=UTC))
    assert refusal(old.verifier().verify(late)).code is ReasonCode.PERMIT_SIGNER_UNTRUSTED


def test_a_tampered_or_detached_or_non_permit_document_is_refused(ministry: Ministry) -> None:
    verifier = ministry.verifier()
    document = ministry.permit_document()
    tampered = document.replace(OPERATOR.encode(), b"150640123999")
    assert tampered != document
    assert refusal(verifier.verify(tampered)).code is ReasonCode.PERMIT_REFUSED
    detached = ministry.sign(permit_bytes(), detached=True)
    assert "content_missing" in refusal(verifier.verify(detached)).reason
    loose = b'{"document_type": "permit", "number": "X"}'
    assert "canonical" in refusal(verifier.verify(ministry.sign(loose))).reason
    assert refusal(verifier.verify(b"not a cms")).code is ReasonCode.PERMIT_REFUSED


def test_a_genuine_status_change_gives_its_permit_action_and_signing_moment(
    ministry: Ministry,
) -> None:
    at = SIGNED_AT + timedelta(days=10)
    for detached in (True, False):
        document, cms = ministry.status_change("suspend", at, detached=detached)
        result = ministry.verifier().verify_status_change(document, cms)
        assert result == StatusChangeFacts(
            "KZ-OCA-0001", PermitAction.SUSPEND, "Rules §11: a TEST reason", int(at.timestamp())
        )


def test_a_status_change_by_anyone_but_a_ministry_head_is_refused_with_why(
    ministry: Ministry,
) -> None:
    document, _ = ministry.status_change("suspend", SIGNED_AT)
    employee = Holder(Profile.LEGAL_EMPLOYEE, "880715310006", "СОТРУДНИКОВ", MINISTRY_BIN, "Мин")
    stranger = Ministry.create()
    cases = {
        ReasonCode.PERMIT_SIGNER_NOT_MINISTRY: signed_by(
            ministry, official("990140004654"), document, detached=True
        ),
        ReasonCode.PERMIT_SIGNER_NOT_HEAD: signed_by(ministry, employee, document, detached=True),
        ReasonCode.PERMIT_SIGNER_UNTRUSTED: stranger.sign(document, detached=True),
    }
    for code, cms in cases.items():
        assert refusal(ministry.verifier().verify_status_change(document, cms)).code is code


def test_a_status_change_over_other_bytes_or_without_its_permit_number_is_refused(
    ministry: Ministry,
) -> None:
    _, cms = ministry.status_change("suspend", SIGNED_AT)
    other, _ = ministry.status_change("reinstate", SIGNED_AT)
    verifier = ministry.verifier()
    assert refusal(verifier.verify_status_change(other, cms)).code is ReasonCode.PERMIT_REFUSED
    unnamed = canonical_bytes(
        {"document_type": "permit_status_change", "action": "suspend", "reason": "x"}
    )
    result = refusal(verifier.verify_status_change(unnamed, ministry.sign(unnamed)))
    assert "permit_number" in result.reason


def test_a_chain_starts_on_sqlite_and_obeys_the_ministrys_signed_changes(
    ministry: Ministry, tmp_path: Path
) -> None:
    payload = dataclasses.replace(
        genesis_payload(), permit=base64.b64encode(ministry.permit_document()).decode()
    )
    genesis = build_tx(CHAIN_ID, payload, {OPERATOR: 1}, _window()).sign(
        {OPERATOR: fixture_key(OPERATOR)}
    )
    executor = Executor(CHAIN_ID, default_registry(ministry.verifier()))
    suspend = permit_change_tx(CHAIN_ID, *_swap(ministry.status_change("suspend", _at(1))), T0)
    replay = permit_change_tx(CHAIN_ID, *_swap(ministry.status_change("suspend", _at(1))), T0 + 1)
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as store:
        codes = []
        for height, txs in enumerate(((genesis,), (suspend,), (replay,))):
            head = store.head()
            previous = "0" * 64 if head is None else head.block_hash
            proposal = BlockProposal(height, previous, T0 + height, txs)
            outcome = apply_block(store, proposal, executor)
            store.commit_block(outcome)
            codes.append(outcome.block.results[0].code)
        permit_record = LedgerView(store).permit()
    assert codes == ["ok", "ok", ReasonCode.PERMIT_CHANGE_REPLAYED]
    assert permit_record is not None
    assert (permit_record.number, permit_record.status) == ("KZ-OCA-0001", "suspended")


def test_the_relay_helper_refuses_a_cms_without_a_signing_time(ministry: Ministry) -> None:
    with pytest.raises(ValueError, match="relay"):
        permit_change_tx(CHAIN_ID, b"not a cms", b"{}", T0)


def _at(days: int) -> datetime:
    return datetime.fromtimestamp(T0, UTC) - timedelta(hours=1) + timedelta(seconds=days)


def _swap(pair: tuple[bytes, bytes]) -> tuple[bytes, bytes]:
    document, cms = pair
    return cms, document


def _window() -> Window:
    return Window(T0 - 60, T0 + 3600)
