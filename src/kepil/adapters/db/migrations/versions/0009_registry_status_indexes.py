"""Registry status search: an index that pages one stored status newest first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # `status=expired` is stored_status = 'active' AND valid_until < today, paged newest first.
    # Expired entries are the oldest, so walking issued_on backwards and reading each row to test
    # valid_until went through every still valid entry first. In this index the rows of one
    # stored status come in page order and valid_until is tested in the index itself.
    op.create_index(
        "ix_registry_entries_status_issued",
        "registry_entries",
        ["stored_status", "issued_on", "registry_number", "valid_until"],
    )


def downgrade() -> None:
    op.drop_index("ix_registry_entries_status_issued", "registry_entries")
