"""The migrations create exactly the tables the code defines."""

from __future__ import annotations

from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from kepil.adapters.db import migrate
from kepil.adapters.db.schema import metadata

# Indexes that exist on PostgreSQL only (declared with ddl_if in tables.py).
POSTGRESQL_ONLY = {"ix_registry_entries_search_trgm"}
# SQLite only: the FTS5 trigram table of registry names (migration 0011) and the tables FTS5 keeps
# it in, which SQLAlchemy cannot declare.
SQLITE_ONLY = {
    "registry_search",
    *(f"registry_search_{part}" for part in ("data", "idx", "content", "docsize", "config")),
}


def test_migrated_schema_has_no_difference_from_the_table_definitions(engine: Engine) -> None:
    migrate.upgrade(engine)

    def include(obj: Any, name: str | None, kind: str, *_: Any) -> bool:
        if kind == "table" and name in SQLITE_ONLY:
            return engine.dialect.name != "sqlite"
        return not (
            kind == "index" and name in POSTGRESQL_ONLY and engine.dialect.name != "postgresql"
        )

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": include})
        differences = compare_metadata(context, metadata)
    assert differences == []
