"""Migration 0006 fills the platform search column for entries stored before it."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, text

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.services.permits.ports import RegistryQuery


def test_entries_stored_before_0006_are_found_by_platform(engine: Engine) -> None:
    migrate.upgrade(engine, "0005")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO registry_entries (registry_number, permit_number, "
                "application_number, holder_name, holder_iin_bin, platform_name, purpose, "
                "addresses, issued_on, valid_until, stored_status, status_reason, search_text) "
                "VALUES ('R-0001', 'P-0001', 'A-0001', 'ТОО «Платформа Өрнек»', '190640022316', "
                "'Өрнек Digital', 'ОЦА', '[]', :issued, :until, 'active', '', "
                "'тoo «платформа өрнек»\nөрнек digital')"
            ),
            {"issued": date(2026, 1, 15), "until": date(2029, 1, 15)},
        )
    migrate.upgrade(engine)
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT platform_search FROM registry_entries")).scalar()
    assert stored == "өрнек digital"
    uow = SqlUnitOfWork(engine)
    with uow:
        found, _ = uow.registry.search(RegistryQuery(platform="ӨРНЕК DIG"), date(2026, 11, 21))
        holder_only, _ = uow.registry.search(
            RegistryQuery(platform="платформа"), date(2026, 11, 21)
        )
    assert [entry.registry_number for entry in found] == ["R-0001"]
    assert holder_only == []


def test_downgrading_0006_removes_the_column_and_keeps_the_entries(engine: Engine) -> None:
    migrate.upgrade(engine)
    migrate.downgrade(engine, "0005")
    with engine.connect() as connection:
        columns = connection.execute(text("SELECT * FROM registry_entries")).keys()
    assert "platform_search" not in columns
    migrate.upgrade(engine)
    assert migrate.schema_status(engine).up_to_date
