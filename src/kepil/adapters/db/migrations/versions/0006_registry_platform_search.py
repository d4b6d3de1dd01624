"""Registry platform search: the platform name casefolded in a column of its own, indexed.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("kepil.migrations")

# A frozen view of the table: the migration must not change if tables.py does later.
_entries = sa.table(
    "registry_entries",
    sa.column("registry_number", sa.String),
    sa.column("platform_name", sa.Text),
    sa.column("platform_search", sa.Text),
)


def upgrade() -> None:
    # SQLite adds a NOT NULL column only with a default. Rebuilding the table instead (batch
    # mode) would drop a table registry_history references, which foreign keys forbid.
    op.add_column(
        "registry_entries",
        sa.Column("platform_search", sa.Text, nullable=False, server_default=""),
    )
    _backfill()
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return  # SQLite keeps the '' default it cannot drop in place; every insert sets the value
    op.alter_column("registry_entries", "platform_search", server_default=None)
    if not _trigrams_available():
        return
    # One GIN index over both columns: PostgreSQL searches a multicolumn GIN index equally well
    # on any subset of its columns, so `q`, `platform` and both together share it.
    bind.execute(sa.text("DROP INDEX IF EXISTS ix_registry_entries_search_trgm"))
    bind.execute(
        sa.text(
            "CREATE INDEX ix_registry_entries_search_trgm ON registry_entries USING gin "
            "(search_text public.gin_trgm_ops, platform_search public.gin_trgm_ops)"
        )
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        bind.execute(sa.text("DROP INDEX IF EXISTS ix_registry_entries_search_trgm"))
        installed = bind.execute(
            sa.text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        ).first()
        if installed is not None:
            bind.execute(
                sa.text(
                    "CREATE INDEX ix_registry_entries_search_trgm ON registry_entries "
                    "USING gin (search_text public.gin_trgm_ops)"
                )
            )
    op.drop_column("registry_entries", "platform_search")


def _backfill() -> None:
    # Casefolded in Python, as the repository does on insert: neither database's lower()
    # folds the same way (SQLite's folds ASCII only), and search compares with Python's fold.
    bind = op.get_bind()
    rows = bind.execute(sa.select(_entries.c.registry_number, _entries.c.platform_name)).all()
    if not rows:
        return
    bind.execute(
        _entries.update()
        .where(_entries.c.registry_number == sa.bindparam("number"))
        .values(platform_search=sa.bindparam("folded")),
        [{"number": number, "folded": name.casefold()} for number, name in rows],
    )


def _trigrams_available() -> bool:
    # As in 0005: a managed database may withhold the privilege to create the extension;
    # search then still works, only by scanning.
    bind = op.get_bind()
    savepoint = bind.begin_nested()
    try:
        bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public"))
        savepoint.commit()
    except sa.exc.DBAPIError as error:
        savepoint.rollback()
        log.warning("pg_trgm unavailable, registry platform search will scan: %s", error.orig)
        return False
    return True
