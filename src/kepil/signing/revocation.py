"""Revocation checks: CRL files and an OCSP client (RFC 6960 over HTTP POST)."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from kepil.signing import gost, keys
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.trust import is_ca, is_issued_by


class RevocationChecker(Protocol):
    """Raises certificate_revoked or revocation_unknown; returns when the certificate is good."""

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Check one certificate, whose issuer is known, as of `at`."""


class CrlChecker:
    """Revocation by CRLs the caller has fetched; each CRL must be signed by the issuer."""

    def __init__(
        self, crls: Sequence[x509.CertificateRevocationList], *, require_coverage: bool = False
    ) -> None:
        self._crls = tuple(crls)
        # Without coverage required, certificates of issuers that have no CRL here pass.
        self._require_coverage = require_coverage

    @classmethod
    def from_bytes(cls, blobs: Sequence[bytes], *, require_coverage: bool = False) -> CrlChecker:
        """Load CRLs in PEM or DER form."""
        crls = []
        for blob in blobs:
            try:
                if blob.lstrip().startswith(b"-----BEGIN"):
                    crls.append(x509.load_pem_x509_crl(blob))
                else:
                    crls.append(x509.load_der_x509_crl(blob))
            except ValueError as error:
                raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad CRL: {error}") from error
        return cls(crls, require_coverage=require_coverage)

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Look the certificate up in the issuer's CRL."""
        relevant = [
            crl
            for crl in self._crls
            if crl.issuer == certificate.issuer and _crl_signed_by(crl, issuer)
        ]
        if not relevant:
            if self._require_coverage:
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN,
                    f"no CRL from {certificate.issuer.rfc4514_string()!r}",
                )
            return
        for crl in relevant:
            if crl.next_update_utc is not None and crl.next_update_utc < at:
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN,
                    f"CRL expired {crl.next_update_utc.isoformat()}",
                )
            entry = crl.get_revoked_certificate_by_serial_number(certificate.serial_number)
            if entry is not None and entry.revocation_date_utc <= at:
                raise SigningError(
                    ErrorCode.CERTIFICATE_REVOKED,
                    f"serial {certificate.serial_number:x} revoked "
                    f"{entry.revocation_date_utc.isoformat()}",
                )


class OcspChecker:
    """An OCSP client for end-entity certificates, over HTTP POST (RFC 6960).

    It asks the responder the certificate names, else `url`. CA certificates are left to
    CRLs, as responders usually answer only for the certificates their CA issued to holders.
    """

    def __init__(self, url: str | None = None, *, timeout: float = 5.0) -> None:
        self._url = url
        self._timeout = timeout

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Ask the responder and check the signed answer against the issuer."""
        if is_ca(certificate):
            return
        url = responder_url(certificate) or self._url
        if url is None:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "no OCSP responder URL")
        request = (
            ocsp.OCSPRequestBuilder()
            .add_certificate(certificate, issuer, hashes.SHA1())  # noqa: S303 - RFC 6960 CertID
            .build()
        )
        body = self._post(url, request.public_bytes(Encoding.DER))
        try:
            response = ocsp.load_der_ocsp_response(body)
        except ValueError as error:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"bad OCSP answer: {error}") from error
        _check_response(response, certificate, issuer, at)

    def _post(self, url: str, body: bytes) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP URL scheme: {url}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=body, headers={"Content-Type": "application/ocsp-request"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310
                return bytes(answer.read())
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP {url}: {error}") from error


def _crl_signed_by(crl: x509.CertificateRevocationList, issuer: x509.Certificate) -> bool:
    algorithm = crl.signature_algorithm_oid.dotted_string
    if gost.is_gost_oid(algorithm):
        spki = subject_public_key_info(issuer)
        return gost.verify(spki, algorithm, crl.tbs_certlist_bytes, crl.signature)
    try:
        key = issuer.public_key()
    except (ValueError, UnsupportedAlgorithm):
        return False
    if not isinstance(key, rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey):
        return False
    return crl.is_signature_valid(key)


def responder_url(certificate: x509.Certificate) -> str | None:
    """The OCSP URL from the certificate's authority information access, if any."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except x509.ExtensionNotFound:
        return None
    for description in access.value:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return str(description.access_location.value)
    return None


def _check_response(
    response: ocsp.OCSPResponse,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    at: datetime,
) -> None:
    if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
        raise SigningError(
            ErrorCode.REVOCATION_UNKNOWN, f"OCSP status {response.response_status.name}"
        )
    signer = _response_signer(response, issuer)
    digest = response.signature_hash_algorithm or hashes.SHA256()
    if not keys.verify(
        signer.public_key(), response.signature, response.tbs_response_bytes, digest
    ):
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer signature is invalid")
    for single in response.responses:
        if single.serial_number != certificate.serial_number:
            continue
        if single.this_update_utc > at or (
            single.next_update_utc is not None and single.next_update_utc < at
        ):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not current")
        if single.certificate_status == ocsp.OCSPCertStatus.GOOD:
            return
        revoked_at = single.revocation_time_utc
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED and (
            revoked_at is None or revoked_at <= at
        ):
            raise SigningError(
                ErrorCode.CERTIFICATE_REVOKED,
                f"serial {certificate.serial_number:x} revoked per OCSP",
            )
        if single.certificate_status == ocsp.OCSPCertStatus.REVOKED:
            return
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP responder does not know it")
    raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is about another certificate")


def _response_signer(response: ocsp.OCSPResponse, issuer: x509.Certificate) -> x509.Certificate:
    if response.responder_name == issuer.subject or (
        response.responder_key_hash is not None
        and response.responder_key_hash
        == x509.SubjectKeyIdentifier.from_public_key(issuer.public_key()).digest
    ):
        return issuer
    for delegate in response.certificates:
        if is_issued_by(delegate, issuer) and _may_sign_ocsp(delegate):
            return delegate
    raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not from the issuer")


def _may_sign_ocsp(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usage
