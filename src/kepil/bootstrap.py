"""Composition root: builds adapters from Settings and hands them to services and entry points."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import Engine

from kepil.adapters.db import migrate
from kepil.adapters.db.engine import make_engine
from kepil.adapters.db.probe import DatabaseProbe
from kepil.config import Settings
from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
from kepil.services.health import Probe

log = logging.getLogger("kepil.bootstrap")


@dataclass
class Container:
    """The wired application: settings, database engine, working calendar, health probes."""

    settings: Settings
    engine: Engine
    calendar: WorkingCalendar
    probes: list[Probe]

    def close(self) -> None:
        """Release pooled connections."""
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, migrate_schema: bool = True) -> Container:
    """Wire the application; by default bring the database schema up to date first."""
    settings = settings or Settings()
    engine = make_engine(settings.effective_database_url)
    if migrate_schema:
        migrate.upgrade(engine)
        status = migrate.schema_status(engine)
        database = engine.url.render_as_string(hide_password=True)
        log.info("database ready", extra={"database": database, "revision": status.current})
    return Container(
        settings=settings,
        engine=engine,
        calendar=kazakhstan_calendar(),
        probes=[DatabaseProbe(engine)],
    )
