"""Integration tests run twice: on an embedded SQLite file and on the machine's PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from kepil.adapters.db.engine import make_engine

POSTGRES_URL = os.environ.get(
    "KEPIL_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
_skipped_postgres: list[str] = []


@cache
def _postgres_unreachable_reason() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
    except OperationalError as error:
        return str(error.__cause__ or error).splitlines()[0]
    return None


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A fresh, empty database: a new SQLite file, or a new PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'kepil.sqlite3'}"
        return
    reason = _postgres_unreachable_reason()
    if reason is not None:
        _skipped_postgres.append(request.node.nodeid)
        pytest.skip(f"PostgreSQL UNREACHABLE at {POSTGRES_URL} ({reason}): test NOT run on it")
    schema = f"kepil_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on the fresh database, disposed after the test."""
    built = make_engine(database_url)
    yield built
    built.dispose()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say it loudly when the PostgreSQL half of the suite did not run."""
    if _skipped_postgres:
        terminalreporter.section("PostgreSQL NOT TESTED", sep="!", red=True, bold=True)
        terminalreporter.line(
            f"{len(_skipped_postgres)} integration tests were skipped because PostgreSQL at "
            f"{POSTGRES_URL} is unreachable. Start it (pg_ctlcluster ... main start) and rerun.",
            red=True,
        )
