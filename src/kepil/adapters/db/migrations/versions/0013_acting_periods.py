"""Acting periods: who acts for the head (Rules §9), on which days, on what basis.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def upgrade() -> None:
    op.create_table(
        "acting_periods",
        sa.Column("id", _ID, primary_key=True),
        sa.Column("iin", sa.String(12), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("position", sa.Text, nullable=False),
        sa.Column("first_day", sa.Date, nullable=False),
        sa.Column("last_day", sa.Date, nullable=False),
        sa.Column("basis", sa.Text, nullable=False),
        sa.Column("recorded_at", UtcDateTime, nullable=False),
        sa.Column("recorded_by", sa.Text, nullable=False),
        sa.Column("ended_at", UtcDateTime, nullable=True),
        sa.Column("ended_by", sa.Text, nullable=True),
    )
    op.create_index("ix_acting_periods_iin", "acting_periods", ["iin"])


def downgrade() -> None:
    op.drop_index("ix_acting_periods_iin", "acting_periods")
    op.drop_table("acting_periods")
