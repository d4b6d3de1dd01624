"""Sign-in by EDS: single-use challenges and the principal a signature proves."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class SignInRefusal(enum.StrEnum):
    """Why a sign-in was refused; stable codes the API returns."""

    UNKNOWN_NONCE = "unknown_nonce"
    EXPIRED_NONCE = "expired_nonce"
    REPLAYED_NONCE = "replayed_nonce"
    MALFORMED_SIGNATURE = "malformed_signature"
    INVALID_SIGNATURE = "invalid_signature"
    NOT_AN_AUTHENTICATION_KEY = "not_an_authentication_key"
    NO_IDENTITY = "no_identity"


class SignInRefusedError(Exception):
    """A sign-in attempt that must not open a session."""

    def __init__(self, code: SignInRefusal, detail: str) -> None:
        super().__init__(f"{code.value}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Challenge:
    """A nonce the server issued; it opens at most one session before it expires."""

    nonce: str
    issued_at: datetime
    expires_at: datetime
    used_at: datetime | None = None

    def refusal_at(self, moment: datetime) -> SignInRefusal | None:
        """Why this challenge cannot be used at the moment, or None when it can."""
        if self.used_at is not None:
            return SignInRefusal.REPLAYED_NONCE
        if moment >= self.expires_at:
            return SignInRefusal.EXPIRED_NONCE
        return None


# NCA certificate roles (EKU 1.2.398.3.3.4.1.2.1 and .2.2) that may sign for a legal entity:
# its first head and a person with the right of signature. An employee (.2.5) may not.
SIGNS_FOR_ORGANISATION = frozenset({"head", "signer"})
ENTREPRENEUR = "entrepreneur"


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified EDS signature belongs to: IIN, BIN of the organisation, role."""

    iin: str
    bin: str | None
    name: str
    organization: str | None
    role: str | None
    certificate_serial: str
    certificate_issuer: str

    @property
    def identifiers(self) -> frozenset[str]:
        """Whose cases are this person's: their IIN and the BIN their certificate names (one
        number for a sole proprietor, whose BIN is the IIN)."""
        return frozenset(number for number in (self.iin, self.bin) if number)

    def may_sign_for(self, number: str) -> bool:
        """Whether this person's signature binds the IIN/BIN: oneself always (a sole
        proprietor's BIN is the IIN), an entrepreneur's own business, and a legal entity only
        for its first head or a person with the right of signature."""
        if number == self.iin:
            return True
        if number != self.bin:
            return False
        return self.role == ENTREPRENEUR or self.role in SIGNS_FOR_ORGANISATION


@dataclass(frozen=True, slots=True)
class Session:
    """An authenticated session, found by the hash of its bearer token."""

    token_hash: str
    principal: Principal
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None

    def active_at(self, moment: datetime) -> bool:
        """Whether the session may be used at the moment."""
        return self.revoked_at is None and moment < self.expires_at
