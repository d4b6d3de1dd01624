"""`kepil db`: the database schema, migrated by Alembic."""

from __future__ import annotations

import typer
from sqlalchemy.exc import SQLAlchemyError

from kepil.adapters.db import migrate
from kepil.adapters.db.engine import make_engine
from kepil.config import Settings
from kepil.entrypoints.cli.errors import fail

db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)


@db_app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Target revision.")) -> None:
    """Apply migrations to KEPIL_DATABASE_URL (default: the embedded SQLite file)."""
    settings = Settings()
    engine = make_engine(settings.effective_database_url)
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
    settings = Settings()
    engine = make_engine(settings.effective_database_url)
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
