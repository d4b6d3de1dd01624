"""Engines are durable by default, and the health probe tells the truth about the database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, text

from kepil.adapters.db import migrate
from kepil.adapters.db.engine import make_engine
from kepil.adapters.db.probe import DatabaseProbe


def test_sqlite_runs_in_wal_mode_with_full_synchronous_commits(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'k.sqlite3'}")
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar_one() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    engine.dispose()


def test_probe_passes_on_a_migrated_database(engine: Engine) -> None:
    migrate.upgrade(engine)
    result = DatabaseProbe(engine).check()
    assert result.ok
    assert result.detail["backend"] == engine.dialect.name
    assert result.detail["schema"] == result.detail["head"]


def test_probe_fails_on_a_database_that_was_never_migrated(engine: Engine) -> None:
    result = DatabaseProbe(engine).check()
    assert not result.ok
    assert result.detail["schema"] == "none"


def test_probe_reports_an_unreachable_postgresql_without_raising() -> None:
    engine = make_engine(
        "postgresql://nobody@127.0.0.1:9/none", connect_args={"connect_timeout": 1}
    )
    result = DatabaseProbe(engine).check()
    assert not result.ok
    assert result.detail["backend"] == "postgresql"
    assert result.detail["error"]
    engine.dispose()
