"""The database's health probe: reachable, and migrated to the revision this code expects."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from kepil.adapters.db.migrate import head_revision, schema_status
from kepil.services.health import ProbeResult


class DatabaseProbe:
    """Checks the connection and the schema revision."""

    name = "database"

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # The shipped head cannot change while the process runs; reading the scripts once keeps
        # disk access off a path that load balancers poll every few seconds.
        self._head = head_revision(engine)

    def check(self) -> ProbeResult:
        """Run `SELECT 1` and compare the applied migration with the shipped head."""
        backend = self._engine.dialect.name
        try:
            with self._engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            status = schema_status(self._engine, self._head)
        except SQLAlchemyError as error:
            reason = str(error.__cause__ or error).splitlines()[0]
            return ProbeResult(False, {"backend": backend, "error": reason})
        detail = {"backend": backend, "schema": status.current or "none", "head": status.head}
        return ProbeResult(status.up_to_date, detail)
