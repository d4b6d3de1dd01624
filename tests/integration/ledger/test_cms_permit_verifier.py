"""The real PermitVerifier: the Ministry's CMS over the permit service's canonical permit."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding
from tests.support.ledger import CHAIN_ID, OPERATOR, T0, fixture_key, genesis_payload
from tests.support.ministry import Ministry, permit

from kepil.adapters.ledger_permit import CmsPermitVerifier
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.domain.canonical import canonical_bytes
from kepil.ledger import (
    BlockProposal,
    Executor,
    PermitFacts,
    PermitRefusal,
    Window,
    apply_block,
    default_registry,
)
from kepil.ledger.tx import build_tx
from kepil.ledger.view import LedgerView

ALMATY_MIDNIGHT_2025_12_31 = int(datetime(2025, 12, 30, 19, 0, tzinfo=UTC).timestamp())
ALMATY_MIDNIGHT_2029_01_01 = int(datetime(2028, 12, 31, 19, 0, tzinfo=UTC).timestamp())


@pytest.fixture(scope="module")
def ministry() -> Ministry:
    """One test PKI for the module (key generation is the slow part)."""
    return Ministry.create()


def verify(document: bytes, certificate: bytes) -> PermitFacts | PermitRefusal:
    """The verifier's answer."""
    return CmsPermitVerifier().verify(document, certificate)


def refusal(document: bytes, certificate: bytes) -> str:
    """The refusal's reason; fails the test if the document was accepted."""
    result = verify(document, certificate)
    assert isinstance(result, PermitRefusal), result
    return result.reason


def test_a_genuine_permit_gives_its_number_holder_and_almaty_validity(ministry: Ministry) -> None:
    result = verify(ministry.permit_document(), ministry.certificate)
    assert result == PermitFacts(
        "KZ-OCA-0001", OPERATOR, ALMATY_MIDNIGHT_2025_12_31, ALMATY_MIDNIGHT_2029_01_01
    )


def test_validity_is_judged_at_the_signing_time_not_the_wall_clock() -> None:
    old = Ministry.create(datetime(2019, 1, 1, tzinfo=UTC))  # its certificate expired in 2020
    document = old.permit_document(
        permit(issued=date(2019, 6, 1)), at=datetime(2019, 6, 1, 9, tzinfo=UTC)
    )
    assert isinstance(verify(document, old.certificate), PermitFacts)
    assert verify(document, old.certificate) == verify(document, old.certificate)


def test_a_signature_made_outside_the_certificates_validity_is_refused() -> None:
    old = Ministry.create(datetime(2019, 1, 1, tzinfo=UTC))
    late = old.permit_document(at=datetime(2021, 6, 1, tzinfo=UTC))
    assert "certificate_expired" in refusal(late, old.certificate)


def test_a_permit_signed_by_another_certificate_is_refused(ministry: Ministry) -> None:
    impostor = Ministry.create()
    assert "issuer is neither given" in refusal(impostor.permit_document(), ministry.certificate)
    bundle = b"".join(
        c.public_bytes(Encoding.PEM)
        for c in (ministry.credential.certificate, ministry.pki.issuing)
    )
    assert "untrusted_chain" in refusal(impostor.permit_document(), bundle)
    assert isinstance(verify(ministry.permit_document(), bundle), PermitFacts)
    same_ca = dataclasses.replace(
        ministry, credential=ministry.pki.person(datetime(2025, 7, 1, tzinfo=UTC))
    )
    assert "another certificate" in refusal(same_ca.permit_document(), ministry.certificate)


def test_the_ministrys_ca_certificate_accepts_any_signer_it_issued(ministry: Ministry) -> None:
    root = ministry.pki.root.public_bytes(Encoding.DER)
    assert isinstance(verify(ministry.permit_document(), root), PermitFacts)


def test_a_tampered_permit_is_refused(ministry: Ministry) -> None:
    document = ministry.permit_document()
    tampered = document.replace(OPERATOR.encode(), b"150640123999")
    assert tampered != document
    assert "not accepted" in refusal(tampered, ministry.certificate)


def test_a_detached_signature_is_refused(ministry: Ministry) -> None:
    content = canonical_bytes(permit().to_canonical_dict())
    detached = ministry.sign(content, detached=True)
    assert "content_missing" in refusal(detached, ministry.certificate)


def test_a_signed_document_that_is_not_a_canonical_permit_is_refused(ministry: Ministry) -> None:
    refusal_doc = {**permit().to_canonical_dict(), "document_type": "motivated_refusal"}
    assert "not a permit" in refusal(
        ministry.sign(canonical_bytes(refusal_doc)), ministry.certificate
    )
    loose = b'{"document_type": "permit", "number": "X"}'
    assert "canonical" in refusal(ministry.sign(loose), ministry.certificate)
    assert "not JSON" in refusal(ministry.sign(b"\xff"), ministry.certificate)
    assert "readable field" in refusal(
        ministry.sign(canonical_bytes({"document_type": "permit"})), ministry.certificate
    )


def test_garbage_and_unreadable_certificates_are_refused_not_raised(ministry: Ministry) -> None:
    assert refusal(b"not a cms", ministry.certificate)
    assert refusal(ministry.permit_document(), b"not a certificate")


def test_a_chain_starts_on_sqlite_with_the_ministrys_real_permit(
    ministry: Ministry, tmp_path: Path
) -> None:
    payload = dataclasses.replace(
        genesis_payload(),
        ministry_certificate=base64.b64encode(ministry.certificate).decode(),
        permit=base64.b64encode(ministry.permit_document()).decode(),
    )
    tx = build_tx(CHAIN_ID, payload, {OPERATOR: 1}, _window()).sign(
        {OPERATOR: fixture_key(OPERATOR)}
    )
    executor = Executor(CHAIN_ID, default_registry(CmsPermitVerifier()))
    with SqliteLedgerStore(tmp_path / "ledger.sqlite3") as store:
        outcome = apply_block(store, BlockProposal(0, "0" * 64, T0, (tx,)), executor)
        assert outcome.block.results[0].code == "ok"
        store.commit_block(outcome)
        permit_record = LedgerView(store).permit()
    assert permit_record is not None
    assert (permit_record.number, permit_record.holder) == ("KZ-OCA-0001", OPERATOR)
    assert permit_record.valid_until == ALMATY_MIDNIGHT_2029_01_01


def _window() -> Window:
    return Window(T0 - 60, T0 + 3600)
