"""Trust anchors, certificate chain building, validity in time and key-usage checks."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography import exceptions as crypto_exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import ExtensionOID

from kepil.signing import gost
from kepil.signing.certificates import load_certificates, subject_public_key_info
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind

_MAX_CHAIN_LENGTH = 8
_MAX_SIGNATURE_CHECKS = 32
_WEAK_HASHES = (hashes.MD5, hashes.SHA1)
_PROCESSED_EXTENSIONS = {
    ExtensionOID.BASIC_CONSTRAINTS,
    ExtensionOID.KEY_USAGE,
    ExtensionOID.EXTENDED_KEY_USAGE,
    ExtensionOID.SUBJECT_KEY_IDENTIFIER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.SUBJECT_ALTERNATIVE_NAME,
    ExtensionOID.ISSUER_ALTERNATIVE_NAME,
    ExtensionOID.CRL_DISTRIBUTION_POINTS,
    ExtensionOID.FRESHEST_CRL,
    ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
    # No policy is required of signers (any-policy, RFC 5280 6.1.1 c-f), so a critical
    # certificatePolicies restricts nothing here. Name and policy constraints are not
    # processed, so a critical one makes the certificate unusable.
    ExtensionOID.CERTIFICATE_POLICIES,
}
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
    """The path leaf -> ... -> trust anchor, each link checked; else untrusted_chain.

    Only `intermediates` (the certificates the CMS carries) and the anchors are used. Every
    issuer must be a CA allowed to sign certificates, within its path length constraint, and
    its key must verify the signature below it. The leaf itself is never its own anchor, so
    that revocation is always checked against an issuer. The search is bounded: a crafted
    bag of look-alike CA certificates cannot make it run long.
    """
    unsupported = unsupported_critical_extensions(leaf)
    if unsupported:
        raise SigningError(
            ErrorCode.UNTRUSTED_CHAIN, f"unsupported critical extensions {sorted(unsupported)}"
        )
    candidates = [*intermediates, *store.anchors]
    chain = _PathSearch(candidates, store).extend([leaf])
    if chain is None:
        raise SigningError(
            ErrorCode.UNTRUSTED_CHAIN,
            f"no trusted path from {leaf.subject.rfc4514_string()!r} "
            f"(issuer {leaf.issuer.rfc4514_string()!r})",
        )
    return chain


class _PathSearch:
    def __init__(self, candidates: list[x509.Certificate], store: TrustStore) -> None:
        self._candidates = candidates
        self._store = store
        self._budget = _MAX_SIGNATURE_CHECKS

    def extend(self, path: list[x509.Certificate]) -> list[x509.Certificate] | None:
        current = path[-1]
        if len(path) > 1 and self._store.is_anchor(current):
            return path
        if len(path) >= _MAX_CHAIN_LENGTH:
            return None
        for issuer in self._candidates:
            if issuer.subject != current.issuer or any(issuer == seen for seen in path):
                continue
            if not is_ca(issuer) or not _path_length_allows(issuer, path):
                continue
            if unsupported_critical_extensions(issuer) or self._budget <= 0:
                continue
            self._budget -= 1
            if not is_issued_by(current, issuer):
                continue
            found = self.extend([*path, issuer])
            if found is not None:
                return found
        return None


def _path_length_allows(issuer: x509.Certificate, path: list[x509.Certificate]) -> bool:
    """RFC 5280 6.1.4 (l, m): CAs below `issuer`, self-issued ones aside, within its pathLen."""
    limit = issuer.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
    if limit is None:
        return True
    below = sum(1 for certificate in path[1:] if certificate.subject != certificate.issuer)
    return below <= limit


def unsupported_critical_extensions(certificate: x509.Certificate) -> set[str]:
    """Critical extensions this validator does not process (RFC 5280 4.2: then reject)."""
    return {
        extension.oid.dotted_string
        for extension in certificate.extensions
        if extension.critical and extension.oid not in _PROCESSED_EXTENSIONS
    }


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
    """Whether `issuer`'s key signed `certificate` (RSA, ECDSA, Ed25519 or GOST 2015).

    Signatures over MD5 or SHA-1 do not count, and neither does an algorithm or key that
    cannot be checked.
    """
    signature_oid = certificate.signature_algorithm_oid.dotted_string
    try:
        if gost.is_gost_oid(signature_oid):
            return gost.verify(
                subject_public_key_info(issuer),
                signature_oid,
                certificate.tbs_certificate_bytes,
                certificate.signature,
            )
        if isinstance(certificate.signature_hash_algorithm, _WEAK_HASHES):
            return False
        certificate.verify_directly_issued_by(issuer)
    except (
        SigningError,
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
