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
from kepil.signing.cms_signer_info import (
    SIGNATURE_TIME_STAMP_OID,
    SignerInfoView,
    candidate_certificates,
)
from kepil.signing.errors import ErrorCode, SigningError
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import RevocationChecker
from kepil.signing.timestamp import (
    TimestampResult,
    TimestampStatus,
    TsaCheck,
    verify_timestamp_token,
)

T = TypeVar("T")

DEFAULT_CLOCK_SKEW = timedelta(minutes=5)
# Time-stamp tokens judged per signature. Kalkan and NCALayer put one; two leave room for a
# second TSA (one not configured here, or a changeover). More are a warning and ignored: each
# costs signature checks, and one trusted token already proves the moment.
MAX_TIMESTAMP_TOKENS = 2
# Where a signer's signing moment came from (`signed_at_source`); None: no moment is known.
FROM_TIMESTAMP = "timestamp"
FROM_SIGNING_TIME_ATTRIBUTE = "signing_time_attribute"
_WARNING_BY_STATUS = {
    TimestampStatus.UNTRUSTED: ErrorCode.TIMESTAMP_UNTRUSTED,
    TimestampStatus.UNSUPPORTED: ErrorCode.TIMESTAMP_UNSUPPORTED,
    TimestampStatus.INVALID: ErrorCode.TIMESTAMP_INVALID,
}


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
    # RFC 3161 tokens from the unsigned attributes, raw DER, and what each was found to be.
    timestamp_tokens: tuple[bytes, ...] = field(default=())
    timestamps: tuple[TimestampResult, ...] = field(default=())
    signed_at_source: str | None = None
    # What is doubtful but does not refuse the signature: a time-stamp that is not trusted,
    # an identity number failing its check digit.
    warnings: tuple[Issue, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """Whether this signer's signature was accepted."""
        return not self.errors and self.signer is not None

    @property
    def timestamp(self) -> TimestampResult | None:
        """The (earliest) trusted token the signing moment came from, else the first, else None."""
        trusted = [stamp for stamp in self.timestamps if stamp.valid and stamp.time]
        if trusted:
            return min(trusted, key=lambda stamp: stamp.time.timestamp() if stamp.time else 0.0)
        return self.timestamps[0] if self.timestamps else None


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

    @property
    def warnings(self) -> tuple[Issue, ...]:
        """Every signer's warnings; they never make the result invalid."""
        return tuple(issue for signer in self.signers for issue in signer.warnings)

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
            "warnings": [issue.to_json() for issue in self.warnings],
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
    and the signer's certificate must also have been valid at that claimed time.

    A trusted RFC 3161 time-stamp on a signature proves when it existed: then its time is
    the signing moment, it must not lie after `at`, and the chain's validity and revocation
    are judged at that moment instead of `at` (a certificate that expired or was revoked
    later does not undo a signature made while it was good; docs/eds-verify.md). Tokens that
    are not trusted are warnings and change nothing. A token is judged only once the
    signer's own signature verified, only its first (MAX_TIMESTAMP_TOKENS), its TSA's path
    revocation-checked by `revocation` as of `at`, and only for `KeyKind.SIGN`: sign-in
    judges everything as of now and needs no moment.

    Every signature check of the call (signatures, paths, tokens) comes from one budget
    (trust.SIGNATURE_BUDGET); crafted input that would need more gets too_complex.
    Damaged input never raises: it is reported with a specific error code.
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
            source = FROM_SIGNING_TIME_ATTRIBUTE if view.signing_time else None
            result = SignerResult(
                index, None, view.signing_time, None, (issue,), signed_at_source=source
            )
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
    budget: trust.SignatureBudget = field(default_factory=trust.SignatureBudget)
    # The content's digest by algorithm OID, computed once for every signer of the call.
    digests: dict[str, bytes] = field(default_factory=dict)


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

    tokens, warnings = _timestamp_tokens(index, view)
    candidates = candidate_certificates(view, trust.unique(loaded.certificates))
    if not candidates:
        detail = "no certificate in the CMS matches the signer identifier"
        issues.append(Issue(ErrorCode.SIGNER_CERTIFICATE_MISSING, detail, index))
        signed_at, source = _signing_moment(view, None)
        return SignerResult(
            index,
            None,
            signed_at,
            view.algorithm_name,
            tuple(issues),
            (),
            tuple(tokens),
            (),
            source,
            tuple(warnings),
        )
    certificate = candidates[0]
    verified = None
    if content is not None:
        signed_bytes = attempt(
            lambda: check_digest(view, content, loaded.content_type, context.digests),
            ErrorCode.BAD_SIGNATURE,
        )
        if signed_bytes is not None:
            verified = attempt(
                lambda: _signing_certificate(view, signed_bytes, candidates, context.budget),
                ErrorCode.BAD_SIGNATURE,
            )
    certificate = verified or certificate
    # A token costs signature checks; only a signature that holds, and only a purpose that
    # needs the moment, may spend them (sign-in judges everything as of now).
    timestamps = _judge_tokens(index, view, tokens, context, warnings) if verified else ()
    stamped_at = min((s.time for s in timestamps if s.valid and s.time), default=None)
    signer = attempt(
        lambda: _parse_certificate(certificate, context.check_number),
        ErrorCode.MALFORMED_CERTIFICATE,
    )
    if signer is not None:
        warnings.extend(
            Issue(ErrorCode.INVALID_IDENTITY_NUMBER, text, index) for text in signer.warnings
        )
    chain = attempt(
        lambda: trust.build_chain(
            certificate, loaded.certificates, context.trust_store, context.budget
        ),
        ErrorCode.UNTRUSTED_CHAIN,
    )
    attempt(
        lambda: _check_times(view, certificate, chain or [certificate], context, stamped_at),
        ErrorCode.MALFORMED_CERTIFICATE,
    )
    if signer is not None:
        attempt(
            lambda: trust.check_key_usage(signer, context.purpose),
            ErrorCode.WRONG_KEY_USAGE,
        )
    if chain is not None and not issues:
        attempt(
            lambda: _check_revocation(chain, context, stamped_at or context.at),
            ErrorCode.REVOCATION_UNKNOWN,
        )
    signed_at, source = _signing_moment(view, stamped_at)
    return SignerResult(
        index,
        signer,
        signed_at,
        view.algorithm_name,
        tuple(issues),
        tuple(chain or ()),
        tuple(tokens),
        timestamps,
        source,
        tuple(warnings),
    )


def _judge_tokens(
    index: int,
    view: SignerInfoView,
    tokens: list[bytes],
    context: _Context,
    warnings: list[Issue],
) -> tuple[TimestampResult, ...]:
    """The first token judged (as of `at`, its TSA path revocation-checked); the rest ignored."""
    if not tokens or context.purpose is not KeyKind.SIGN:
        return ()
    if len(tokens) > MAX_TIMESTAMP_TOKENS:
        detail = (
            f"{len(tokens)} time-stamp tokens on one signature; only the first "
            f"{MAX_TIMESTAMP_TOKENS} judged, the rest ignored"
        )
        warnings.append(Issue(ErrorCode.TIMESTAMP_UNTRUSTED, detail, index))
    check = TsaCheck(at=context.at, revocation=context.revocation, budget=context.budget)
    timestamps = tuple(
        verify_timestamp_token(token, view.signature, context.trust_store, check)
        for token in tokens[:MAX_TIMESTAMP_TOKENS]
    )
    warnings.extend(
        Issue(_WARNING_BY_STATUS[stamp.status], stamp.summary(), index)
        for stamp in timestamps
        if not stamp.valid
    )
    return timestamps


def _signing_certificate(
    view: SignerInfoView,
    signed_bytes: bytes,
    candidates: list[x509.Certificate],
    budget: trust.SignatureBudget,
) -> x509.Certificate:
    """The named certificate whose key made the signature; a look-alike cannot take its place."""
    errors: list[SigningError] = []
    for candidate in candidates:
        budget.spend(view.signature_oid)
        try:
            check_signature(view, signed_bytes, candidate)
        except SigningError as error:
            errors.append(error)
        except (ValueError, TypeError, UnsupportedAlgorithm) as error:
            errors.append(SigningError(ErrorCode.BAD_SIGNATURE, f"{type(error).__name__}: {error}"))
        else:
            return candidate
    raise errors[0] if errors else SigningError(ErrorCode.SIGNER_CERTIFICATE_MISSING, "none")


def _timestamp_tokens(index: int, view: SignerInfoView) -> tuple[list[bytes], list[Issue]]:
    """The signer's RFC 3161 tokens; unreadable unsigned attributes are a warning, not silence."""
    try:
        return view.unsigned_attribute_values(SIGNATURE_TIME_STAMP_OID), []
    except SigningError as error:
        return [], [Issue(ErrorCode.TIMESTAMP_INVALID, error.detail, index)]


def _signing_moment(
    view: SignerInfoView, stamped_at: datetime | None
) -> tuple[datetime | None, str | None]:
    """A trusted time-stamp's time, else the signer's claimed signing-time, else nothing."""
    if stamped_at is not None:
        return stamped_at, FROM_TIMESTAMP
    if view.signing_time is not None:
        return view.signing_time, FROM_SIGNING_TIME_ATTRIBUTE
    return None, None


def _check_revocation(chain: list[x509.Certificate], context: _Context, at: datetime) -> None:
    for child, issuer in itertools.pairwise(chain):
        for checker in context.revocation:
            checker.check(child, issuer, at)


def _check_times(
    view: SignerInfoView,
    certificate: x509.Certificate,
    chain: list[x509.Certificate],
    context: _Context,
    stamped_at: datetime | None,
) -> None:
    if stamped_at is not None:
        _check_stamped_times(view, chain, context, stamped_at)
        return
    if view.signing_time is not None:
        if view.signing_time > context.at + context.clock_skew:
            raise SigningError(
                ErrorCode.SIGNING_TIME_IN_FUTURE,
                f"signed at {view.signing_time.isoformat()}, after {context.at.isoformat()}",
            )
        trust.check_validity([certificate], view.signing_time)
    trust.check_validity(chain, context.at)


def _check_stamped_times(
    view: SignerInfoView, chain: list[x509.Certificate], context: _Context, stamped_at: datetime
) -> None:
    """A trusted time-stamp proves the moment: the chain must have been valid then."""
    if stamped_at > context.at + context.clock_skew:
        raise SigningError(
            ErrorCode.SIGNING_TIME_IN_FUTURE,
            f"time-stamped at {stamped_at.isoformat()}, after {context.at.isoformat()}",
        )
    # The signer cannot have signed after the TSA saw the signature.
    if view.signing_time is not None and view.signing_time > stamped_at + context.clock_skew:
        raise SigningError(
            ErrorCode.SIGNING_TIME_IN_FUTURE,
            f"claims signing at {view.signing_time.isoformat()}, "
            f"after its time-stamp {stamped_at.isoformat()}",
        )
    trust.check_validity(chain, stamped_at)


def _signer_json(result: SignerResult) -> dict[str, Any]:
    signer = result.signer
    return {
        "iin": signer.iin if signer else None,
        "bin": signer.bin if signer else None,
        "name": signer.common_name if signer else None,
        "organization": signer.organization if signer else None,
        "role": signer.role.value if signer and signer.role else None,
        "signed_at": result.signed_at.isoformat() if result.signed_at else None,
        "signed_at_source": result.signed_at_source,
        "algorithm": result.algorithm,
        "timestamp": result.timestamp.to_json() if result.timestamp else None,
        # Tokens carried but not judged: beyond the first, after a bad signature, or sign-in.
        "timestamps_ignored": len(result.timestamp_tokens) - len(result.timestamps),
        "errors": [issue.to_json() for issue in result.errors],
        "warnings": [issue.to_json() for issue in result.warnings],
    }
