"""Table definitions; Alembic migrations create them, repositories query them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

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

# Rules §10: every stage goes to the monitoring system; the chain makes the log tamper-evident.
monitoring_events = Table(
    "monitoring_events",
    metadata,
    Column(
        "seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("case_number", String(64), nullable=False),
    Column("stage", String(64), nullable=False),
    Column("actor", Text, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("deadline", UtcDateTime, nullable=True),
    Column("details", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
    Index("ix_monitoring_events_case_number", "case_number"),
)

# One row: the tail of the chain. Appending starts by updating it, which serialises appenders
# on both SQLite (write lock) and PostgreSQL (row lock), so the chain never forks.
monitoring_head = Table(
    "monitoring_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)
