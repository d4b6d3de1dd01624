"""Trust anchors, certificate chain building, validity in time and key-usage checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import exceptions as crypto_exceptions
from cryptography import x509

from kepil.signing import gost
from kepil.signing.certificates import load_certificates, subject_public_key_info
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind

_MAX_CHAIN_LENGTH = 8
_CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


@dataclass(frozen=True)
class TrustStore:
    """The CA certificates a deployment trusts; nothing is trusted unless configured here."""

    anchors: tuple[x509.Certificate, ...] = field(default=())

    @classmethod
    def from_certificates(cls, certificates: Iterable[x509.Certificate]) -> TrustStore:
        """A store trusting exactly these certificates."""
        return cls(tuple(certificates))

    @classmethod
    def from_directory(cls, directory: Path) -> TrustStore:
        """A store of every certificate file (.pem, .crt, .cer, .der) in a directory."""
        found: list[x509.Certificate] = []
        for path in sorted(directory.iterdir()):
            if path.suffix.lower() in _CERTIFICATE_SUFFIXES and path.is_file():
                found.extend(load_certificates(path.read_bytes()))
        return cls(tuple(found))

    def is_anchor(self, certificate: x509.Certificate) -> bool:
        """Whether this exact certificate is trusted directly."""
        return any(certificate == anchor for anchor in self.anchors)


def build_chain(
    leaf: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    store: TrustStore,
) -> list[x509.Certificate]:
    """The path leaf -> ... -> trust anchor, each link's signature checked; else untrusted_chain."""
    candidates = [*intermediates, *store.anchors]
    chain = _extend([leaf], candidates, store)
    if chain is None:
        raise SigningError(
            ErrorCode.UNTRUSTED_CHAIN,
            f"no trusted path from {leaf.subject.rfc4514_string()!r} "
            f"(issuer {leaf.issuer.rfc4514_string()!r})",
        )
    return chain


def _extend(
    path: list[x509.Certificate], candidates: list[x509.Certificate], store: TrustStore
) -> list[x509.Certificate] | None:
    current = path[-1]
    if store.is_anchor(current):
        return path
    if len(path) >= _MAX_CHAIN_LENGTH:
        return None
    for issuer in candidates:
        if issuer.subject != current.issuer or any(issuer == seen for seen in path):
            continue
        if not is_ca(issuer) or not is_issued_by(current, issuer):
            continue
        found = _extend([*path, issuer], candidates, store)
        if found is not None:
            return found
    return None


def is_ca(certificate: x509.Certificate) -> bool:
    """Whether the certificate may issue others (basicConstraints CA, keyCertSign if stated)."""
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return constraints.ca
    return constraints.ca and usage.key_cert_sign


def is_issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer`'s key signed `certificate` (RSA, ECDSA, Ed25519 or GOST 2015)."""
    signature_oid = certificate.signature_algorithm_oid.dotted_string
    if gost.is_gost_oid(signature_oid):
        return gost.verify(
            subject_public_key_info(issuer),
            signature_oid,
            certificate.tbs_certificate_bytes,
            certificate.signature,
        )
    try:
        certificate.verify_directly_issued_by(issuer)
    except (
        ValueError,
        TypeError,
        crypto_exceptions.InvalidSignature,
        crypto_exceptions.UnsupportedAlgorithm,
    ):
        return False
    return True


def check_validity(chain: Sequence[x509.Certificate], at: datetime) -> None:
    """Every certificate of the chain must be within its validity period at `at`."""
    for certificate in chain:
        name = certificate.subject.rfc4514_string()
        if at < certificate.not_valid_before_utc:
            raise SigningError(
                ErrorCode.CERTIFICATE_NOT_YET_VALID,
                f"{name!r} is valid from {certificate.not_valid_before_utc.isoformat()}",
            )
        if at > certificate.not_valid_after_utc:
            raise SigningError(
                ErrorCode.CERTIFICATE_EXPIRED,
                f"{name!r} expired {certificate.not_valid_after_utc.isoformat()}",
            )


def check_key_usage(kind: KeyKind | None, purpose: KeyKind) -> None:
    """Signing needs a signing key and sign-in an authentication key."""
    if kind != purpose:
        found = kind.value if kind else "neither signing nor authentication"
        raise SigningError(
            ErrorCode.WRONG_KEY_USAGE, f"{purpose.value} needs a {purpose.value} key, got {found}"
        )
