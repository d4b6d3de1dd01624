"""Sign-in by EDS: single-use challenges and sessions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_challenges",
        sa.Column("nonce", sa.String(64), primary_key=True),
        sa.Column("issued_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("used_at", UtcDateTime, nullable=True),
    )
    op.create_index("ix_auth_challenges_expires_at", "auth_challenges", ["expires_at"])
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("iin", sa.String(12), nullable=False),
        sa.Column("bin", sa.String(12), nullable=True),
        sa.Column("name", sa.Text, nullable=False),
        sa.Column("organization", sa.Text, nullable=True),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("certificate_serial", sa.String(64), nullable=False),
        sa.Column("certificate_issuer", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("expires_at", UtcDateTime, nullable=False),
        sa.Column("revoked_at", UtcDateTime, nullable=True),
    )
    op.create_index("ix_sessions_iin", "sessions", ["iin"])


def downgrade() -> None:
    op.drop_index("ix_sessions_iin", "sessions")
    op.drop_table("sessions")
    op.drop_index("ix_auth_challenges_expires_at", "auth_challenges")
    op.drop_table("auth_challenges")
