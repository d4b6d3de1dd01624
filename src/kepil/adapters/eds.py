"""EDS sign-in through kepil.signing: a CMS over the nonce, made with a key that signs in.

Which keys sign in is nca_profile.KEY_PROFILES: an NCA GOST 2015 key (it also signs), an older
kit's AUTH_RSA256_ key, or the TEST PKI's sign-in key."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from kepil.domain.auth import Principal, SignInRefusal, SignInRefusedError
from kepil.signing.certificates import (
    IdentityNumberCheck,
    Signer,
    has_twelve_digits,
    is_valid_identity_number,
)
from kepil.signing.cms_verify import Issue, encapsulated_content, verify_cms
from kepil.signing.errors import ErrorCode
from kepil.signing.nca_profile import KeyKind
from kepil.signing.revocation import RevocationChecker
from kepil.signing.trust import TrustStore

log = logging.getLogger(__name__)


def identity_number_check(accept_test_identities: bool) -> IdentityNumberCheck:
    """Which IINs and BINs the service accepts from certificates.

    In prod mode only real numbers (structure, date, check digit); in dev mode any twelve
    digits, so the NCA test kits (IIN 123456789011, which fails its check digit) can be used.
    Bootstrap chooses from KEPIL_MODE (`Settings.mode`)."""
    return has_twelve_digits if accept_test_identities else is_valid_identity_number


_REFUSALS = {
    ErrorCode.MALFORMED_CMS: SignInRefusal.MALFORMED_SIGNATURE,
    ErrorCode.CONTENT_MISSING: SignInRefusal.MALFORMED_SIGNATURE,
    ErrorCode.WRONG_KEY_USAGE: SignInRefusal.NOT_AN_AUTHENTICATION_KEY,
}

# Most decisive first. Nothing said about a CMS that cannot be read is reliable, so "malformed"
# wins. "Not an authentication key" tells the user to pick their other key, which helps only
# when the signature is otherwise good, so any reason to distrust the signature outranks it.
# Every other code (untrusted, expired, revoked, bad digest, ...) means "invalid signature".
_PRIORITY = (
    SignInRefusal.MALFORMED_SIGNATURE,
    SignInRefusal.INVALID_SIGNATURE,
    SignInRefusal.NOT_AN_AUTHENTICATION_KEY,
)


def refusal_for(issues: Sequence[Issue]) -> SignInRefusedError:
    """The refusal for a failed verification: the highest-priority code, every issue's text."""
    codes = {_REFUSALS.get(issue.code, SignInRefusal.INVALID_SIGNATURE) for issue in issues}
    code = min(codes, key=_PRIORITY.index, default=SignInRefusal.INVALID_SIGNATURE)
    detail = "; ".join(_describe(issue) for issue in issues) or "no signer"
    return SignInRefusedError(code, detail)


def _describe(issue: Issue) -> str:
    where = "" if issue.signer_index is None else f"signer {issue.signer_index}: "
    return f"{where}{issue.code.value}: {issue.detail}"


class EdsSignInVerifier:
    """Verifies sign-in signatures against the configured trust store and revocation sources."""

    def __init__(
        self,
        trust_store: TrustStore,
        revocation: Sequence[RevocationChecker] = (),
        check_number: IdentityNumberCheck = is_valid_identity_number,
    ) -> None:
        self._trust_store = trust_store
        self._revocation = tuple(revocation)
        self._check_number = check_number

    def signed_nonce(self, cms: bytes) -> str | None:
        """The nonce an attached CMS carries, or None."""
        content = encapsulated_content(cms)
        if content is None:
            return None
        try:
            return content.decode("ascii")
        except UnicodeDecodeError:
            return None

    def verify(self, cms: bytes, nonce: str, at: datetime) -> Principal:
        """The signer of a valid CMS over exactly this nonce, made with a key that signs in."""
        result = verify_cms(
            cms,
            trust_store=self._trust_store,
            at=at,
            data=nonce.encode("ascii"),
            purpose=KeyKind.AUTH,
            revocation=self._revocation,
            check_number=self._check_number,
        )
        if not result.valid:
            raise refusal_for(result.errors)
        if len(result.signers) != 1:
            raise SignInRefusedError(
                SignInRefusal.INVALID_SIGNATURE, "sign-in takes exactly one signer"
            )
        signer = result.sole_signer()
        if signer.iin is None:
            raise SignInRefusedError(SignInRefusal.NO_IDENTITY, "the certificate names no IIN")
        return principal_of(signer, signer.iin)


def principal_of(signer: Signer, iin: str) -> Principal:
    """The person a verified signer certificate names (sign-in and signed documents alike)."""
    for warning in signer.warnings:  # only what the configured check let through (dev mode)
        log.warning("accepting a test identity: %s", warning)
    name = signer.common_name or " ".join(filter(None, (signer.surname, signer.given_name)))
    return Principal(
        iin=iin,
        bin=signer.bin,
        name=name,
        organization=signer.organization,
        role=signer.role.value if signer.role else None,
        certificate_serial=format(signer.serial_number, "x"),
        certificate_issuer=signer.issuer,
    )
