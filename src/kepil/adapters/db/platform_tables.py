"""Platforms registered for a permit and the outbox of registry changes on their way to them
(issue 21; services/permits/platforms.py, services/bridge/relay.py)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from kepil.adapters.db.metadata import metadata
from kepil.adapters.db.types import UtcDateTime

_ID = BigInteger().with_variant(Integer, "sqlite")

# One row per platform (a chain) that runs under a permit; `nodes` is a JSON list of base URLs.
permit_platforms = Table(
    "permit_platforms",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("permit_number", String(32), nullable=False),
    Column("name", Text, nullable=False),
    Column("chain_id", String(100), nullable=False),
    Column("nodes", Text, nullable=False),
    Column("registered_by", Text, nullable=False),
    Column("registered_at", UtcDateTime, nullable=False),
    Column("removed_at", UtcDateTime, nullable=True),  # migration 0016; kept with its history
    UniqueConstraint("permit_number", "chain_id"),
)

# The registry's signed status changes, kept once however many platforms they go to: the
# `permit_status_change` bytes and the head's CMS, exactly as the platforms' nodes verify them.
permit_status_changes = Table(
    "permit_status_changes",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("permit_number", String(32), nullable=False),
    Column("registry_number", String(32), nullable=False),
    Column("application_number", String(32), nullable=False),
    Column("holder", String(12), nullable=False),
    Column("action", String(16), nullable=False),
    Column("document", LargeBinary, nullable=False),
    Column("cms", LargeBinary, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    # Unix seconds of the CMS signing time, the platforms' "ministry" nonce (migration 0016;
    # None for changes recorded before it).
    Column("signed_at", BigInteger, nullable=True),
    Index("ix_permit_status_changes_permit_number", "permit_number"),
)

# The outbox: one row per change and platform. `state` is pending, failing or delivered; a
# relay leases a row (lease_owner until lease_until) while it sends it; `built_at` is the
# moment the transaction was built for, so a retry sends the same transaction (`tx_id`).
platform_deliveries = Table(
    "platform_deliveries",
    metadata,
    Column("id", _ID, primary_key=True),
    Column("platform_id", _ID, ForeignKey("permit_platforms.id"), nullable=False),
    Column("change_id", _ID, ForeignKey("permit_status_changes.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("last_error", Text, nullable=True),
    Column("next_attempt_at", UtcDateTime, nullable=False),
    Column("lease_owner", String(64), nullable=True),
    Column("lease_until", UtcDateTime, nullable=True),
    Column("built_at", BigInteger, nullable=True),
    Column("tx_id", String(64), nullable=True),
    Column("height", BigInteger, nullable=True),
    Column("code", String(64), nullable=True),
    Column("delivered_at", UtcDateTime, nullable=True),
    Column("created_at", UtcDateTime, nullable=False),
    UniqueConstraint("platform_id", "change_id"),
    Index("ix_platform_deliveries_state_next_attempt_at", "state", "next_attempt_at"),
)
