"""Issue 21: platforms registered for a permit, the registry's signed status changes and the
outbox the relay delivers them to the platforms from.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "permit_platforms",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("permit_number", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("chain_id", sa.String(100), nullable=False),
        sa.Column("nodes", sa.Text, nullable=False),
        sa.Column("registered_by", sa.Text, nullable=False),
        sa.Column("registered_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("permit_number", "chain_id", name="uq_permit_platforms_permit_number"),
    )
    op.create_table(
        "permit_status_changes",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("permit_number", sa.String(32), nullable=False),
        sa.Column("registry_number", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(32), nullable=False),
        sa.Column("holder", sa.String(12), nullable=False),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("document", sa.LargeBinary, nullable=False),
        sa.Column("cms", sa.LargeBinary, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
    )
    op.create_index(
        "ix_permit_status_changes_permit_number", "permit_status_changes", ["permit_number"]
    )
    op.create_table(
        "platform_deliveries",
        sa.Column("id", _ID, primary_key=True),
        sa.Column(
            "platform_id",
            _ID,
            sa.ForeignKey(
                "permit_platforms.id",
                name="fk_platform_deliveries_platform_id_permit_platforms",
            ),
            nullable=False,
        ),
        sa.Column(
            "change_id",
            _ID,
            sa.ForeignKey(
                "permit_status_changes.id",
                name="fk_platform_deliveries_change_id_permit_status_changes",
            ),
            nullable=False,
        ),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("next_attempt_at", UtcDateTime, nullable=False),
        sa.Column("lease_owner", sa.String(64), nullable=True),
        sa.Column("lease_until", UtcDateTime, nullable=True),
        sa.Column("built_at", sa.BigInteger, nullable=True),
        sa.Column("tx_id", sa.String(64), nullable=True),
        sa.Column("height", sa.BigInteger, nullable=True),
        sa.Column("code", sa.String(64), nullable=True),
        sa.Column("delivered_at", UtcDateTime, nullable=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.UniqueConstraint("platform_id", "change_id", name="uq_platform_deliveries_platform_id"),
    )
    op.create_index(
        "ix_platform_deliveries_state_next_attempt_at",
        "platform_deliveries",
        ["state", "next_attempt_at"],
    )


def downgrade() -> None:
    op.drop_table("platform_deliveries")
    op.drop_table("permit_status_changes")
    op.drop_table("permit_platforms")
