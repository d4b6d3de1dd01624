"""`kepil monitoring`: the §10 stage log kept by this instance."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail

if TYPE_CHECKING:
    from sqlalchemy.engine import URL

monitoring_app = typer.Typer(help="The monitoring stage log (Rules §10).", no_args_is_help=True)


@monitoring_app.command("verify")
def verify() -> None:
    """Check every entry's hash and link; exit 1 and name the first broken entry if tampered."""
    # The database alone, not bootstrap(): a check must not migrate the database it inspects
    # nor make a test PKI it never uses. Imported late so other commands skip SQLAlchemy.
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.db.tables import monitoring_events
    from kepil.bootstrap import database as open_database
    from kepil.config import Settings
    from kepil.services.permits.monitoring import check_chain

    settings = Settings()
    configured = settings.effective_database_url
    url = make_url(configured)
    database = url.render_as_string(hide_password=True)
    not_migrated = f"{database} has no monitoring log yet: run `kepil db upgrade` first"
    if _absent_sqlite_file(url):
        raise fail(not_migrated)
    db = open_database(settings, migrate_schema=False)
    engine = db.engine
    try:
        if not inspect(engine).has_table(monitoring_events.name):
            raise fail(not_migrated)
        result = check_chain(db.unit_of_work())
    except SQLAlchemyError as error:
        reason = str(error.__cause__ or error).splitlines()[0]
        raise fail(f"cannot read {database}: {reason}") from None
    finally:
        engine.dispose()
    report = {
        "intact": result.intact,
        "checked": result.checked,
        "first_broken_seq": result.first_broken_seq,
        "reason": result.reason,
    }
    typer.echo(json.dumps(report))
    if not result.intact:
        raise typer.Exit(EXIT_INVALID)


def _absent_sqlite_file(url: URL) -> bool:
    # Connecting would create the missing file (and its directory): a check leaves no trace.
    path = url.database
    return (
        url.get_backend_name() == "sqlite"
        and bool(path)
        and path != ":memory:"
        and not Path(str(path)).exists()
    )
