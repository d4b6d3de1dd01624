"""Every kind of bad CMS gives `valid: false` with a specific error code, never a traceback."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asn1crypto import cms

from kepil.signing.cms_sign import SignerCredential, sign_cms
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_ca import Profile
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import CrlChecker

DATA = b"permit application #42"


def _codes(result: VerificationResult) -> set[ErrorCode]:
    assert not result.valid
    return {issue.code for issue in result.errors}


@pytest.fixture(scope="module")
def signed(now: datetime, ec_signer: SignerCredential) -> bytes:
    """A good attached CMS."""
    return sign_cms(DATA, [ec_signer], signing_time=now)


@pytest.mark.parametrize(
    "garbage", [b"", b"not a cms at all", b"\x30\x82\xff\xff\x06", b"\x30\x03\x02\x01\x00"]
)
def test_garbage_is_reported_as_malformed_cms(pki: DevPki, now: datetime, garbage: bytes) -> None:
    result = verify_cms(garbage, trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.MALFORMED_CMS}


@pytest.mark.parametrize("keep", [10, 200, -1])
def test_a_truncated_cms_is_reported_as_malformed(
    pki: DevPki, now: datetime, signed: bytes, keep: int
) -> None:
    result = verify_cms(signed[:keep], trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.MALFORMED_CMS}


def test_a_signature_over_other_data_is_a_digest_mismatch(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    detached = sign_cms(DATA, [ec_signer], signing_time=now, detached=True)
    result = verify_cms(detached, trust_store=pki.trust_store(), at=now, data=b"other data")
    assert _codes(result) == {ErrorCode.DIGEST_MISMATCH}


def test_tampered_signed_attributes_are_reported_as_invalid_signature(
    pki: DevPki, now: datetime, signed: bytes
) -> None:
    info = cms.ContentInfo.load(signed)
    attributes = info["content"]["signer_infos"][0]["signed_attrs"]
    for attribute in attributes:
        if attribute["type"].native == "signing_time":
            attribute["values"] = [cms.Time({"utc_time": now - timedelta(hours=3)})]
    tampered = info.dump(force=True)
    result = verify_cms(tampered, trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.BAD_SIGNATURE}


def test_a_flipped_signature_bit_is_reported_as_invalid_signature(
    pki: DevPki, now: datetime, signed: bytes
) -> None:
    info = cms.ContentInfo.load(signed)
    signer_info = info["content"]["signer_infos"][0]
    signature = bytearray(signer_info["signature"].native)
    signature[-1] ^= 1
    signer_info["signature"] = bytes(signature)
    result = verify_cms(info.dump(force=True), trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.BAD_SIGNATURE}


def test_an_expired_certificate_is_reported(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    later = now + timedelta(days=400)
    signed = sign_cms(DATA, [ec_signer], signing_time=later)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=later)
    assert _codes(result) == {ErrorCode.CERTIFICATE_EXPIRED}


def test_a_not_yet_valid_certificate_is_reported(pki: DevPki, now: datetime) -> None:
    future = pki.person(now + timedelta(days=30))
    signed = sign_cms(DATA, [future], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.CERTIFICATE_NOT_YET_VALID}


def test_a_signing_time_after_the_moment_of_judgement_is_reported(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer], signing_time=now + timedelta(hours=2))
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.SIGNING_TIME_IN_FUTURE}


def test_a_certificate_revoked_in_the_crl_is_reported(pki: DevPki, now: datetime) -> None:
    victim = pki.person(now, Profile.LEGAL_EMPLOYEE)
    pki.revoke(victim.certificate, now - timedelta(hours=1))
    signed = sign_cms(DATA, [victim], signing_time=now)
    result = verify_cms(
        signed, trust_store=pki.trust_store(), at=now, revocation=[CrlChecker([pki.crl(now)])]
    )
    assert _codes(result) == {ErrorCode.CERTIFICATE_REVOKED}


def test_a_signing_key_used_for_sign_in_is_the_wrong_key_usage(
    pki: DevPki, now: datetime, signed: bytes
) -> None:
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now, purpose=KeyKind.AUTH)
    assert _codes(result) == {ErrorCode.WRONG_KEY_USAGE}


def test_an_auth_key_used_to_sign_a_document_is_the_wrong_key_usage(
    pki: DevPki, now: datetime, auth_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [auth_signer], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.WRONG_KEY_USAGE}


def test_a_chain_to_another_root_is_untrusted(
    other_pki: DevPki, now: datetime, signed: bytes
) -> None:
    result = verify_cms(signed, trust_store=other_pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.UNTRUSTED_CHAIN}


def test_a_cms_without_the_signer_certificate_is_reported(
    pki: DevPki, now: datetime, signed: bytes
) -> None:
    info = cms.ContentInfo.load(signed)
    info["content"]["certificates"] = cms.CertificateSet([])
    result = verify_cms(info.dump(force=True), trust_store=pki.trust_store(), at=now)
    assert _codes(result) == {ErrorCode.SIGNER_CERTIFICATE_MISSING}


def test_a_detached_cms_without_data_is_reported_as_content_missing(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    detached = sign_cms(DATA, [ec_signer], signing_time=now, detached=True)
    result = verify_cms(detached, trust_store=pki.trust_store(), at=now)
    assert ErrorCode.CONTENT_MISSING in _codes(result)


def test_one_bad_signer_among_several_makes_the_whole_cms_invalid(
    pki: DevPki, now: datetime, ec_signer: SignerCredential, auth_signer: SignerCredential
) -> None:
    signed = sign_cms(DATA, [ec_signer, auth_signer], signing_time=now)
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now)
    bad = [s.index for s in result.signers if not s.valid]
    assert len(result.signers) == 2
    assert len(bad) == 1
    assert [(i.code, i.signer_index) for i in result.errors] == [
        (ErrorCode.WRONG_KEY_USAGE, bad[0])
    ]


def test_sole_signer_raises_the_first_error_of_an_invalid_cms(
    pki: DevPki, now: datetime, signed: bytes
) -> None:
    result = verify_cms(signed, trust_store=pki.trust_store(), at=now, purpose=KeyKind.AUTH)
    with pytest.raises(SigningError) as raised:
        result.sole_signer()
    assert raised.value.code is ErrorCode.WRONG_KEY_USAGE
