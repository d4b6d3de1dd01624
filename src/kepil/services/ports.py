"""Interfaces the services need from the outside world; adapters implement them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from kepil.services.registry import RegistryQuery

from kepil.domain.auth import Challenge, Principal, Session
from kepil.domain.monitoring import ChainedEntry, StageRecord
from kepil.domain.registry import RegistryEntry, StatusChange
from kepil.domain.state_records import BusinessRecord, CourtDecision, PersonRecord


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


class StageLog(Protocol):
    """The monitoring stage log (Rules §10), appended in the same transaction as the change."""

    def append(self, record: StageRecord) -> ChainedEntry:
        """Chain and store the record."""
        ...

    def after(self, seq: int, limit: int) -> list[ChainedEntry]:
        """Entries after `seq`, oldest first."""
        ...

    def all(self, batch: int = 1000) -> Iterator[ChainedEntry]:
        """Every entry in order."""
        ...


class EgovGateway(Protocol):
    """The e-gov gateway (Rules §4): identity, registration and court records by IIN/BIN."""

    def person(self, iin: str) -> PersonRecord | None:
        """The identity record for an IIN, or None."""
        ...

    def business(self, number: str) -> BusinessRecord | None:
        """The registration of a legal entity (BIN) or an entrepreneur (IIN), or None."""
        ...

    def court_decisions(self, subject: str, on: date) -> list[CourtDecision]:
        """Court decisions in force on the day against the IIN/BIN (App. 1 §10 items 3–4)."""
        ...


class RegistryRepository(Protocol):
    """The public state registry (Rules §11)."""

    def add(self, entry: RegistryEntry) -> None:
        """Store a new entry."""
        ...

    def save_status(self, entry: RegistryEntry, change: StatusChange) -> None:
        """Store a status change and its history line."""
        ...

    def get(self, number: str) -> RegistryEntry | None:
        """The entry with its history, or None."""
        ...

    def search(self, query: RegistryQuery, today: date) -> tuple[list[RegistryEntry], int]:
        """A page of matching entries and the count of all matches."""
        ...
