"""Revocation checks: CRL files here, and the OCSP client (RFC 6960) re-exported."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.x509.oid import CRLEntryExtensionOID, ExtensionOID

from kepil.signing import gost
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.crl_load import load_crl
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation_check import RevocationChecker
from kepil.signing.revocation_ocsp import OcspChecker, responder_url
from kepil.signing.trust import is_ca

__all__ = ["CrlChecker", "OcspChecker", "RevocationChecker", "responder_url"]

# CRL extensions understood here; a CRL with any other critical one is not used (RFC 5280 5.2).
_KNOWN_CRL_EXTENSIONS = {
    ExtensionOID.CRL_NUMBER,
    ExtensionOID.AUTHORITY_KEY_IDENTIFIER,
    ExtensionOID.ISSUER_ALTERNATIVE_NAME,
    ExtensionOID.ISSUING_DISTRIBUTION_POINT,
    ExtensionOID.FRESHEST_CRL,
    ExtensionOID.AUTHORITY_INFORMATION_ACCESS,
}
_KNOWN_ENTRY_EXTENSIONS = {
    CRLEntryExtensionOID.CRL_REASON,
    CRLEntryExtensionOID.INVALIDITY_DATE,
}


class CrlChecker:
    """Revocation by complete CRLs the caller has fetched, each signed by the issuer's key."""

    def __init__(
        self, crls: Sequence[x509.CertificateRevocationList], *, require_coverage: bool = False
    ) -> None:
        self._crls = tuple(crls)
        # Without coverage required, certificates of issuers that have no CRL here pass.
        self._require_coverage = require_coverage

    @classmethod
    def from_bytes(cls, blobs: Sequence[bytes], *, require_coverage: bool = False) -> CrlChecker:
        """Load CRLs in PEM or DER form, complete or delta (see crl_load on algorithms)."""
        return cls([load_crl(blob) for blob in blobs], require_coverage=require_coverage)

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Look the certificate up in the issuer's CRLs; a stale CRL leaves it unknown."""
        relevant = [
            crl
            for crl in self._crls
            if crl.issuer == certificate.issuer
            and _covers(crl, certificate)
            and _crl_signed_by(crl, issuer)
        ]
        if not relevant:
            if self._require_coverage:
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN,
                    f"no CRL from {certificate.issuer.rfc4514_string()!r}",
                )
            return
        # A revocation is final, so it counts even from a CRL that is no longer current.
        for crl in relevant:
            entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if entry is None:
                continue
            if any(e.critical and e.oid not in _KNOWN_ENTRY_EXTENSIONS for e in entry.extensions):
                raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "CRL entry not understood")
            if entry.revocation_date_utc <= at:
                raise SigningError(
                    ErrorCode.CERTIFICATE_REVOKED,
                    f"serial {certificate.serial_number:x} revoked "
                    f"{entry.revocation_date_utc.isoformat()}",
                )
        if not any(
            crl.next_update_utc is not None and crl.next_update_utc >= at for crl in relevant
        ):
            latest = max(relevant, key=lambda crl: crl.last_update_utc)
            when = latest.next_update_utc.isoformat() if latest.next_update_utc else "never"
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"no current CRL (next update {when})")


def _covers(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> bool:
    """Whether `crl` is a complete CRL whose scope takes in `certificate` (RFC 5280 6.3.3)."""
    try:
        extensions = crl.extensions
    except (ValueError, x509.DuplicateExtension):
        return False
    # Delta CRLs carry a critical indicator, unknown here, so they are never taken as complete.
    if any(e.critical and e.oid not in _KNOWN_CRL_EXTENSIONS for e in extensions) or any(
        e.oid == ExtensionOID.DELTA_CRL_INDICATOR for e in extensions
    ):
        return False
    try:
        point = extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return True
    return _point_covers(point, certificate)


def _point_covers(point: x509.IssuingDistributionPoint, certificate: x509.Certificate) -> bool:
    if point.only_some_reasons or point.indirect_crl or point.only_contains_attribute_certs:
        return False  # partial or indirect CRLs are not processed
    certificate_is_ca = is_ca(certificate)
    if (point.only_contains_user_certs and certificate_is_ca) or (
        point.only_contains_ca_certs and not certificate_is_ca
    ):
        return False
    if point.full_name is None:
        return point.relative_name is None
    return any(name in _distribution_names(certificate) for name in point.full_name)


def _distribution_names(certificate: x509.Certificate) -> list[x509.GeneralName]:
    try:
        points = certificate.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    except x509.ExtensionNotFound:
        return []
    return [name for point in points for name in point.full_name or []]


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    try:
        usage = issuer.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.crl_sign:
            return False
    except x509.ExtensionNotFound:
        pass
    algorithm = crl.signature_algorithm_oid.dotted_string
    try:
        if gost.is_gost_oid(algorithm):
            spki = subject_public_key_info(issuer)
            return gost.verify(spki, algorithm, crl.tbs_certlist_bytes, crl.signature)
        if isinstance(crl.signature_hash_algorithm, hashes.MD5 | hashes.SHA1):
            return False
        key = issuer.public_key()
    except (SigningError, ValueError, UnsupportedAlgorithm):
        return False
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        return False
    return crl.is_signature_valid(key)
