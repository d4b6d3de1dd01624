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
    ExtensionOID.DELTA_CRL_INDICATOR,  # applied to its base, never taken alone
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
    """Revocation by complete CRLs the caller has fetched, each signed by the issuer's key.

    Delta CRLs (RFC 5280 5.2.4) are applied to a complete CRL of the same issuer and scope
    whose CRLNumber is at least the delta's BaseCRLNumber; a delta without such a base is
    not used, as on its own it says nothing of what was revoked before it.
    """

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
        """Look the certificate up in the issuer's CRLs, deltas applied; stale leaves it unknown."""
        usable = [
            crl
            for crl in self._crls
            if crl.issuer == certificate.issuer
            and _covers(crl, certificate)
            and _crl_signed_by(crl, issuer)
        ]
        complete = [crl for crl in usable if _delta_base(crl) is None]
        deltas = [crl for crl in usable if _delta_base(crl) is not None]
        sets = [_CrlSet(crl, _deltas_for(crl, deltas)) for crl in complete]
        if not sets:
            if self._require_coverage:
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN,
                    f"no CRL from {certificate.issuer.rfc4514_string()!r}",
                )
            return
        # A revocation is final, so it counts even from a set that is no longer current.
        for crl_set in sets:
            entry = crl_set.entry(certificate.serial_number)
            if entry is not None and entry.revocation_date_utc <= at:
                raise SigningError(
                    ErrorCode.CERTIFICATE_REVOKED,
                    f"serial {certificate.serial_number:x} revoked "
                    f"{entry.revocation_date_utc.isoformat()}",
                )
        if not any(s.next_update is not None and s.next_update >= at for s in sets):
            latest = max(sets, key=lambda s: s.last_update)
            when = latest.next_update.isoformat() if latest.next_update else "never"
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"no current CRL (next update {when})")


class _CrlSet:
    """A complete CRL and the deltas that apply to it, oldest first (RFC 5280 6.3.3)."""

    def __init__(
        self,
        complete: x509.CertificateRevocationList,
        deltas: Sequence[x509.CertificateRevocationList],
    ) -> None:
        self._complete = complete
        self._deltas = tuple(deltas)
        newest = self._deltas[-1] if self._deltas else complete
        # The newest delta says until when the set is current; the base's own date is older.
        self.next_update = newest.next_update_utc
        self.last_update = newest.last_update_utc

    def entry(self, serial: int) -> x509.RevokedCertificate | None:
        """The entry that stands for `serial` once every delta is applied, if any."""
        found = _entry(self._complete, serial)
        for delta in self._deltas:
            update = _entry(delta, serial)
            if update is None:
                continue
            if _reason(update) is x509.ReasonFlags.remove_from_crl:
                # Only a hold can be lifted (RFC 5280 5.3.1); any other revocation is final.
                if found is not None and _reason(found) is x509.ReasonFlags.certificate_hold:
                    found = None
                continue
            found = update
        return found


def _entry(crl: x509.CertificateRevocationList, serial: int) -> x509.RevokedCertificate | None:
    entry = crl.get_revoked_certificate_by_serial_number(serial)
    if entry is not None and any(
        e.critical and e.oid not in _KNOWN_ENTRY_EXTENSIONS for e in entry.extensions
    ):
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "CRL entry not understood")
    return entry


def _reason(entry: x509.RevokedCertificate) -> x509.ReasonFlags | None:
    try:
        return entry.extensions.get_extension_for_class(x509.CRLReason).value.reason
    except (x509.ExtensionNotFound, ValueError, x509.DuplicateExtension):
        return None


def _deltas_for(
    complete: x509.CertificateRevocationList, deltas: Sequence[x509.CertificateRevocationList]
) -> list[x509.CertificateRevocationList]:
    """The deltas that update `complete`, oldest first: same scope, a base no newer than it.

    RFC 5280 5.2.4 also wants the delta's CRLNumber above the complete CRL's, the two sharing
    one sequence; the NCA numbers its deltas apart (the 2025 delta 10 rests on complete 14),
    so a delta issued before the complete CRL is what is refused instead.
    """
    number = _crl_number(complete)
    if number is None:
        return []
    applicable = []
    for delta in deltas:
        base = _delta_base(delta)
        if (
            base is not None
            and base <= number
            and delta.last_update_utc >= complete.last_update_utc
            and _scope(delta) == _scope(complete)
        ):
            applicable.append(delta)
    return sorted(applicable, key=lambda delta: (delta.last_update_utc, _crl_number(delta) or 0))


def _crl_number(crl: x509.CertificateRevocationList) -> int | None:
    try:
        return crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number
    except (x509.ExtensionNotFound, ValueError, x509.DuplicateExtension):
        return None


def _delta_base(crl: x509.CertificateRevocationList) -> int | None:
    """The BaseCRLNumber of a delta CRL; None for a complete CRL."""
    try:
        return crl.extensions.get_extension_for_class(x509.DeltaCRLIndicator).value.crl_number
    except (x509.ExtensionNotFound, ValueError, x509.DuplicateExtension):
        return None


def _scope(crl: x509.CertificateRevocationList) -> x509.IssuingDistributionPoint | None:
    try:
        return crl.extensions.get_extension_for_class(x509.IssuingDistributionPoint).value
    except x509.ExtensionNotFound:
        return None


def _covers(crl: x509.CertificateRevocationList, certificate: x509.Certificate) -> bool:
    """Whether `crl`, complete or delta, is understood and its scope takes in `certificate`."""
    try:
        extensions = crl.extensions
    except (ValueError, x509.DuplicateExtension):
        return False
    if any(e.critical and e.oid not in _KNOWN_CRL_EXTENSIONS for e in extensions):
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
