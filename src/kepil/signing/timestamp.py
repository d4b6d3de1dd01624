"""Verify an RFC 3161 time-stamp token over a CMS signature value.

A token is judged in this order, and its status is the worst that applies:

- invalid: damaged, its message imprint is not the hash of the stamped signature, its own
  signature or message digest does not verify, or its signed attributes name another TSA
  certificate than the one that verifies; it proves nothing and something is wrong;
- unsupported: an algorithm kepil cannot check (GOST 34.310-2004 signatures, GOST 34.311-95 or
  SHA-1 imprints); it can be neither confirmed nor refuted;
- untrusted: cryptographically sound, but the TSA certificate is missing, not named by the
  signed ESS signing-certificate attribute, does not chain to the trust store, was not valid
  at genTime, is not a time-stamping certificate (RFC 3161 2.3), or its path's revocation
  status is revoked or unknown (see `check_tsa_revocation`);
- trusted: everything holds, and genTime may serve as the signing moment.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.serialization import Encoding

from kepil.signing import gost, trust
from kepil.signing import nca_profile as nca
from kepil.signing.certificates import names_of
from kepil.signing.cms_signature import check_digest, check_signature
from kepil.signing.cms_signer_info import candidate_certificates
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.revocation_check import RevocationChecker
from kepil.signing.tst_info import TimestampToken, certificate_binding, read_token

T = TypeVar("T")

ID_KP_TIME_STAMPING = "1.3.6.1.5.5.7.3.8"
_SHA1 = "1.3.14.3.2.26"
_IMPRINT_HASHES: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256,
    "2.16.840.1.101.3.4.2.2": hashes.SHA384,
    "2.16.840.1.101.3.4.2.3": hashes.SHA512,
}
# Hashes known by name but not accepted: too weak (SHA-1) or not implemented (GOST 34.311-95).
_REFUSED_IMPRINT_HASHES = {_SHA1: "SHA-1", nca.GOST34311_DIGEST: "GOST 34.311-95"}
# A TSA certificate revoked after genTime for one of these reasons still vouches for the tokens
# it made before: the key was not compromised. Any other reason, or none stated, and the
# token's time is not relied on (RFC 3161 4, ETSI EN 319 102-1 5.6.2.5).
TOLERATED_LATER_REVOCATION = frozenset(
    {"affiliationChanged", "superseded", "cessationOfOperation", "privilegeWithdrawn"}
)
_INVALID_CODES = {
    ErrorCode.TIMESTAMP_CERTIFICATE_MISMATCH,
    ErrorCode.MALFORMED_TIMESTAMP,
    ErrorCode.MALFORMED_CMS,
    ErrorCode.TIMESTAMP_IMPRINT_MISMATCH,
    ErrorCode.BAD_SIGNATURE,
    ErrorCode.DIGEST_MISMATCH,
}


class TimestampStatus(StrEnum):
    """How far a time-stamp token can be relied on (see the module docstring)."""

    TRUSTED = "trusted"
    UNTRUSTED = "untrusted"
    UNSUPPORTED = "unsupported"
    INVALID = "invalid"


@dataclass(frozen=True)
class TimestampError:
    """One reason a token is not trusted."""

    code: ErrorCode
    detail: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"code": self.code.value, "detail": self.detail}


@dataclass(frozen=True)
class TimestampResult:
    """What one token says and how far it was confirmed."""

    status: TimestampStatus
    time: datetime | None = None
    tsa: str | None = None  # the TSA certificate's subject, else the TSTInfo's tsa name
    serial: int | None = None
    policy: str | None = None
    algorithm: str | None = None  # the token's signature algorithm, by name
    errors: tuple[TimestampError, ...] = ()
    chain: tuple[x509.Certificate, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Whether the token is trusted, so its time may be taken as the signing moment."""
        return self.status is TimestampStatus.TRUSTED

    def summary(self) -> str:
        """One line for a warning: the status and every reason."""
        reasons = "; ".join(f"{error.code.value}: {error.detail}" for error in self.errors)
        return f"time-stamp token {self.status.value}: {reasons}"

    def to_json(self) -> dict[str, Any]:
        """The `timestamp` object of `kepil eds verify`."""
        return {
            "time": self.time.isoformat() if self.time else None,
            "tsa": self.tsa,
            "serial": format(self.serial, "x") if self.serial is not None else None,
            "policy": self.policy,
            "valid": self.valid,
            "status": self.status.value,
            "algorithm": self.algorithm,
            "errors": [error.to_json() for error in self.errors],
        }


@dataclass(frozen=True)
class TsaCheck:
    """What a token's TSA is judged against besides the trust store."""

    at: datetime | None = None  # when its path's revocation is judged; None: not judged
    revocation: Sequence[RevocationChecker] = ()
    budget: trust.SignatureBudget | None = None  # shared with the rest of the verification


def verify_timestamp_token(
    token: bytes,
    stamped: bytes,
    trust_store: trust.TrustStore,
    check: TsaCheck | None = None,
) -> TimestampResult:
    """Judge `token` as a time-stamp over `stamped` (the SignerInfo's signature value).

    With `check.at`, the TSA's path is revocation-checked by `check.revocation` as of then.
    Never raises on bad input: every problem is an error in the result, and an exhausted
    budget of signature checks is too_complex (untrusted).
    """
    try:
        return _verify(token, stamped, trust_store, check or TsaCheck())
    except Exception as error:  # a last guard: a token must never take the signature down
        detail = f"{type(error).__name__}: {error}"
        return TimestampResult(
            TimestampStatus.INVALID, errors=(TimestampError(ErrorCode.MALFORMED_TIMESTAMP, detail),)
        )


def _verify(
    token: bytes, stamped: bytes, trust_store: trust.TrustStore, check: TsaCheck
) -> TimestampResult:
    try:
        parsed = read_token(token)
    except SigningError as error:
        return TimestampResult(TimestampStatus.INVALID, errors=(_error(error),))
    errors: list[TimestampError] = []

    def attempt(step: Callable[[], T]) -> T | None:
        try:
            return step()
        except SigningError as error:
            errors.append(_error(error))
        except (ValueError, TypeError, LookupError, UnsupportedAlgorithm) as error:
            # Damaged keys or values inside otherwise well-formed structures.
            errors.append(TimestampError(ErrorCode.MALFORMED_TIMESTAMP, f"{error!r}"))
        return None

    info = parsed.tst_info
    view = parsed.signed.signers[0]
    attempt(lambda: check_imprint(info.imprint_algorithm, info.imprint, stamped))
    configured = _configured(trust_store)
    candidates = candidate_certificates(
        view, trust.unique([*parsed.signed.certificates, *configured])
    )
    budget = check.budget or trust.SignatureBudget()
    certificate = attempt(lambda: _signing_certificate(parsed, candidates, budget))
    chain = None
    if certificate is not None:
        attempt(lambda: check_certificate_binding(view.signed_attrs, certificate))
        chain = attempt(lambda: _trusted_chain(certificate, parsed, trust_store, budget))
    if chain is not None and check.at is not None:
        found = chain
        at = check.at
        attempt(lambda: check_tsa_revocation(found, info.gen_time, at, check.revocation))
    named = certificate or (candidates[0] if candidates else None)
    return TimestampResult(
        status=_status(errors),
        time=info.gen_time,
        tsa=_subject(named) if named is not None else info.tsa_name,
        serial=info.serial_number,
        policy=info.policy,
        algorithm=nca.algorithm_name(view.signature_oid),
        errors=tuple(errors),
        chain=tuple(chain or ()),
    )


def check_imprint(algorithm: str, imprint: bytes, stamped: bytes) -> None:
    """The imprint must be the hash of `stamped`; an algorithm not checked here is unsupported."""
    digest = _digest(algorithm, stamped, "message imprint")
    if not hmac.compare_digest(digest, imprint):
        raise SigningError(
            ErrorCode.TIMESTAMP_IMPRINT_MISMATCH,
            "the message imprint is not the hash of this signature value",
        )


def check_certificate_binding(signed_attrs: bytes | None, certificate: x509.Certificate) -> None:
    """The signed ESS signing-certificate attribute must name this very certificate.

    It binds the token to its TSA certificate, not only to a key (RFC 3161 2.4.1, RFC 5035).
    SHA-1 is what ESS version 1 is defined with: here it identifies, it does not sign.
    """
    binding = certificate_binding(signed_attrs)
    if binding is None:
        raise SigningError(
            ErrorCode.TIMESTAMP_CERTIFICATE_UNBOUND,
            "no ESS signing-certificate attribute names the TSA certificate",
        )
    der = certificate.public_bytes(Encoding.DER)
    if binding.hash_algorithm == _SHA1:
        digest = hashlib.sha1(der, usedforsecurity=False).digest()
    else:
        digest = _digest(binding.hash_algorithm, der, "signing-certificate hash")
    if not hmac.compare_digest(digest, binding.certificate_hash):
        raise SigningError(
            ErrorCode.TIMESTAMP_CERTIFICATE_MISMATCH,
            "the ESS signing-certificate attribute names another certificate",
        )


def _digest(algorithm: str, data: bytes, what: str) -> bytes:
    variant = gost.variant_for_digest(algorithm)
    if variant is not None:
        return gost.streebog(data, variant)
    if algorithm in _IMPRINT_HASHES:
        hasher = hashes.Hash(_IMPRINT_HASHES[algorithm]())
        hasher.update(data)
        return hasher.finalize()
    name = _REFUSED_IMPRINT_HASHES.get(algorithm, nca.algorithm_name(algorithm))
    raise SigningError(ErrorCode.UNSUPPORTED_ALGORITHM, f"{what} made with {name} ({algorithm})")


def _signing_certificate(
    parsed: TimestampToken, candidates: list[x509.Certificate], budget: trust.SignatureBudget
) -> x509.Certificate:
    """The certificate whose key signed the TSTInfo (through the token's signed attributes)."""
    view = parsed.signed.signers[0]
    try:
        signed_bytes = check_digest(view, parsed.tst_info_der, parsed.signed.content_type)
    except SigningError as error:
        if error.code is not ErrorCode.UNSUPPORTED_ALGORITHM:
            raise
        # The generic wording asks the signer to re-sign; here the TSA chose the algorithm.
        raise SigningError(
            error.code,
            f"the token is signed with {nca.algorithm_name(view.signature_oid)} "
            f"({view.signature_oid}), which kepil does not verify",
        ) from error
    if not candidates:
        raise SigningError(
            ErrorCode.SIGNER_CERTIFICATE_MISSING,
            "the TSA certificate is neither in the token nor in the trust store",
        )
    failures: list[SigningError] = []
    for candidate in candidates:
        budget.spend(view.signature_oid)
        try:
            check_signature(view, signed_bytes, candidate)
        except SigningError as error:
            failures.append(error)
        else:
            return candidate
    raise failures[0]


def _trusted_chain(
    certificate: x509.Certificate,
    parsed: TimestampToken,
    store: trust.TrustStore,
    budget: trust.SignatureBudget,
) -> list[x509.Certificate]:
    chain = trust.build_chain(certificate, parsed.signed.certificates, store, budget)
    trust.check_validity(chain, parsed.tst_info.gen_time)
    _check_time_stamping_usage(certificate)
    return chain


def check_tsa_revocation(
    chain: Sequence[x509.Certificate],
    gen_time: datetime,
    at: datetime,
    checkers: Sequence[RevocationChecker],
) -> None:
    """The TSA's path must not be revoked as of `at`, nor its status unknown.

    A revocation that came after genTime is tolerated when its stated reason says the key
    was not compromised (TOLERATED_LATER_REVOCATION): the tokens made before stay good. With
    keyCompromise, or no reason known, a later revocation still refuses the token, since a
    compromised key can make tokens with any genTime.
    """
    for child, issuer in itertools.pairwise(chain):
        for checker in checkers:
            try:
                checker.check(child, issuer, at)
            except SigningError as error:
                if error.code is not ErrorCode.CERTIFICATE_REVOKED:
                    raise SigningError(
                        ErrorCode.REVOCATION_UNKNOWN,
                        f"the TSA path's revocation status is unknown: {error.detail}",
                    ) from None
                _tolerate_later_revocation(checker, child, issuer, gen_time, error)


def _tolerate_later_revocation(
    checker: RevocationChecker,
    certificate: x509.Certificate,
    issuer: x509.Certificate,
    gen_time: datetime,
    error: SigningError,
) -> None:
    reason = error.revocation_reason
    if reason not in TOLERATED_LATER_REVOCATION:
        stated = f"reason {reason}" if reason else "no reason known"
        raise SigningError(
            ErrorCode.CERTIFICATE_REVOKED,
            f"the TSA path is revoked ({stated}): {error.detail}",
        ) from None
    try:
        checker.check(certificate, issuer, gen_time)
    except SigningError as earlier:
        raise SigningError(
            ErrorCode.CERTIFICATE_REVOKED,
            f"the TSA path was not good at genTime: {earlier.detail}",
        ) from None


def _check_time_stamping_usage(certificate: x509.Certificate) -> None:
    """RFC 3161 2.3: exactly one extended key usage, id-kp-timeStamping, marked critical."""
    try:
        extension = certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound:
        raise SigningError(
            ErrorCode.WRONG_KEY_USAGE, "the TSA certificate has no extended key usage"
        ) from None
    usages = [oid.dotted_string for oid in extension.value]
    if usages != [ID_KP_TIME_STAMPING] or not extension.critical:
        raise SigningError(
            ErrorCode.WRONG_KEY_USAGE,
            f"the TSA certificate's extended key usage is {usages}"
            f"{'' if extension.critical else ' (not critical)'}, "
            "not id-kp-timeStamping alone and critical",
        )


def _configured(store: trust.TrustStore) -> tuple[x509.Certificate, ...]:
    """Every certificate the store was configured with (roots and intermediates)."""
    return store.certificates


def _status(errors: list[TimestampError]) -> TimestampStatus:
    codes = {error.code for error in errors}
    if codes & _INVALID_CODES:
        return TimestampStatus.INVALID
    if ErrorCode.UNSUPPORTED_ALGORITHM in codes:
        return TimestampStatus.UNSUPPORTED
    if codes:
        return TimestampStatus.UNTRUSTED
    return TimestampStatus.TRUSTED


def _error(error: SigningError) -> TimestampError:
    return TimestampError(error.code, error.detail)


def _subject(certificate: x509.Certificate) -> str:
    return names_of(certificate)[0].rfc4514_string()
