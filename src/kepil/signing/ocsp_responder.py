"""Who signed an OCSP answer, whether the CA stands behind them, and whether the signature holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import gost, keys
from kepil.signing import nca_profile as nca
from kepil.signing.certificates import names_of, subject_public_key_info
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.ocsp_response import OcspAnswer, name_key, raw_extensions
from kepil.signing.trust import is_issued_by

OCSP_NO_CHECK_OID = "1.3.6.1.5.5.7.48.1.5"
_OCSP_SIGNING = "1.3.6.1.5.5.7.3.9"
_KEY_USAGE = "2.5.29.15"
_EXTENDED_KEY_USAGE = "2.5.29.37"
# What a responder certificate may mark critical and still be used (RFC 5280 4.2).
_UNDERSTOOD = {
    _KEY_USAGE,
    _EXTENDED_KEY_USAGE,
    OCSP_NO_CHECK_OID,
    "2.5.29.19",  # basicConstraints
    "2.5.29.14",  # subjectKeyIdentifier
    "2.5.29.35",  # authorityKeyIdentifier
    "2.5.29.31",  # cRLDistributionPoints
    "2.5.29.46",  # freshestCRL
    "1.3.6.1.5.5.7.1.1",  # authorityInfoAccess
    "2.5.29.32",  # certificatePolicies: no policy is required here, so none restricts
}
# Signature algorithms of `cryptography` keys, by OID: the key family and the hash.
_SIGNATURES: dict[str, tuple[str, hashes.HashAlgorithm]] = {
    "1.2.840.113549.1.1.11": ("rsa", hashes.SHA256()),  # PKCS#1 v1.5
    "1.2.840.113549.1.1.12": ("rsa", hashes.SHA384()),
    "1.2.840.113549.1.1.13": ("rsa", hashes.SHA512()),
    "1.2.840.10045.4.3.2": ("ecdsa", hashes.SHA256()),
    "1.2.840.10045.4.3.3": ("ecdsa", hashes.SHA384()),
    "1.2.840.10045.4.3.4": ("ecdsa", hashes.SHA512()),
    "1.3.101.112": ("ed25519", hashes.SHA512()),  # the hash is Ed25519's own, not passed on
}


@dataclass(frozen=True)
class Responder:
    """The certificate whose key signed the answer; delegated unless it is the CA itself."""

    certificate: x509.Certificate
    delegated: bool
    # ocsp-nocheck (RFC 6960 4.2.2.2.1): its own revocation is not to be asked about.
    no_check: bool


def find_responder(answer: OcspAnswer, issuer: x509.Certificate, at: datetime) -> Responder:
    """The CA itself, or a responder it delegated to that the answer names (RFC 6960 4.2.2.2)."""
    if names_responder(answer, issuer):
        return Responder(issuer, delegated=False, no_check=True)
    for delegate in answer.certificates:
        if not names_responder(answer, delegate):
            continue
        read = _read_extensions(delegate)
        extensions = {oid: value for oid, _, value in read}
        if (
            names_of(delegate)[1] == names_of(issuer)[0]
            and _may_sign_ocsp(extensions)
            and not {oid for oid, critical, _ in read if critical} - _UNDERSTOOD
            and delegate.not_valid_before_utc <= at <= delegate.not_valid_after_utc
            and is_issued_by(delegate, issuer)
        ):
            return Responder(delegate, delegated=True, no_check=OCSP_NO_CHECK_OID in extensions)
    raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not from the issuer")


def names_responder(answer: OcspAnswer, certificate: x509.Certificate) -> bool:
    """Whether the answer's responder ID (by name or by key hash) is this certificate."""
    if answer.responder_name is not None:
        return answer.responder_name == name_key(certificate)
    key_hash = hash_bytes(hashes.SHA1(), key_bits(certificate))  # noqa: S303 - RFC 6960 KeyHash
    return answer.responder_key_hash == key_hash


def check_algorithm(answer: OcspAnswer) -> None:
    """Raise revocation_unknown, naming it, for a signature algorithm that cannot be checked.

    GOST 34.310-2004, RSA-PSS, anything over SHA-1, ...: such an answer is neither good nor
    bad, and saying why beats "not from the issuer" or "signature invalid".
    """
    oid = answer.signature_algorithm
    try:
        if gost.is_gost_oid(oid):
            gost.variant_for_signature(oid)
            return
    except SigningError as error:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP answer: {error.detail}") from error
    if oid not in _SIGNATURES:
        raise SigningError(
            ErrorCode.REVOCATION_UNKNOWN,
            f"OCSP answer signed with {nca.algorithm_name(oid)} ({oid}), which is not supported",
        )


def signature_is_valid(answer: OcspAnswer, signer: x509.Certificate) -> bool:
    """Whether `signer`'s key made the answer's signature (GOST 2015, RSA, ECDSA or Ed25519)."""
    check_algorithm(answer)
    oid = answer.signature_algorithm
    if gost.is_gost_oid(oid):
        try:
            return gost.verify(
                subject_public_key_info(signer), oid, answer.tbs_response_data, answer.signature
            )
        except SigningError:
            return False  # e.g. a 256-bit key for a 512-bit signature
    family, digest = _SIGNATURES[oid]
    try:
        key = signer.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return False
    if keys.key_family(key) != family:
        return False
    return keys.verify(key, answer.signature, answer.tbs_response_data, digest)


def key_bits(certificate: x509.Certificate) -> bytes:
    """The subjectPublicKey bytes, which OCSP hashes to name a key (any algorithm, GOST too)."""
    return gost.public_key_bits(subject_public_key_info(certificate))


def hash_bytes(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    """One digest of `data`."""
    hasher = hashes.Hash(algorithm)
    hasher.update(data)
    return hasher.finalize()


def _read_extensions(certificate: x509.Certificate) -> list[tuple[str, bool, bytes]]:
    """(OID, critical, value) of each extension, read one by one.

    `cryptography` (and asn1crypto's own Extension) refuse the whole set when one value is
    malformed, and the NCA's older RSA responders encode ocsp-nocheck as an empty OCTET STRING.
    Its presence is what counts, so its value is never decoded."""
    parsed = asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
    return raw_extensions(parsed["tbs_certificate"]["extensions"])


def _may_sign_ocsp(extensions: dict[str, bytes]) -> bool:
    """EKU id-kp-OCSPSigning, and digitalSignature if a key usage is given."""
    try:
        if _KEY_USAGE in extensions:
            usage = set(asn1_x509.KeyUsage.load(extensions[_KEY_USAGE], strict=True).native)
            if "digital_signature" not in usage:
                return False
        if _EXTENDED_KEY_USAGE not in extensions:
            return False
        purposes = asn1_x509.ExtKeyUsageSyntax.load(extensions[_EXTENDED_KEY_USAGE], strict=True)
        return any(purpose.dotted == _OCSP_SIGNING for purpose in purposes)
    except (ValueError, TypeError):
        return False
