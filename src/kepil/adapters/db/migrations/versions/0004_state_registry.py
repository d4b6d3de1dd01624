"""The public state registry of permit holders (Rules §11) and its history.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registry_entries",
        sa.Column("registry_number", sa.String(32), primary_key=True),
        sa.Column("permit_number", sa.String(32), nullable=False),
        sa.Column("application_number", sa.String(32), nullable=False),
        sa.Column("holder_name", sa.Text, nullable=False),
        sa.Column("holder_iin_bin", sa.String(12), nullable=False),
        sa.Column("platform_name", sa.Text, nullable=False),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("addresses", sa.Text, nullable=False),
        sa.Column("issued_on", sa.Date, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("stored_status", sa.String(16), nullable=False),
        sa.Column("status_reason", sa.Text, nullable=False),
        sa.Column("search_text", sa.Text, nullable=False),
        sa.UniqueConstraint("permit_number", name="uq_registry_entries_permit_number"),
    )
    for column in ("holder_iin_bin", "issued_on", "valid_until", "stored_status"):
        op.create_index(f"ix_registry_entries_{column}", "registry_entries", [column])
    op.create_table(
        "registry_history",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer, "sqlite"),
            primary_key=True,
            autoincrement=True,
        ),
        sa.Column(
            "registry_number",
            sa.String(32),
            sa.ForeignKey(
                "registry_entries.registry_number",
                name="fk_registry_history_registry_number_registry_entries",
            ),
            nullable=False,
        ),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("actor", sa.Text, nullable=False),
    )
    op.create_index("ix_registry_history_registry_number", "registry_history", ["registry_number"])


def downgrade() -> None:
    op.drop_index("ix_registry_history_registry_number", "registry_history")
    op.drop_table("registry_history")
    for column in ("holder_iin_bin", "issued_on", "valid_until", "stored_status"):
        op.drop_index(f"ix_registry_entries_{column}", "registry_entries")
    op.drop_table("registry_entries")
