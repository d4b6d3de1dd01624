"""Alembic migrations, run programmatically at start-up and by `kepil db upgrade`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

_MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration bound to this engine (no alembic.ini on disk needed)."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply migrations up to the revision; a no-op when already there."""
    command.upgrade(alembic_config(engine), revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Revert migrations down to the revision."""
    command.downgrade(alembic_config(engine), revision)


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
