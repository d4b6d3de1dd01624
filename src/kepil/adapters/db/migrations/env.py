"""Alembic environment: runs migrations on the engine handed over by kepil.adapters.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Engine

from kepil.adapters.db.schema import metadata

engine = context.config.attributes.get("engine")
if not isinstance(engine, Engine):
    raise RuntimeError("run migrations through `kepil db upgrade`, which supplies the engine")

with engine.begin() as connection:
    # SQLite cannot ALTER most things in place; batch mode rebuilds tables transactionally.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        transaction_per_migration=True,
    )
    with context.begin_transaction():
        context.run_migrations()
