"""Challenges and sessions in SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, delete, insert, select, update

from kepil.adapters.db.tables import auth_challenges, sessions
from kepil.domain.auth import Challenge, Principal, Session


class SqlChallengeRepository:
    """Sign-in challenges; consumption is one conditional UPDATE, so it is race-free."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, challenge: Challenge) -> None:
        """Store a new challenge."""
        self._connection.execute(
            insert(auth_challenges).values(
                nonce=challenge.nonce,
                issued_at=challenge.issued_at,
                expires_at=challenge.expires_at,
                used_at=challenge.used_at,
            )
        )

    def get(self, nonce: str) -> Challenge | None:
        """The challenge with this nonce, or None."""
        row = self._connection.execute(
            select(auth_challenges).where(auth_challenges.c.nonce == nonce)
        ).one_or_none()
        if row is None:
            return None
        return Challenge(row.nonce, row.issued_at, row.expires_at, row.used_at)

    def consume(self, nonce: str, at: datetime) -> bool:
        """Mark used if unused and unexpired; two racing consumers cannot both succeed."""
        result = self._connection.execute(
            update(auth_challenges)
            .where(
                auth_challenges.c.nonce == nonce,
                auth_challenges.c.used_at.is_(None),
                auth_challenges.c.expires_at > at,
            )
            .values(used_at=at)
        )
        return result.rowcount == 1

    def purge_expired(self, before: datetime) -> int:
        """Delete challenges that expired before the moment; returns how many."""
        result = self._connection.execute(
            delete(auth_challenges).where(auth_challenges.c.expires_at < before)
        )
        return result.rowcount


class SqlSessionRepository:
    """Authenticated sessions."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, session: Session) -> None:
        """Store a new session."""
        principal = session.principal
        self._connection.execute(
            insert(sessions).values(
                token_hash=session.token_hash,
                iin=principal.iin,
                bin=principal.bin,
                name=principal.name,
                organization=principal.organization,
                role=principal.role,
                certificate_serial=principal.certificate_serial,
                certificate_issuer=principal.certificate_issuer,
                created_at=session.created_at,
                expires_at=session.expires_at,
                revoked_at=session.revoked_at,
            )
        )

    def get(self, token_hash: str) -> Session | None:
        """The session with this token hash, or None."""
        row = self._connection.execute(
            select(sessions).where(sessions.c.token_hash == token_hash)
        ).one_or_none()
        if row is None:
            return None
        principal = Principal(
            row.iin,
            row.bin,
            row.name,
            row.organization,
            row.role,
            row.certificate_serial,
            row.certificate_issuer,
        )
        return Session(row.token_hash, principal, row.created_at, row.expires_at, row.revoked_at)

    def revoke(self, token_hash: str, at: datetime) -> None:
        """End the session now (idempotent)."""
        self._connection.execute(
            update(sessions)
            .where(sessions.c.token_hash == token_hash, sessions.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
