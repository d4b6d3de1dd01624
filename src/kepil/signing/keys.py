"""Signature primitives over RSA, ECDSA and Ed25519 keys from `cryptography`."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import (
    CertificatePublicKeyTypes,
    PrivateKeyTypes,
)

from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import algorithm_name

SigningKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}


def hash_algorithm(name: str) -> hashes.HashAlgorithm:
    """The hash named as asn1crypto names it; SHA-1 and others are unsupported."""
    try:
        return _HASHES[name]()
    except KeyError:
        raise SigningError(
            ErrorCode.UNSUPPORTED_ALGORITHM, f"digest {algorithm_name(name)}"
        ) from None


def as_signing_key(key: PrivateKeyTypes) -> SigningKey:
    """Narrow a loaded private key to one this package signs with."""
    if isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey | ed25519.Ed25519PrivateKey):
        return key
    raise SigningError(ErrorCode.UNSUPPORTED_ALGORITHM, f"key type {type(key).__name__}")


def sign(key: SigningKey, data: bytes, digest: hashes.HashAlgorithm) -> bytes:
    """Sign `data`: RSA PKCS#1 v1.5 or ECDSA with `digest`, Ed25519 pure."""
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(data, padding.PKCS1v15(), digest)
    if isinstance(key, ec.EllipticCurvePrivateKey):
        return key.sign(data, ec.ECDSA(digest))
    return key.sign(data)


def verify(
    key: CertificatePublicKeyTypes, signature: bytes, data: bytes, digest: hashes.HashAlgorithm
) -> bool:
    """Whether `signature` over `data` verifies; unsupported key types raise."""
    try:
        if isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, data, padding.PKCS1v15(), digest)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, data, ec.ECDSA(digest))
        elif isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, data)
        else:
            raise SigningError(ErrorCode.UNSUPPORTED_ALGORITHM, f"key {type(key).__name__}")
    except InvalidSignature:
        return False
    return True


def key_family(key: CertificatePublicKeyTypes) -> str:
    """rsa, ecdsa, ed25519, or the key's class name for anything else."""
    if isinstance(key, rsa.RSAPublicKey):
        return "rsa"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return "ecdsa"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "ed25519"
    return type(key).__name__
