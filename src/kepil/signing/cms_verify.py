"""Verify CMS SignedData: signatures, digests, signer certificates, trust and revocation."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm

from kepil.signing import trust
from kepil.signing.certificates import IdentityNumberCheck, Signer, is_valid_identity_number
from kepil.signing.certificates import parse_certificate as _parse_certificate
from kepil.signing.cms_load import LoadedCms, load_cms, load_signed_data
from kepil.signing.cms_signature import check_digest, check_signature
from kepil.signing.cms_signer_info import SignerInfoView, candidate_certificates
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import RevocationChecker

T = TypeVar("T")

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)


@dataclass(frozen=True)
class Issue:
    """One reason a signature is not accepted, tied to a signer when it is about one."""

    code: ErrorCode
    detail: str
    signer_index: int | None = None

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"code": self.code.value, "detail": self.detail, "signer": self.signer_index}


@dataclass(frozen=True)
class SignerResult:
    """What was established about one SignerInfo."""

    index: int
    signer: Signer | None
    signed_at: datetime | None
    algorithm: str | None
    errors: tuple[Issue, ...]
    chain: tuple[x509.Certificate, ...] = field(default=())
    # RFC 3161 tokens from the unsigned attributes, raw DER, not verified here.
    timestamp_tokens: tuple[bytes, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Whether this signer's signature was accepted."""
        return not self.errors and self.signer is not None


@dataclass(frozen=True)
class VerificationResult:
    """The outcome: valid only when there is a signer and nothing at all was wrong."""

    signers: tuple[SignerResult, ...]
    errors: tuple[Issue, ...]
    content: bytes | None

    @property
    def valid(self) -> bool:
        """Every signer valid and no CMS-level problem."""
        return bool(self.signers) and not self.errors

    def sole_signer(self) -> Signer:
        """The one signer of a valid single-signer CMS (as sign-in expects), else raise."""
        if not self.valid:
            first = self.errors[0] if self.errors else Issue(ErrorCode.NO_SIGNERS, "no signers")
            raise SigningError(first.code, first.detail)
        if len(self.signers) != 1 or self.signers[0].signer is None:
            raise SigningError(ErrorCode.NO_SIGNERS, f"{len(self.signers)} signers, expected 1")
        return self.signers[0].signer

    def to_json(self) -> dict[str, Any]:
        """The `kepil eds verify` output."""
        return {
            "valid": self.valid,
            "signers": [_signer_json(result) for result in self.signers],
            "errors": [issue.to_json() for issue in self.errors],
        }


def verify_cms(
    cms_bytes: bytes,
    *,
    trust_store: trust.TrustStore,
    at: datetime,
    data: bytes | None = None,
    purpose: KeyKind = KeyKind.SIGN,
    revocation: Sequence[RevocationChecker] = (),
    check_number: IdentityNumberCheck = is_valid_identity_number,
    clock_skew: timedelta = DEFAULT_CLOCK_SKEW,
) -> VerificationResult:
    """Verify `cms_bytes` (DER, BER or PEM) over `data` (detached) or its own content, at `at`.

    `at` is the moment validity and revocation are judged: now for sign-in, the trusted
    receipt time for an archived document. A signing-time attribute must not lie after `at`
    and the signer's certificate must also have been valid at that claimed time. Damaged
    input never raises: it is reported with a specific error code.
    """
    if at.tzinfo is None:
        raise ValueError("`at` must be timezone-aware")
    try:
        loaded = load_cms(cms_bytes)
    except SigningError as error:
        return VerificationResult((), (Issue(error.code, error.detail),), None)
    issues: list[Issue] = []
    encapsulated = loaded.content
    content = data if data is not None else encapsulated
    if content is None:
        issues.append(Issue(ErrorCode.CONTENT_MISSING, "detached CMS and no data given"))
    elif data is not None and encapsulated is not None and data != encapsulated:
        issues.append(Issue(ErrorCode.DIGEST_MISMATCH, "given data differs from the content"))
    if not loaded.signers:
        issues.append(Issue(ErrorCode.NO_SIGNERS, "the CMS has no SignerInfo"))
    context = _Context(trust_store, at, purpose, revocation, check_number, clock_skew)
    results = []
    for index, view in enumerate(loaded.signers):
        try:
            result = _verify_signer(index, view, content, loaded, context)
        except Exception as error:  # a last guard: a bug must not pass or raise out of here
            issue = Issue(ErrorCode.MALFORMED_CMS, f"{type(error).__name__}: {error}", index)
            result = SignerResult(index, None, view.signing_time, None, (issue,))
        results.append(result)
        issues.extend(result.errors)
    return VerificationResult(tuple(results), tuple(issues), content)


def encapsulated_content(cms_bytes: bytes) -> bytes | None:
    """The content an attached CMS carries; None when detached or unreadable."""
    try:
        content = load_signed_data(cms_bytes)["encap_content_info"]["content"].native
    except Exception:  # anything unreadable simply has no content
        return None
    return content if isinstance(content, bytes) else None


@dataclass(frozen=True)
class _Context:
    trust_store: trust.TrustStore
    at: datetime
    purpose: KeyKind
    revocation: Sequence[RevocationChecker]
    check_number: IdentityNumberCheck
    clock_skew: timedelta


def _verify_signer(
    index: int,
    view: SignerInfoView,
    content: bytes | None,
    loaded: LoadedCms,
    context: _Context,
) -> SignerResult:
    issues: list[Issue] = []

    def attempt(step: Callable[[], T], fallback: ErrorCode) -> T | None:
        try:
            return step()
        except SigningError as error:
            issues.append(Issue(error.code, error.detail, index))
        except (ValueError, TypeError, LookupError, UnsupportedAlgorithm) as error:
            # Damaged keys or values inside otherwise well-formed structures land here.
            issues.append(Issue(fallback, f"{type(error).__name__}: {error}", index))
        return None

    candidates = candidate_certificates(view, loaded.certificates)
    if not candidates:
        detail = "no certificate in the CMS matches the signer identifier"
        issues.append(Issue(ErrorCode.SIGNER_CERTIFICATE_MISSING, detail, index))
        return SignerResult(index, None, view.signing_time, view.algorithm_name, tuple(issues))
    certificate = candidates[0]
    if content is not None:
        signed_bytes = attempt(
            lambda: check_digest(view, content, loaded.content_type), ErrorCode.BAD_SIGNATURE
        )
        if signed_bytes is not None:
            certificate = (
                attempt(
                    lambda: _signing_certificate(view, signed_bytes, candidates),
                    ErrorCode.BAD_SIGNATURE,
                )
                or certificate
            )
    signer = attempt(
        lambda: _parse_certificate(certificate, context.check_number),
        ErrorCode.MALFORMED_CERTIFICATE,
    )
    chain = attempt(
        lambda: trust.build_chain(certificate, loaded.certificates, context.trust_store),
        ErrorCode.UNTRUSTED_CHAIN,
    )
    attempt(
        lambda: _check_times(view, certificate, chain or [certificate], context),
        ErrorCode.MALFORMED_CERTIFICATE,
    )
    if signer is not None:
        attempt(
            lambda: trust.check_key_usage(signer, context.purpose),
            ErrorCode.WRONG_KEY_USAGE,
        )
    if chain is not None and not issues:
        attempt(lambda: _check_revocation(chain, context), ErrorCode.REVOCATION_UNKNOWN)
    return SignerResult(
        index,
        signer,
        view.signing_time,
        view.algorithm_name,
        tuple(issues),
        tuple(chain or ()),
        tuple(view.timestamp_tokens),
    )


def _signing_certificate(
    view: SignerInfoView, signed_bytes: bytes, candidates: list[x509.Certificate]
) -> x509.Certificate:
    """The named certificate whose key made the signature; a look-alike cannot take its place."""
    errors: list[SigningError] = []
    for candidate in candidates:
        try:
            check_signature(view, signed_bytes, candidate)
        except SigningError as error:
            errors.append(error)
        except (ValueError, TypeError, UnsupportedAlgorithm) as error:
            errors.append(SigningError(ErrorCode.BAD_SIGNATURE, f"{type(error).__name__}: {error}"))
        else:
            return candidate
    raise errors[0] if errors else SigningError(ErrorCode.SIGNER_CERTIFICATE_MISSING, "none")


def _check_revocation(chain: list[x509.Certificate], context: _Context) -> None:
    for child, issuer in itertools.pairwise(chain):
        for checker in context.revocation:
            checker.check(child, issuer, context.at)


def _check_times(
    view: SignerInfoView,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    context: _Context,
) -> None:
    if view.signing_time is not None:
        if view.signing_time > context.at + context.clock_skew:
            raise SigningError(
                ErrorCode.SIGNING_TIME_IN_FUTURE,
                f"signed at {view.signing_time.isoformat()}, after {context.at.isoformat()}",
            )
        trust.check_validity([certificate], view.signing_time)
    trust.check_validity(chain, context.at)


def _signer_json(result: SignerResult) -> dict[str, Any]:
    signer = result.signer
    return {
        "iin": signer.iin if signer else None,
        "bin": signer.bin if signer else None,
        "name": signer.common_name if signer else None,
        "organization": signer.organization if signer else None,
        "role": signer.role.value if signer and signer.role else None,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "algorithm": result.algorithm,
    }
