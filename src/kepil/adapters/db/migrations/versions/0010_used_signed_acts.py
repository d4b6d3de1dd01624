"""Signed acts are single-use; the public registry history names no official's IIN.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from kepil.adapters.db.types import UtcDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "used_signed_acts",
        sa.Column("digest", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("result", sa.Text, nullable=False),
        sa.Column("used_at", UtcDateTime, nullable=False),
    )
    _hide_official_iins()


def _hide_official_iins() -> None:
    # Status changes were recorded as "head:<IIN>"; the public now reads "head: <position>"
    # (or the role alone when the position is unknown), as new changes are written.
    connection = op.get_bind()
    history = sa.table("registry_history", sa.column("id"), sa.column("actor"))
    staff = sa.table("staff_roles", sa.column("iin"), sa.column("role"), sa.column("position"))
    rows = connection.execute(
        sa.select(history.c.id, history.c.actor).where(history.c.actor.like("%:%"))
    ).all()
    for row_id, actor in rows:
        role, _, iin = str(actor).partition(":")
        if not (iin.isdigit() and len(iin) == 12):
            continue
        position = connection.execute(
            sa.select(staff.c.position).where(staff.c.iin == iin, staff.c.role == role)
        ).scalar_one_or_none()
        shown = f"{role}: {position}" if position else role
        connection.execute(sa.update(history).where(history.c.id == row_id).values(actor=shown))


def downgrade() -> None:
    # The IINs hidden in the registry history are not put back: they were never public data.
    op.drop_table("used_signed_acts")
