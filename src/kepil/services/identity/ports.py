"""What sign-in and sessions need from the outside world; adapters implement it."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from kepil.domain.auth import Challenge, Principal, Session


class ChallengeRepository(Protocol):
    """Sign-in challenges."""

    def add(self, challenge: Challenge) -> None:
        """Store a new challenge."""
        ...

    def get(self, nonce: str) -> Challenge | None:
        """The challenge with this nonce, or None if it was never issued here."""
        ...

    def consume(self, nonce: str, at: datetime) -> bool:
        """Mark the challenge used, atomically; False if it was already used or has expired."""
        ...

    def purge_expired(self, before: datetime) -> int:
        """Forget challenges that expired before the moment; returns how many."""
        ...


class SessionRepository(Protocol):
    """Authenticated sessions, keyed by the hash of their token."""

    def add(self, session: Session) -> None:
        """Store a new session."""
        ...

    def get(self, token_hash: str) -> Session | None:
        """The session with this token hash, or None."""
        ...

    def revoke(self, token_hash: str, at: datetime) -> None:
        """End the session now."""
        ...


class SignInVerifier(Protocol):
    """Checks an EDS signature over a sign-in nonce made with an authentication key."""

    def signed_nonce(self, cms: bytes) -> str | None:
        """The nonce an attached CMS carries, or None when it is detached or unreadable."""
        ...

    def verify(self, cms: bytes, nonce: str, at: datetime) -> Principal:
        """The signer, or SignInRefusedError with the reason."""
        ...
