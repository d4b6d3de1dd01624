"""Rules §8: a hearing may be moved once (its count is kept); cabinet messages in Kazakh too.

Existing rows read as before: no application has moved its hearing (0), and a message stored
before carries no Kazakh text ("": the pages say it again from its kind).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "permit_applications",
        sa.Column("hearing_moves", sa.Integer, nullable=False, server_default="0"),
    )
    op.add_column(
        "notifications",
        sa.Column("message_kk", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_column("notifications", "message_kk")
    op.drop_column("permit_applications", "hearing_moves")
