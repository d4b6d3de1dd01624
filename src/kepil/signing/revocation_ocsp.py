"""An OCSP client (RFC 6960 over HTTP POST) that believes only answers it can tie to the CA."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID, ExtendedKeyUsageOID

from kepil.signing import gost, keys
from kepil.signing.certificates import subject_public_key_info
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.trust import is_ca, is_issued_by

MAX_RESPONSE_BYTES = 1024 * 1024
DEFAULT_MAX_AGE = timedelta(hours=24)  # for answers that give no nextUpdate
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


class OcspChecker:
    """An OCSP client for end-entity certificates, over HTTP POST (RFC 6960).

    It asks the responder the certificate names, else `url`. CA certificates are left to
    CRLs, as responders usually answer only for the certificates their CA issued to holders.
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        timeout: float = 5.0,
        max_age: timedelta = DEFAULT_MAX_AGE,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
    ) -> None:
        self._url = url
        self._timeout = timeout
        self._max_age = max_age
        self._clock_skew = clock_skew

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
        self.judge(response, certificate, issuer, at)

    def judge(
        self,
        response: ocsp.OCSPResponse,
        certificate: x509.Certificate,
        issuer: x509.Certificate,
        at: datetime,
    ) -> None:
        """Accept a good answer, raise on a revoked, unknown, stale or untrustworthy one."""
        if response.response_status != ocsp.OCSPResponseStatus.SUCCESSFUL:
            raise SigningError(
                ErrorCode.REVOCATION_UNKNOWN, f"OCSP status {response.response_status.name}"
            )
        signer = _response_signer(response, issuer, at)
        digest = response.signature_hash_algorithm or hashes.SHA256()
        if not keys.verify(
            signer.public_key(), response.signature, response.tbs_response_bytes, digest
        ):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer signature is invalid")
        for single in response.responses:
            if _is_about(single, certificate, issuer):
                self._judge_single(single, certificate, at)
                return
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is about another certificate")

    def _judge_single(
        self, single: ocsp.OCSPSingleResponse, certificate: x509.Certificate, at: datetime
    ) -> None:
        this_update, next_update = single.this_update_utc, single.next_update_utc
        stale = (next_update is not None and next_update < at) or (
            next_update is None and at - this_update > self._max_age
        )
        if this_update > at + self._clock_skew or stale:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not current")
        status = single.certificate_status
        if status == ocsp.OCSPCertStatus.GOOD:
            return
        if status == ocsp.OCSPCertStatus.REVOKED:
            revoked_at = single.revocation_time_utc
            if revoked_at is None or revoked_at <= at:
                raise SigningError(
                    ErrorCode.CERTIFICATE_REVOKED,
                    f"serial {certificate.serial_number:x} revoked per OCSP",
                )
            return
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP responder does not know it")

    def _post(self, url: str, body: bytes) -> bytes:
        if not url.startswith(("http://", "https://")):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP URL scheme: {url}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            url, data=body, headers={"Content-Type": "application/ocsp-request"}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as answer:  # noqa: S310
                data = bytes(answer.read(MAX_RESPONSE_BYTES + 1))
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP {url}: {error}") from error
        if len(data) > MAX_RESPONSE_BYTES:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP {url}: answer too large")
        return data


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


def _is_about(
    single: ocsp.OCSPSingleResponse, certificate: x509.Certificate, issuer: x509.Certificate
) -> bool:
    """The whole CertID matches: serial, issuer name hash and issuer key hash."""
    if single.serial_number != certificate.serial_number:
        return False
    algorithm = single.hash_algorithm
    if isinstance(algorithm, hashes.MD5):
        return False
    name_hash = _hash(algorithm, certificate.issuer.public_bytes())
    key_hash = _hash(algorithm, _key_bits(issuer))
    return single.issuer_name_hash == name_hash and single.issuer_key_hash == key_hash


def _response_signer(
    response: ocsp.OCSPResponse, issuer: x509.Certificate, at: datetime
) -> x509.Certificate:
    """The CA itself, or a responder it delegated to that the answer names (RFC 6960 4.2.2.2)."""
    if _names_responder(response, issuer):
        return issuer
    for delegate in response.certificates:
        if (
            _names_responder(response, delegate)
            and delegate.issuer == issuer.subject
            and is_issued_by(delegate, issuer)
            and _may_sign_ocsp(delegate)
            and delegate.not_valid_before_utc <= at <= delegate.not_valid_after_utc
        ):
            return delegate
    raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not from the issuer")


def _names_responder(response: ocsp.OCSPResponse, certificate: x509.Certificate) -> bool:
    if response.responder_name is not None:
        return bool(response.responder_name == certificate.subject)
    key_hash = response.responder_key_hash
    return key_hash is not None and key_hash == _hash(hashes.SHA1(), _key_bits(certificate))  # noqa: S303


def _may_sign_ocsp(certificate: x509.Certificate) -> bool:
    try:
        usage = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return False
    try:
        key_usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        key_usage = None
    if key_usage is not None and not key_usage.digital_signature:
        return False
    return ExtendedKeyUsageOID.OCSP_SIGNING in usage


def _key_bits(certificate: x509.Certificate) -> bytes:
    return gost.public_key_bits(subject_public_key_info(certificate))


def _hash(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    hasher = hashes.Hash(algorithm)
    hasher.update(data)
    return hasher.finalize()
