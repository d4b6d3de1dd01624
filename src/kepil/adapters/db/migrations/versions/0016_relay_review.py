"""Review of issue 21's relay: the signing moment of each registry status change, so the
registry refuses a change not signed after the last (the platforms' ledgers apply them in
signing order), and platforms an official or the holder removed, kept with their history.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Unix seconds of the CMS signing-time attribute: the platforms' "ministry" nonce.
    op.add_column("permit_status_changes", sa.Column("signed_at", sa.BigInteger, nullable=True))
    op.add_column("permit_platforms", sa.Column("removed_at", UtcDateTime, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("permit_platforms") as batch:
        batch.drop_column("removed_at")
    with op.batch_alter_table("permit_status_changes") as batch:
        batch.drop_column("signed_at")
