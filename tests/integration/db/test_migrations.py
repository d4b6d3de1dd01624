"""Alembic migrations behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, inspect, text

from kepil.adapters.db import migrate


def test_upgrade_records_the_newest_revision(engine: Engine) -> None:
    migrate.upgrade(engine)
    status = migrate.schema_status(engine)
    assert status.up_to_date
    assert status.current == status.head


def test_a_fresh_database_reports_no_revision(engine: Engine) -> None:
    status = migrate.schema_status(engine)
    assert status.current is None
    assert not status.up_to_date


def test_upgrading_twice_changes_nothing(engine: Engine) -> None:
    migrate.upgrade(engine)
    tables = set(inspect(engine).get_table_names())
    migrate.upgrade(engine)
    assert set(inspect(engine).get_table_names()) == tables
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT count(*) FROM alembic_version")).scalar_one()
    assert rows == 1


def test_downgrade_to_base_and_upgrade_again_round_trips(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "base")
    assert migrate.schema_status(engine).current is None
    migrate.upgrade(engine)
    assert migrate.schema_status(engine).up_to_date
