"""Error codes that every verification failure is reported with."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """A specific, machine-readable reason why a signature or certificate is not accepted."""

    MALFORMED_CMS = "malformed_cms"
    MALFORMED_CERTIFICATE = "malformed_certificate"
    CONTENT_MISSING = "content_missing"
    DIGEST_MISMATCH = "digest_mismatch"
    BAD_SIGNATURE = "bad_signature"
    SIGNING_TIME_IN_FUTURE = "signing_time_in_future"
    CERTIFICATE_EXPIRED = "certificate_expired"
    CERTIFICATE_NOT_YET_VALID = "certificate_not_yet_valid"
    CERTIFICATE_REVOKED = "certificate_revoked"
    REVOCATION_UNKNOWN = "revocation_unknown"
    WRONG_KEY_USAGE = "wrong_key_usage"
    UNTRUSTED_CHAIN = "untrusted_chain"
    UNSUPPORTED_ALGORITHM = "unsupported_algorithm"
    SIGNER_CERTIFICATE_MISSING = "signer_certificate_missing"
    NO_SIGNERS = "no_signers"
    INVALID_IDENTITY_NUMBER = "invalid_identity_number"
    # RFC 3161 time-stamp tokens: reported as warnings beside the signature, never instead of it.
    MALFORMED_TIMESTAMP = "malformed_timestamp"
    TIMESTAMP_IMPRINT_MISMATCH = "timestamp_imprint_mismatch"
    TIMESTAMP_INVALID = "timestamp_invalid"
    TIMESTAMP_UNTRUSTED = "timestamp_untrusted"
    TIMESTAMP_UNSUPPORTED = "timestamp_unsupported"
    TIMESTAMP_CERTIFICATE_MISMATCH = "timestamp_certificate_mismatch"
    TIMESTAMP_CERTIFICATE_UNBOUND = "timestamp_certificate_unbound"
    # More signature checks than one verification may spend (crafted look-alikes, many signers).
    TOO_COMPLEX = "too_complex"


class SigningError(Exception):
    """A failure with a specific code; `detail` is for people, `code` is for programs."""

    def __init__(
        self, code: ErrorCode, detail: str, *, revocation_reason: str | None = None
    ) -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail
        # With certificate_revoked: the CRLReason by its RFC 5280 name ("keyCompromise", ...)
        # when the source stated one; None when it is not known.
        self.revocation_reason = revocation_reason
