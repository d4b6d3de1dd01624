"""`kepil db`: the database schema, migrated by Alembic."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from kepil.entrypoints.cli.errors import fail

if TYPE_CHECKING:
    from sqlalchemy import Engine

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations to KEPIL_DATABASE_URL (default: the embedded SQLite file)."""
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.db import migrate

    engine = _engine()
    try:
        migrate.upgrade(engine, revision)
        status = migrate.schema_status(engine)
    except SQLAlchemyError as error:
        raise fail(
            f"cannot migrate {engine.url!r}: {str(error.__cause__ or error).splitlines()[0]}", 1
        ) from None
    finally:
        engine.dispose()
    typer.echo(f"{engine.url.render_as_string(hide_password=True)}: at revision {status.current}")


@db_app.command("current")
def current() -> None:
    """Print the applied revision and whether it is the newest."""
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.db import migrate

    engine = _engine()
    try:
        status = migrate.schema_status(engine)
    except SQLAlchemyError as error:
        raise fail(
            f"cannot read {engine.url!r}: {str(error.__cause__ or error).splitlines()[0]}", 1
        ) from None
    finally:
        engine.dispose()
    state = "up to date" if status.up_to_date else f"behind (head is {status.head})"
    typer.echo(f"{status.current or 'none'} — {state}")


def _engine() -> Engine:
    # Imported late: `kepil calendar ...` runs in scripts and must not pay for SQLAlchemy.
    from kepil.adapters.db.engine import make_engine
    from kepil.config import Settings

    return make_engine(Settings().effective_database_url)
