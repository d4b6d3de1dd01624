"""An OCSP client (RFC 6960 over HTTP POST) that believes only answers it can tie to the CA.

Freshness: each request carries a random nonce (RFC 8954) and the answer must echo it exactly
(the NCA's responders do). An answer that echoes none is refused unless the checker was built
with `nonceless_max_age` for a responder that pre-signs its answers; then it is believed only
if its thisUpdate is that recent, whatever its nextUpdate says, so an old answer cannot be
replayed for as long as its nextUpdate allows.

Two moments: freshness (thisUpdate, nextUpdate, max ages) and the responder certificate are
judged against now, the checker's clock, as the answer is fetched and believed now; only the
revocation time is compared with the moment judged, which a trusted time-stamp may put in the
past. A certificate revoked after that moment was good at it, whatever the reason, key
compromise too: an OCSP answer states only revocationTime (RFC 5280 5.3.2 keeps a suspected
earlier compromise in the CRL's invalidityDate, which OCSP does not carry), so the time stated
is the time believed.
"""

from __future__ import annotations

import secrets
import urllib.error
import urllib.request
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509 import ocsp
from cryptography.x509.oid import AuthorityInformationAccessOID

from kepil.domain.clock import Clock
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.ocsp_responder import (
    Responder,
    check_algorithm,
    find_responder,
    hash_bytes,
    key_bits,
    signature_is_valid,
)
from kepil.signing.ocsp_response import (
    CertStatus,
    OcspAnswer,
    SingleAnswer,
    issuer_name_der,
    parse_answer,
)
from kepil.signing.revocation_check import RevocationChecker
from kepil.signing.trust import is_ca

MAX_RESPONSE_BYTES = 1024 * 1024
DEFAULT_MAX_AGE = timedelta(hours=24)  # for answers without nextUpdate
DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
NONCE_SIZE = 16  # RFC 8954 2.1: 1 to 32 bytes
# Without our nonce, the answer's age is all that stands between it and a replayed "good".
LONGEST_NONCELESS_AGE = timedelta(hours=1)
# The NCA's responders answer CertIDs hashed with SHA-256 (every sample answer is).
_CERT_ID_HASH = hashes.SHA256()
_CERT_ID_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha1": hashes.SHA1(),  # noqa: S303 - an identifier here, not a signature
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}
# RFC 6960 2.2: "revoked" at this moment with reason certificateHold means "never issued".
_NOT_ISSUED_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class OcspChecker:
    """An OCSP client for end-entity certificates, over HTTP POST (RFC 6960).

    It asks the responder the certificate names, else `url`. CA certificates are left to
    CRLs, as responders usually answer only for the certificates their CA issued to holders.
    A delegated responder's certificate without ocsp-nocheck is checked by
    `responder_revocation` (e.g. a CrlChecker); with none given it is trusted on its
    signature, key purpose and validity alone. `clock` says what now is (the system's by
    default); `nonceless_max_age`, if given, lets an answer that echoes no nonce through when
    its thisUpdate is at most that old (minutes: it replaces the nonce as proof of freshness).
    """

    def __init__(
        self,
        url: str | None = None,
        *,
        timeout: float = 5.0,
        max_age: timedelta = DEFAULT_MAX_AGE,
        clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
        nonce_size: int = NONCE_SIZE,
        responder_revocation: Sequence[RevocationChecker] = (),
        clock: Clock | None = None,
        nonceless_max_age: timedelta | None = None,
    ) -> None:
        if not 1 <= nonce_size <= 32:
            raise ValueError("an OCSP nonce has 1 to 32 bytes (RFC 8954)")
        if nonceless_max_age is not None and not (
            timedelta(0) < nonceless_max_age <= LONGEST_NONCELESS_AGE
        ):
            raise ValueError(f"nonceless_max_age is above 0 and at most {LONGEST_NONCELESS_AGE}")
        self._url = url
        self._timeout = timeout
        self._max_age = max_age
        self._clock_skew = clock_skew
        self._nonce_size = nonce_size
        self._responder_revocation = tuple(responder_revocation)
        self._clock = clock or _SystemClock()
        self._nonceless_max_age = nonceless_max_age

    def check(self, certificate: x509.Certificate, issuer: x509.Certificate, at: datetime) -> None:
        """Ask the responder, with a fresh nonce, and check the signed answer against the issuer."""
        if is_ca(certificate):
            return
        url = responder_url(certificate) or self._url
        if url is None:
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "no OCSP responder URL")
        nonce = secrets.token_bytes(self._nonce_size)
        body = self._post(url, request_bytes(certificate, issuer, nonce))
        self.judge(body, certificate, issuer, at, nonce=nonce)

    def judge(
        self,
        response: ocsp.OCSPResponse | bytes,
        certificate: x509.Certificate,
        issuer: x509.Certificate,
        at: datetime,
        *,
        nonce: bytes | None = None,
    ) -> None:
        """Accept an answer good at `at`, raise on a revoked, unknown, stale or untrustworthy one.

        `response` is DER or a loaded answer; `nonce` is what the request carried, if anything.
        """
        now = self._clock.now()
        der = response if isinstance(response, bytes) else response.public_bytes(Encoding.DER)
        answer = parse_answer(der)
        if answer.status != "successful":
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, f"OCSP status {answer.status}")
        if answer.unknown_critical:
            raise SigningError(
                ErrorCode.REVOCATION_UNKNOWN,
                f"OCSP answer has critical extensions {list(answer.unknown_critical)}",
            )
        check_algorithm(answer)
        # The answer is believed now, so its signer must be valid now, whatever moment is
        # judged; a fresh answer's producedAt is within max_age of now anyway.
        responder = find_responder(answer, issuer, now)
        if not signature_is_valid(answer, responder.certificate):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer signature is invalid")
        self._check_responder(responder, issuer, now)
        echoed = _nonce_echoed(answer, nonce)
        for single in answer.singles:
            if _is_about(single, certificate, issuer):
                self._check_fresh(single, now, sent_nonce=nonce is not None, echoed=echoed)
                _judge_status(single, at)
                return
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is about another certificate")

    def _check_responder(
        self, responder: Responder, issuer: x509.Certificate, at: datetime
    ) -> None:
        if not responder.delegated or responder.no_check:
            return
        for checker in self._responder_revocation:
            try:
                checker.check(responder.certificate, issuer, at)
            except SigningError as error:
                # The responder's revocation says nothing of the certificate asked about.
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN, f"OCSP responder certificate: {error.detail}"
                ) from error

    def _check_fresh(
        self, single: SingleAnswer, now: datetime, *, sent_nonce: bool, echoed: bool
    ) -> None:
        """Refuse an answer that is not current now or cannot be told from a replay."""
        if single.unknown_critical:
            raise SigningError(
                ErrorCode.REVOCATION_UNKNOWN,
                f"OCSP answer has critical extensions {list(single.unknown_critical)}",
            )
        this_update, next_update = single.this_update, single.next_update
        if this_update > now + self._clock_skew or (
            next_update is not None and next_update < now - self._clock_skew
        ):
            raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer is not current")
        age = now - this_update
        if sent_nonce and not echoed:
            # Our nonce echoed proves the answer was made for this request; without it only
            # a very recent thisUpdate, if allowed at all, keeps an old answer from a replay.
            if self._nonceless_max_age is None:
                raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP answer: no nonce echoed")
            if age > self._nonceless_max_age:
                raise SigningError(
                    ErrorCode.REVOCATION_UNKNOWN,
                    f"OCSP answer echoes no nonce and is older than {self._nonceless_max_age}",
                )
        elif (next_update is None or not echoed) and age > self._max_age:
            raise SigningError(
                ErrorCode.REVOCATION_UNKNOWN, f"OCSP answer is older than {self._max_age}"
            )

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


def _judge_status(single: SingleAnswer, at: datetime) -> None:
    """Good at `at` unless revoked by then (see the module's note on past moments)."""
    if single.status is CertStatus.GOOD:
        return
    if single.status is CertStatus.REVOKED:
        revoked_at = single.revoked_at
        if revoked_at is None or revoked_at <= at:
            raise SigningError(ErrorCode.CERTIFICATE_REVOKED, _revoked_detail(single))
        return
    raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP responder does not know it")


class _SystemClock:
    """The host's clock, for checkers built without one."""

    def now(self) -> datetime:
        """The current moment in UTC."""
        return datetime.now(UTC)


def request_bytes(certificate: x509.Certificate, issuer: x509.Certificate, nonce: bytes) -> bytes:
    """A DER OCSP request for one certificate carrying `nonce` (RFC 8954), any issuer key."""
    # The hashes are made here: `cryptography` cannot read a GOST issuer's key to make them.
    request = (
        ocsp.OCSPRequestBuilder()
        .add_certificate_by_hash(
            hash_bytes(_CERT_ID_HASH, issuer_name_der(certificate)),
            hash_bytes(_CERT_ID_HASH, key_bits(issuer)),
            certificate.serial_number,
            _CERT_ID_HASH,
        )
        .add_extension(x509.OCSPNonce(nonce), critical=False)
        .build()
    )
    return request.public_bytes(Encoding.DER)


def responder_url(certificate: x509.Certificate) -> str | None:
    """The OCSP URL from the certificate's authority information access, if any."""
    try:
        access = certificate.extensions.get_extension_for_class(x509.AuthorityInformationAccess)
    except (x509.ExtensionNotFound, ValueError):
        return None
    for description in access.value:
        if description.access_method == AuthorityInformationAccessOID.OCSP:
            return str(description.access_location.value)
    return None


def _nonce_echoed(answer: OcspAnswer, nonce: bytes | None) -> bool:
    """Whether the answer echoes the request's nonce; a different one is a replay."""
    if nonce is None or answer.nonce is None:
        return False
    if answer.nonce != nonce:
        raise SigningError(ErrorCode.REVOCATION_UNKNOWN, "OCSP nonce mismatch")
    return True


def _is_about(
    single: SingleAnswer, certificate: x509.Certificate, issuer: x509.Certificate
) -> bool:
    """The whole CertID matches: serial, issuer name hash and issuer key hash."""
    algorithm = _CERT_ID_HASHES.get(single.hash_algorithm)
    if single.serial_number != certificate.serial_number or algorithm is None:
        return False
    name_hash = hash_bytes(algorithm, issuer_name_der(certificate))
    key_hash = hash_bytes(algorithm, key_bits(issuer))
    return single.issuer_name_hash == name_hash and single.issuer_key_hash == key_hash


def _never_issued(single: SingleAnswer) -> bool:
    return single.revoked_at == _NOT_ISSUED_TIME and single.reason == "certificate_hold"


def _revoked_detail(single: SingleAnswer) -> str:
    serial = f"serial {single.serial_number:x}"
    if _never_issued(single):
        return f"{serial}: the OCSP responder says it never issued it (RFC 6960 2.2)"
    when = single.revoked_at.isoformat() if single.revoked_at else "at an unstated time"
    reason = f" ({single.reason})" if single.reason else ""
    return f"{serial} revoked {when}{reason} per OCSP"
