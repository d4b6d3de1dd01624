"""Delegated OCSP responders: ocsp-nocheck, their own revocation, what they may mark critical."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from asn1crypto import ocsp as asn1_ocsp
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from tests.support.clock import MovableClock

from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.keys import SigningKey
from kepil.signing.revocation import OcspChecker


class _Revoked:
    """A revocation check that says every certificate it is asked about is revoked."""

    def __init__(self) -> None:
        self.asked: list[x509.Certificate] = []

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Record the question, answer revoked."""
        self.asked.append(certificate)
        raise SigningError(ErrorCode.CERTIFICATE_REVOKED, "revoked by the test")


def _delegate(
    pki: DevPki,
    now: datetime,
    *,
    no_check: bool = False,
    extra: x509.ExtensionType | None = None,
) -> tuple[SigningKey, x509.Certificate]:
    key = dev_ca.generate_key(KeyAlgorithm.EC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "OCSP responder")]))
        .issuer_name(pki.issuing.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.OCSP_SIGNING]), critical=False)
    )
    if no_check:
        builder = builder.add_extension(x509.OCSPNoCheck(), critical=False)
    if extra is not None:
        builder = builder.add_extension(extra, critical=True)
    return key, builder.sign(pki.issuing_key, hashes.SHA256())


def _answer(
    signer: SignerCredential,
    pki: DevPki,
    now: datetime,
    key: SigningKey,
    delegate: x509.Certificate,
) -> ocsp.OCSPResponse:
    return (
        ocsp.OCSPResponseBuilder()
        .add_response(
            signer.certificate,
            pki.issuing,
            hashes.SHA256(),
            ocsp.OCSPCertStatus.GOOD,
            now,
            now + timedelta(hours=1),
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.NAME, delegate)
        .certificates([delegate])
        .sign(key, hashes.SHA256())
    )


def test_a_delegated_responder_without_ocsp_nocheck_is_checked_and_a_revoked_one_not_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(pki, now)
    revoked = _Revoked()
    checker = OcspChecker(responder_revocation=[revoked], clock=MovableClock(now))
    with pytest.raises(SigningError) as raised:
        checker.judge(
            _answer(ec_signer, pki, now, key, delegate), ec_signer.certificate, pki.issuing, now
        )
    # The responder's revocation leaves the holder's status unknown, not revoked.
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "responder certificate" in raised.value.detail
    assert revoked.asked == [delegate]


def test_a_delegated_responder_with_ocsp_nocheck_is_not_checked_for_revocation(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    key, delegate = _delegate(pki, now, no_check=True)
    revoked = _Revoked()
    checker = OcspChecker(responder_revocation=[revoked], clock=MovableClock(now))
    checker.judge(
        _answer(ec_signer, pki, now, key, delegate), ec_signer.certificate, pki.issuing, now
    )
    assert revoked.asked == []


def test_an_answer_the_ca_signs_itself_needs_no_responder_revocation_check(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    revoked = _Revoked()
    answer = _answer(ec_signer, pki, now, pki.issuing_key, pki.issuing)
    OcspChecker(responder_revocation=[revoked], clock=MovableClock(now)).judge(
        answer, ec_signer.certificate, pki.issuing, now
    )
    assert revoked.asked == []


def test_a_delegated_responder_with_a_critical_extension_not_understood_is_not_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    constraint = x509.PolicyConstraints(require_explicit_policy=0, inhibit_policy_mapping=None)
    key, delegate = _delegate(pki, now, extra=constraint)
    with pytest.raises(SigningError) as raised:
        OcspChecker(clock=MovableClock(now)).judge(
            _answer(ec_signer, pki, now, key, delegate), ec_signer.certificate, pki.issuing, now
        )
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "not from the issuer" in raised.value.detail


def test_an_answer_with_a_critical_extension_not_understood_is_not_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    answer = (
        ocsp.OCSPResponseBuilder()
        .add_response(
            ec_signer.certificate,
            pki.issuing,
            hashes.SHA256(),
            ocsp.OCSPCertStatus.GOOD,
            now,
            None,
            None,
            None,
        )
        .responder_id(ocsp.OCSPResponderEncoding.HASH, pki.issuing)
        .add_extension(
            x509.UnrecognizedExtension(x509.ObjectIdentifier("1.3.6.1.4.1.99999.1"), b"\x05\x00"),
            critical=True,
        )
        .sign(pki.issuing_key, hashes.SHA256())
    )
    with pytest.raises(SigningError) as raised:
        OcspChecker(clock=MovableClock(now)).judge(answer, ec_signer.certificate, pki.issuing, now)
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "critical" in raised.value.detail


def _resigned(answer: ocsp.OCSPResponse, key: SigningKey, digest: hashes.HashAlgorithm) -> bytes:
    """The same answer signed again with ECDSA over `digest` (cryptography signs no SHA-1)."""
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    basic = asn1_ocsp.OCSPResponse.load(answer.public_bytes(Encoding.DER))["response_bytes"]
    data = basic["response"].parsed["tbs_response_data"]
    algorithm = {"sha1": "sha1_ecdsa", "sha256": "sha256_ecdsa"}[digest.name]
    resigned = asn1_ocsp.BasicOCSPResponse(
        {
            "tbs_response_data": data,
            "signature_algorithm": {"algorithm": algorithm},
            "signature": key.sign(data.dump(), ec.ECDSA(digest)),
        }
    )
    response = asn1_ocsp.OCSPResponse(
        {
            "response_status": "successful",
            "response_bytes": {"response_type": "basic_ocsp_response", "response": resigned},
        }
    )
    return bytes(response.dump())


def test_an_answer_signed_again_over_sha256_is_still_believed(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    # The control for the SHA-1 case below: re-signing itself spoils nothing.
    answer = _answer(ec_signer, pki, now, pki.issuing_key, pki.issuing)
    resigned = _resigned(answer, pki.issuing_key, hashes.SHA256())
    OcspChecker(clock=MovableClock(now)).judge(resigned, ec_signer.certificate, pki.issuing, now)


def test_an_answer_signed_over_sha1_is_reported_as_not_supported(
    pki: DevPki, now: datetime, ec_signer: SignerCredential
) -> None:
    answer = _answer(ec_signer, pki, now, pki.issuing_key, pki.issuing)
    resigned = _resigned(answer, pki.issuing_key, hashes.SHA1())  # noqa: S303 - under test
    with pytest.raises(SigningError) as raised:
        OcspChecker(clock=MovableClock(now)).judge(
            resigned, ec_signer.certificate, pki.issuing, now
        )
    assert raised.value.code is ErrorCode.REVOCATION_UNKNOWN
    assert "not supported" in raised.value.detail
