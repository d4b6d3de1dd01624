"""Verify CMS SignedData: signatures, digests, signer certificates, trust and revocation."""

from __future__ import annotations

import base64
import binascii
import hmac
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes

from kepil.signing import gost, keys, trust
from kepil.signing.certificates import (
    IdentityNumberCheck,
    Signer,
    is_valid_identity_number,
    subject_public_key_info,
)
from kepil.signing.certificates import parse_certificate as _parse_certificate
from kepil.signing.cms_signer_info import SignerInfoView, find_certificate, read_signer_info
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
    """Verify `cms_bytes` (DER or PEM) over `data` (detached) or its own content, as of `at`.

    `at` is the moment validity and revocation are judged: now for sign-in, the trusted
    receipt time for an archived document. A signing-time attribute must not lie after `at`
    and the signer's certificate must also have been valid at that claimed time.
    """
    try:
        signed_data = _load_signed_data(cms_bytes)
        views = [read_signer_info(info) for info in signed_data["signer_infos"]]
        certificates = _certificates(signed_data)
        encapsulated = signed_data["encap_content_info"]["content"].native
        content_type = signed_data["encap_content_info"]["content_type"].dotted
    except SigningError as error:
        return VerificationResult((), (Issue(error.code, error.detail),), None)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        issue = Issue(ErrorCode.MALFORMED_CMS, f"cannot parse CMS: {error}")
        return VerificationResult((), (issue,), None)
    issues: list[Issue] = []
    content = data if data is not None else encapsulated
    if content is None:
        issues.append(Issue(ErrorCode.CONTENT_MISSING, "detached CMS and no data given"))
    elif data is not None and encapsulated is not None and data != encapsulated:
        issues.append(Issue(ErrorCode.DIGEST_MISMATCH, "given data differs from the content"))
    if not views:
        issues.append(Issue(ErrorCode.NO_SIGNERS, "the CMS has no SignerInfo"))
    context = _Context(trust_store, at, purpose, revocation, check_number, clock_skew)
    results = []
    for index, view in enumerate(views):
        result = _verify_signer(index, view, content, content_type, certificates, context)
        results.append(result)
        issues.extend(result.errors)
    return VerificationResult(tuple(results), tuple(issues), content)


def encapsulated_content(cms_bytes: bytes) -> bytes | None:
    """The content an attached CMS carries; None when detached or unreadable."""
    try:
        content = _load_signed_data(cms_bytes)["encap_content_info"]["content"].native
    except (SigningError, ValueError, TypeError, KeyError, IndexError, OverflowError):
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
    content_type: str,
    certificates: list[x509.Certificate],
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

    certificate = find_certificate(view, certificates)
    if certificate is None:
        detail = "no certificate in the CMS matches the signer identifier"
        issues.append(Issue(ErrorCode.SIGNER_CERTIFICATE_MISSING, detail, index))
        return SignerResult(index, None, view.signing_time, view.algorithm_name, tuple(issues))
    signer = attempt(
        lambda: _parse_certificate(certificate, context.check_number),
        ErrorCode.MALFORMED_CERTIFICATE,
    )
    if content is not None:
        attempt(
            lambda: _check_signature(view, content, content_type, certificate),
            ErrorCode.BAD_SIGNATURE,
        )
    chain = (
        attempt(
            lambda: trust.build_chain(certificate, certificates, context.trust_store),
            ErrorCode.UNTRUSTED_CHAIN,
        )
        or []
    )

    def check_certificates() -> None:
        _check_times(view, certificate, chain or [certificate], context)
        if signer is not None:
            trust.check_key_usage(signer.key_kind, context.purpose)
        for child, issuer in itertools.pairwise(chain):
            for checker in context.revocation:
                checker.check(child, issuer, context.at)

    attempt(check_certificates, ErrorCode.REVOCATION_UNKNOWN)
    return SignerResult(
        index, signer, view.signing_time, view.algorithm_name, tuple(issues), tuple(chain)
    )


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


def _check_signature(
    view: SignerInfoView, content: bytes, content_type: str, certificate: x509.Certificate
) -> None:
    gost_variant = gost.variant_for_digest(view.digest_oid)
    if gost.is_gost_oid(view.signature_oid):
        gost.variant_for_signature(view.signature_oid)  # rejects GOST 2004 clearly
    if gost_variant is not None:
        digest = gost.streebog(content, gost_variant)
    else:
        hasher = hashes.Hash(keys.hash_algorithm(view.digest_name))
        hasher.update(content)
        digest = hasher.finalize()
    if view.signed_attrs is None:
        signed_bytes = content
    else:
        if view.message_digest is None or not hmac.compare_digest(digest, view.message_digest):
            raise SigningError(ErrorCode.DIGEST_MISMATCH, "message-digest differs from the data")
        if view.content_type is not None and view.content_type != content_type:
            raise SigningError(ErrorCode.BAD_SIGNATURE, "content-type attribute does not match")
        signed_bytes = view.signed_attrs
    if gost.is_gost_oid(view.signature_oid):
        spki = subject_public_key_info(certificate)
        ok = gost.verify(spki, view.signature_oid, signed_bytes, view.signature)
    else:
        public_key = certificate.public_key()
        if keys.key_family(public_key) != view.key_family:
            raise SigningError(
                ErrorCode.UNSUPPORTED_ALGORITHM,
                f"{view.algorithm_name} signature by a {keys.key_family(public_key)} key",
            )
        ok = keys.verify(
            public_key,
            view.signature,
            signed_bytes,
            keys.hash_algorithm(view.signature_hash_name),
        )
    if not ok:
        raise SigningError(ErrorCode.BAD_SIGNATURE, "signature does not verify")


def _load_signed_data(cms_bytes: bytes) -> cms.SignedData:
    der = _dearmor(cms_bytes)
    try:
        info = cms.ContentInfo.load(der, strict=True)
        if info["content_type"].native != "signed_data":
            raise SigningError(ErrorCode.MALFORMED_CMS, "not a CMS SignedData")
        signed_data = info["content"]
        # Parse now so damage surfaces here; certificates are left to `cryptography`, since
        # asn1crypto refuses the GOST keys inside them.
        for part in ("digest_algorithms", "encap_content_info", "signer_infos"):
            _ = signed_data[part].native
    except SigningError:
        raise
    except Exception as error:
        # asn1crypto reports damaged input with many exception types.
        raise SigningError(ErrorCode.MALFORMED_CMS, f"cannot parse CMS: {error}") from error
    if not isinstance(signed_data, cms.SignedData):
        raise SigningError(ErrorCode.MALFORMED_CMS, "not a CMS SignedData")
    return signed_data


def _dearmor(data: bytes) -> bytes:
    if not data.lstrip().startswith(b"-----BEGIN"):
        return data
    body = b"".join(line for line in data.splitlines() if line and not line.startswith(b"-----"))
    try:
        return base64.b64decode(body, validate=True)
    except binascii.Error as error:
        raise SigningError(ErrorCode.MALFORMED_CMS, f"bad PEM: {error}") from error


def _certificates(signed_data: cms.SignedData) -> list[x509.Certificate]:
    found = []
    for choice in signed_data["certificates"] or []:
        if choice.name == "certificate":
            try:
                found.append(x509.load_der_x509_certificate(choice.chosen.dump()))
            except ValueError as error:
                raise SigningError(ErrorCode.MALFORMED_CMS, f"bad certificate: {error}") from error
    return found


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
