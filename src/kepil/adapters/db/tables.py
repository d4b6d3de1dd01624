"""Table definitions; Alembic migrations create them, repositories query them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, String, Table, Text

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

# Rules §11: the public state registry of permit holders. `search_text` holds the casefolded
# holder and platform names: SQLite's lower() folds ASCII only, and names here are Cyrillic.
# `platform_search` holds the platform name alone, so a platform filter never hits a holder.
registry_entries = Table(
    "registry_entries",
    metadata,
    Column("registry_number", String(32), primary_key=True),
    Column("permit_number", String(32), nullable=False, unique=True),
    Column("application_number", String(32), nullable=False),
    Column("holder_name", Text, nullable=False),
    Column("holder_iin_bin", String(12), nullable=False, index=True),
    Column("platform_name", Text, nullable=False),
    Column("purpose", Text, nullable=False),
    Column("addresses", Text, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("valid_until", Date, nullable=False, index=True),
    Column("stored_status", String(16), nullable=False, index=True),
    Column("status_reason", Text, nullable=False),
    Column("search_text", Text, nullable=False),
    Column("platform_search", Text, nullable=False),
    Index("ix_registry_entries_status_validity", "stored_status", "valid_until"),
    # The registry's order (newest first, then by number) is this index read backwards, so a
    # page is found without a sort and a deep page skips index entries only (migration 0011).
    Index("ix_registry_entries_issued_number", "issued_on", "registry_number"),
    # Pages one stored status newest first, testing valid_until in the index (migration 0009):
    # `expired` entries are the oldest, so the issued_on index alone reads every valid row first.
    Index(
        "ix_registry_entries_status_issued",
        "stored_status",
        "issued_on",
        "registry_number",
        "valid_until",
    ),
    # SQLite searches names in an FTS5 trigram table, `registry_search` (migration 0011).
    # PostgreSQL only, made by migrations 0005/0006 when pg_trgm is available. One GIN index
    # serves a condition on either column as well as a separate index would.
    Index(
        "ix_registry_entries_search_trgm",
        "search_text",
        "platform_search",
        postgresql_using="gin",
        postgresql_ops={
            "search_text": "public.gin_trgm_ops",
            "platform_search": "public.gin_trgm_ops",
        },
    ).ddl_if(dialect="postgresql"),
)

registry_history = Table(
    "registry_history",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    ),
    Column(
        "registry_number",
        String(32),
        ForeignKey("registry_entries.registry_number"),
        nullable=False,
        index=True,
    ),
    Column("at", UtcDateTime, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("actor", Text, nullable=False),
)
