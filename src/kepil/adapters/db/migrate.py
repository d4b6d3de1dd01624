"""Alembic migrations, run programmatically at start-up and by `kepil db upgrade`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to this engine (no alembic.ini on disk needed)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to the revision; a no-op when already there."""
    with migrating(engine) as bound:
        command.upgrade(alembic_config(bound), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to the revision."""
    with migrating(engine) as bound:
        command.downgrade(alembic_config(bound), revision)


@contextmanager
def migrating(engine: Engine) -> Iterator[Engine]:
    """The engine migrations run on: for a SQLite file, one whose transactions hold DDL too.

    pysqlite commits before every CREATE or ALTER on its own, so a migration that failed after
    its DDL left the table behind with the old revision recorded, and every retry failed on
    "already exists". Here the driver's own transaction handling is off and each transaction is
    an explicit BEGIN IMMEDIATE (the write lock taken at once: a concurrent start waits for the
    migration instead of failing halfway), so a migration lands whole or not at all. Only
    migrations run this way; the service keeps pysqlite's usual behaviour.
    """
    url = engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        yield engine
        return
    bound = create_engine(url, poolclass=NullPool)
    event.listen(bound, "connect", _without_implicit_transactions)
    event.listen(bound, "begin", _begin_immediate)
    try:
        yield bound
    finally:
        bound.dispose()


def _without_implicit_transactions(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


@dataclass(frozen=True)
class SchemaStatus:
    """Where the database schema stands against the migrations shipped with this code."""

    current: str | None
    head: str

    @property
    def up_to_date(self) -> bool:
        """Whether every shipped migration has been applied."""
        return self.current == self.head


def head_revision(engine: Engine) -> str:
    """The newest migration shipped with this build (read from the migration scripts)."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    if head is None:
        raise RuntimeError("no migrations are shipped with this build")
    return head


def schema_status(engine: Engine, head: str | None = None) -> SchemaStatus:
    """Read the applied revision and compare it with the newest shipped one."""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_revision()
    return SchemaStatus(current=current, head=head or head_revision(engine))
