"""Make CMS SignedData (RFC 5652): attached or detached, one or several signers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from asn1crypto import algos, cms, core
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from kepil.signing import keys
from kepil.signing.keys import SigningKey

# UTCTime can only carry years up to 2049; later signing times need GeneralizedTime.
_UTC_TIME_LIMIT = datetime(2050, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class SignerCredential:
    """A private key, its certificate and the intermediates to ship alongside."""

    key: SigningKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = field(default=())


def sign_cms(
    data: bytes,
    signers: Sequence[SignerCredential],
    *,
    signing_time: datetime,
    detached: bool = False,
) -> bytes:
    """DER CMS SignedData over `data` with content-type, signing-time and message-digest."""
    if not signers:
        raise ValueError("at least one signer is needed")
    for credential in signers:
        _require_matching_key(credential)
    signer_infos = []
    digest_algorithms: list[algos.DigestAlgorithm] = []
    for credential in signers:
        digest_name, digest = _digest_for(credential.key)
        digest_algorithm = algos.DigestAlgorithm({"algorithm": digest_name})
        if all(d["algorithm"].native != digest_name for d in digest_algorithms):
            digest_algorithms.append(digest_algorithm)
        signed_attrs = _signed_attributes(data, digest, signing_time)
        signature = keys.sign(credential.key, signed_attrs.dump(), digest)
        signer_infos.append(
            cms.SignerInfo(
                {
                    "version": "v1",
                    "sid": _signer_identifier(credential.certificate),
                    "digest_algorithm": digest_algorithm,
                    "signed_attrs": signed_attrs,
                    "signature_algorithm": _signature_algorithm(credential.key),
                    "signature": signature,
                }
            )
        )
    encap: dict[str, object] = {"content_type": "data"}
    if not detached:
        encap["content"] = data
    signed_data = cms.SignedData(
        {
            "version": "v1",
            "digest_algorithms": digest_algorithms,
            "encap_content_info": encap,
            "certificates": _certificates(signers),
            "signer_infos": signer_infos,
        }
    )
    content_info = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return bytes(content_info.dump())


def _require_matching_key(credential: SignerCredential) -> None:
    # A signature by another key than the certificate's never verifies: refuse to write it.
    ours = credential.key.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    theirs = credential.certificate.public_key().public_bytes(
        Encoding.DER, PublicFormat.SubjectPublicKeyInfo
    )
    if ours != theirs:
        raise ValueError(
            "the private key does not match the certificate "
            f"(serial {credential.certificate.serial_number:x})"
        )


def _digest_for(key: SigningKey) -> tuple[str, hashes.HashAlgorithm]:
    # RFC 8419: Ed25519 signers announce SHA-512 for the message digest.
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return "sha512", hashes.SHA512()
    return "sha256", hashes.SHA256()


def _signature_algorithm(key: SigningKey) -> algos.SignedDigestAlgorithm:
    if isinstance(key, rsa.RSAPrivateKey):
        # RFC 4055: sha256WithRSAEncryption carries explicit NULL parameters.
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_rsa", "parameters": core.Null()})
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return algos.SignedDigestAlgorithm({"algorithm": "sha256_ecdsa"})
    return algos.SignedDigestAlgorithm({"algorithm": "ed25519"})


def _signed_attributes(
    data: bytes, digest: hashes.HashAlgorithm, signing_time: datetime
) -> cms.CMSAttributes:
    hasher = hashes.Hash(digest)
    hasher.update(data)
    at = signing_time.astimezone(UTC).replace(microsecond=0)
    time = cms.Time({"utc_time" if at < _UTC_TIME_LIMIT else "generalized_time": at})
    attributes = [
        cms.CMSAttribute({"type": "content_type", "values": ["data"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [time]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hasher.finalize()]}),
    ]
    # DER orders a SET OF by encoding; peers (OpenSSL) re-encode before verifying.
    attributes.sort(key=lambda attribute: bytes(attribute.dump()))
    return cms.CMSAttributes(attributes)


def _signer_identifier(certificate: x509.Certificate) -> cms.SignerIdentifier:
    parsed = _asn1_certificate(certificate)
    return cms.SignerIdentifier(
        {
            "issuer_and_serial_number": cms.IssuerAndSerialNumber(
                {"issuer": parsed.issuer, "serial_number": parsed.serial_number}
            )
        }
    )


def _certificates(signers: Sequence[SignerCredential]) -> cms.CertificateSet:
    seen: list[bytes] = []
    for credential in signers:
        for certificate in (credential.certificate, *credential.chain):
            der = certificate.public_bytes(Encoding.DER)
            if der not in seen:
                seen.append(der)
    return cms.CertificateSet(
        [cms.CertificateChoices({"certificate": asn1_x509.Certificate.load(d)}) for d in seen]
    )


def _asn1_certificate(certificate: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(certificate.public_bytes(Encoding.DER))
