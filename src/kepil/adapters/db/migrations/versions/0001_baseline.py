"""Baseline: the root of the revision chain that every feature's tables build on.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Deliberately empty: it gives every database, SQLite or PostgreSQL, a recorded revision
    # from its first start, so the first feature migration has a parent to attach to.
    pass


def downgrade() -> None:
    pass
