"""App.1 §10 items 3-4: the examiner's signed records that a reported court decision does not
concern the activity, kept with the application until the permit carries them.

Existing rows read as before: no application has such a record ("[]").

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "permit_applications",
        sa.Column("ground_clearances", sa.Text, nullable=False, server_default="[]"),
    )


def downgrade() -> None:
    op.drop_column("permit_applications", "ground_clearances")
