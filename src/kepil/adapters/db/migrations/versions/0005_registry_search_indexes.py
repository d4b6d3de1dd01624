"""Registry search indexes: trigram search on PostgreSQL, status + validity for status filters.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-21
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

log = logging.getLogger("kepil.migrations")


def upgrade() -> None:
    op.create_index(
        "ix_registry_entries_status_validity", "registry_entries", ["stored_status", "valid_until"]
    )
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite scans; the embedded default holds a few thousand entries at most
    # Substring search (LIKE '%…%') needs trigrams. Creating the extension needs a privilege a
    # managed database may withhold; search still works without the index, only slower.
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        savepoint.commit()
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning("pg_trgm unavailable, registry name search will scan: %s", error.orig)
        return
    bind.execute(
        sa.text(
            "CREATE INDEX ix_registry_entries_search_trgm ON registry_entries "
            "USING gin (search_text public.gin_trgm_ops)"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_registry_entries_search_trgm"))
    op.drop_index("ix_registry_entries_status_validity", "registry_entries")
