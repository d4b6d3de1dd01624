"""The operator's own database from a terminal: `kepil staff` and `kepil platform register` write
to the database a running service uses, never to a new empty one."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import TYPE_CHECKING

from kepil.entrypoints.cli.errors import fail

if TYPE_CHECKING:
    from kepil.bootstrap import Database


def console_operator() -> str:
    """Who acts from this terminal, as the records name them."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def existing_database() -> tuple[Database, str]:
    """The configured database, and its name for the output.

    The database must exist already (`kepil db upgrade` or `kepil serve` makes it): a mistyped
    KEPIL_DATA_DIR or URL would otherwise get a new, empty database of its own, where a granted
    duty reaches no running service.
    """
    from pydantic import ValidationError
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.db import migrate
    from kepil.adapters.db.engine import make_engine
    from kepil.bootstrap import database
    from kepil.config import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        raise fail(f"invalid configuration: {error.errors()[0]['msg']}") from None
    url = make_url(settings.effective_database_url)
    where = url.render_as_string(hide_password=True)
    hint = "`kepil db upgrade` or `kepil serve` creates it; check KEPIL_DATA_DIR/KEPIL_DATABASE_URL"
    if url.get_backend_name() == "sqlite" and not Path(url.database or "").is_file():
        raise fail(f"no database at {where}: {hint}")
    engine = make_engine(str(settings.effective_database_url))
    try:
        current = migrate.schema_status(engine).current
    except SQLAlchemyError as error:
        raise fail(
            f"cannot read {where}: {str(error.__cause__ or error).splitlines()[0]}"
        ) from None
    finally:
        engine.dispose()
    if current is None:
        raise fail(f"{where} holds no kepil schema: {hint}")
    return database(settings), where
