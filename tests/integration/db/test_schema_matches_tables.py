"""The migrations create exactly the tables the code defines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from kepil.adapters.db import migrate, tables  # noqa: F401 (registers the tables)
from kepil.adapters.db.metadata import metadata


def test_migrated_schema_has_no_difference_from_the_table_definitions(engine: Engine) -> None:
    migrate.upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []
