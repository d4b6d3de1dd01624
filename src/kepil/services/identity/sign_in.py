"""Sign-in by EDS: issue a challenge, exchange a signature over it for a session."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from kepil.domain.auth import (
    Challenge,
    Principal,
    Session,
    SignInRefusal,
    SignInRefusedError,
)
from kepil.domain.clock import Clock
from kepil.services.identity.ports import SignInVerifier
from kepil.services.messagebus import Command
from kepil.services.unit_of_work import UnitOfWork

CHALLENGE_TTL = timedelta(minutes=2)
# Expired challenges are kept a day for the audit of failed sign-ins, then purged.
CHALLENGE_RETENTION = timedelta(days=1)
SESSION_TTL = timedelta(hours=8)


@dataclass(frozen=True)
class IssuedSession:
    """A new session and the bearer token that opens it (shown once, stored only hashed)."""

    token: str
    session: Session


@dataclass(frozen=True)
class IssueChallenge(Command[Challenge]):
    """Ask for a fresh single-use nonce to sign."""


@dataclass(frozen=True)
class LogIn(Command[IssuedSession]):
    """Present a CMS over a nonce; `nonce` is needed only when the CMS is detached."""

    cms: bytes
    nonce: str | None = None


@dataclass(frozen=True)
class SessionSecrets:
    """The key that turns bearer tokens into the hashes the database keeps."""

    key: bytes

    def token_hash(self, token: str) -> str:
        """HMAC-SHA256 of the token: a leaked sessions table opens no session."""
        return hmac.new(self.key, token.encode(), hashlib.sha256).hexdigest()


def issue_challenge(_command: IssueChallenge, uow: UnitOfWork, clock: Clock) -> Challenge:
    """Store and return a random nonce valid for CHALLENGE_TTL."""
    now = clock.now()
    challenge = Challenge(secrets.token_urlsafe(32), now, now + CHALLENGE_TTL)
    with uow:
        uow.challenges.add(challenge)
        uow.challenges.purge_expired(before=now - CHALLENGE_RETENTION)
        uow.commit()
    return challenge


@dataclass(frozen=True)
class LogOut(Command[None]):
    """End the session a bearer token opens."""

    token: str


def log_in(
    command: LogIn,
    uow: UnitOfWork,
    sign_in_verifier: SignInVerifier,
    clock: Clock,
    session_secrets: SessionSecrets,
) -> IssuedSession:
    """Verify the signature over an unused nonce and open a session for its signer."""
    nonce = sign_in_verifier.signed_nonce(command.cms) or command.nonce
    if not nonce:
        raise SignInRefusedError(
            SignInRefusal.MALFORMED_SIGNATURE, "the CMS carries no nonce and none was given"
        )
    now = clock.now()
    with uow:
        challenge = uow.challenges.get(nonce)
        if challenge is None:
            raise SignInRefusedError(SignInRefusal.UNKNOWN_NONCE, "this nonce was not issued here")
        refusal = challenge.refusal_at(now)
        if refusal is not None:
            raise SignInRefusedError(refusal, "request a new challenge")
        # Consumed before the signature is checked, and committed either way: one nonce, one
        # attempt, so a captured nonce cannot be used to probe signatures.
        if not uow.challenges.consume(nonce, now):
            raise SignInRefusedError(SignInRefusal.REPLAYED_NONCE, "request a new challenge")
        uow.commit()
    principal = sign_in_verifier.verify(command.cms, nonce, now)
    return _open_session(principal, uow, clock, session_secrets)


def _open_session(
    principal: Principal, uow: UnitOfWork, clock: Clock, session_secrets: SessionSecrets
) -> IssuedSession:
    token = secrets.token_urlsafe(32)
    now = clock.now()
    session = Session(session_secrets.token_hash(token), principal, now, now + SESSION_TTL)
    with uow:
        uow.sessions.add(session)
        uow.commit()
    return IssuedSession(token, session)


def current_session(
    token: str, uow: UnitOfWork, clock: Clock, session_secrets: SessionSecrets
) -> Session | None:
    """The active session a bearer token opens, or None."""
    with uow:
        session = uow.sessions.get(session_secrets.token_hash(token))
    if session is None or not session.active_at(clock.now()):
        return None
    return session


def log_out(
    command: LogOut, uow: UnitOfWork, clock: Clock, session_secrets: SessionSecrets
) -> None:
    """End the session the token opens; unknown tokens are ignored."""
    with uow:
        uow.sessions.revoke(session_secrets.token_hash(command.token), clock.now())
        uow.commit()


COMMAND_HANDLERS: dict[type[Command[Any]], Callable[..., Any]] = {
    IssueChallenge: issue_challenge,
    LogIn: log_in,
    LogOut: log_out,
}
