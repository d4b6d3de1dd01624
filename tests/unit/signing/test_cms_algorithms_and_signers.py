"""Digest and signature algorithms must agree and be strong; the signer is the key that signed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from kepil.signing import dev_ca
from kepil.signing.cms_sign import SignerCredential
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.dev_ca import KeyAlgorithm
from kepil.signing.dev_pki import DevPki
from kepil.signing.errors import ErrorCode


def _verify(pki: DevPki, now: datetime, cms_bytes: bytes) -> VerificationResult:
    return verify_cms(cms_bytes, trust_store=pki.trust_store(), at=now)


def _codes(result: VerificationResult) -> set[ErrorCode]:
    assert not result.valid
    return {issue.code for issue in result.errors}


@pytest.mark.parametrize(
    ("digest_name", "digest"),
    [("sha1", hashes.SHA1()), ("md5", hashes.MD5())],  # noqa: S303 - the point of the test
)
def test_a_weak_message_digest_is_an_unsupported_algorithm(
    pki: DevPki,
    now: datetime,
    parts: Any,
    attributes_for: Any,
    digest_name: str,
    digest: hashes.HashAlgorithm,
) -> None:
    parts.attributes = attributes_for(parts.data, now, digest)
    parts.digest_algorithm = digest_name
    parts.signature_algorithm = "ecdsa"  # the hash then comes from the digest algorithm
    parts.sign_hash = digest
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.UNSUPPORTED_ALGORITHM}


def test_a_sha1_signature_algorithm_is_an_unsupported_algorithm(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.signature_algorithm = "sha1_ecdsa"
    parts.sign_hash = hashes.SHA1()  # noqa: S303 - the point of the test
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.UNSUPPORTED_ALGORITHM}


def test_a_digest_algorithm_other_than_the_signature_hash_is_refused(
    pki: DevPki, now: datetime, parts: Any, attributes_for: Any
) -> None:
    # message-digest by SHA-512, while the signature algorithm says ECDSA with SHA-256
    parts.attributes = attributes_for(parts.data, now, hashes.SHA512())
    parts.digest_algorithm = "sha512"
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.UNSUPPORTED_ALGORITHM}


def test_a_signature_algorithm_for_another_key_type_is_refused(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.signature_algorithm = "sha256_rsa"
    assert _codes(_verify(pki, now, parts.build())) == {ErrorCode.UNSUPPORTED_ALGORITHM}


def test_a_signer_named_by_subject_key_identifier_verifies(
    pki: DevPki, now: datetime, parts: Any
) -> None:
    parts.by_key_identifier = True
    result = _verify(pki, now, parts.build())
    assert result.valid, result.errors
    assert result.sole_signer().certificate == parts.credential.certificate


def test_a_look_alike_certificate_with_the_same_issuer_and_serial_does_not_hide_the_signer(
    pki: DevPki, now: datetime, parts: Any, ec_signer: SignerCredential
) -> None:
    impostor = _look_alike(ec_signer, now)
    parts.certificates = [impostor, ec_signer.certificate, *ec_signer.chain]
    result = _verify(pki, now, parts.build())
    assert result.valid, result.errors
    assert result.sole_signer().certificate == ec_signer.certificate


def test_a_look_alike_key_that_signed_does_not_borrow_the_genuine_certificate(
    pki: DevPki, now: datetime, parts: Any, ec_signer: SignerCredential
) -> None:
    attacker_key = dev_ca.generate_key(KeyAlgorithm.EC)
    impostor = _look_alike(ec_signer, now, attacker_key)
    parts.credential = SignerCredential(attacker_key, impostor, ec_signer.chain)
    parts.certificates = [ec_signer.certificate, impostor, *ec_signer.chain]
    result = _verify(pki, now, parts.build())
    assert _codes(result) == {ErrorCode.UNTRUSTED_CHAIN}
    assert result.signers[0].signer is not None
    assert result.signers[0].signer.certificate == impostor


def _look_alike(genuine: SignerCredential, now: datetime, key: Any = None) -> x509.Certificate:
    """Same subject, issuer name and serial as `genuine`, but self-made with another key."""
    key = key or dev_ca.generate_key(KeyAlgorithm.EC)
    certificate = genuine.certificate
    builder = (
        x509.CertificateBuilder()
        .subject_name(certificate.subject)
        .issuer_name(certificate.issuer)
        .public_key(key.public_key())
        .serial_number(certificate.serial_number)
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
    )
    for extension in certificate.extensions:
        if not isinstance(extension.value, x509.SubjectKeyIdentifier | x509.AuthorityKeyIdentifier):
            builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(key, hashes.SHA256())
