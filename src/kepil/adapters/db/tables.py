"""Table definitions; Alembic migrations create them, repositories query them."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, Table, Text

from kepil.adapters.db.metadata import metadata
from kepil.adapters.db.types import UtcDateTime

auth_challenges = Table(
    "auth_challenges",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("used_at", UtcDateTime, nullable=True),
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("iin", String(12), nullable=False),
    Column("bin", String(12), nullable=True),
    Column("name", Text, nullable=False),
    Column("organization", Text, nullable=True),
    Column("role", String(64), nullable=True),
    Column("certificate_serial", String(64), nullable=False),
    Column("certificate_issuer", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("revoked_at", UtcDateTime, nullable=True),
    Index("ix_sessions_iin", "iin"),
)
