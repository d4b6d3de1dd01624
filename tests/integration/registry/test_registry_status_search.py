"""Status searches page the same on both databases; migration 0009 indexes them (§11)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, event, inspect, text

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.permits.ports import RegistryQuery

TODAY = date(2026, 11, 21)
BASE = RegistryEntry(
    registry_number="R-0000",
    permit_number="P-0000",
    application_number="A-0000",
    holder_name="ТОО «Кепіл»",
    holder_iin_bin="190640022316",
    platform_name="Kepil Chain",
    purpose="Выпуск ОЦА",
    addresses=("050000, г. Алматы",),
    issued_on=date(2023, 1, 1),
    valid_until=date(2026, 1, 1),
)
INDEX = "ix_registry_entries_status_issued"


def _entry(number: int, issued_on: date, valid_until: date, **changes: object) -> RegistryEntry:
    return replace(
        BASE,
        registry_number=f"R-{number:04}",
        permit_number=f"P-{number:04}",
        issued_on=issued_on,
        valid_until=valid_until,
        **changes,  # type: ignore[arg-type]
    )


def _search(engine: Engine, **query: object) -> tuple[list[str], int]:
    with SqlUnitOfWork(engine) as uow:
        entries, total = uow.registry.search(RegistryQuery(**query), TODAY)  # type: ignore[arg-type]
    return [e.registry_number for e in entries], total


def test_expired_pages_newest_first_and_leaves_out_what_is_still_valid(engine: Engine) -> None:
    migrate.upgrade(engine)
    old = date(2023, 3, 1)
    entries = [
        _entry(1, old, TODAY - timedelta(days=1)),  # expired yesterday
        _entry(2, old, TODAY),  # valid through today: active, not expired
        _entry(3, date(2023, 5, 1), date(2026, 5, 1)),
        _entry(4, date(2023, 5, 1), date(2026, 5, 1)),  # same day as R-0003: number breaks ties
        _entry(5, date(2023, 6, 1), date(2026, 6, 1), stored_status=RegistryStatus.SUSPENDED),
        _entry(6, date(2022, 1, 1), date(2025, 1, 1)),
        _entry(7, date(2026, 1, 1), date(2029, 1, 1)),
    ]
    with SqlUnitOfWork(engine) as uow:
        for entry in entries:
            uow.registry.add(entry)
        uow.commit()
    expired = RegistryStatus.EXPIRED
    assert _search(engine, status=expired) == (["R-0004", "R-0003", "R-0001", "R-0006"], 4)
    assert _search(engine, status=expired, limit=2, offset=1) == (["R-0003", "R-0001"], 4)
    assert _search(engine, status=RegistryStatus.ACTIVE) == (["R-0007", "R-0002"], 2)
    assert _search(engine, status=RegistryStatus.SUSPENDED) == (["R-0005"], 1)
    assert _search(engine, status=expired, text="кепіл", limit=1) == (["R-0004"], 4)


def test_0009_adds_the_status_index_and_its_downgrade_removes_it(engine: Engine) -> None:
    migrate.upgrade(engine)
    assert INDEX in {i["name"] for i in inspect(engine).get_indexes("registry_entries")}
    migrate.downgrade(engine, "0008")
    assert INDEX not in {i["name"] for i in inspect(engine).get_indexes("registry_entries")}
    migrate.upgrade(engine)
    assert migrate.schema_status(engine).up_to_date


def test_postgresql_pages_expired_entries_through_the_status_index(engine: Engine) -> None:
    # Entries as they accrue: the expired ones are the oldest. Without the index PostgreSQL
    # walked issued_on backwards and read every still valid row before the first expired one.
    if engine.dialect.name != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    migrate.upgrade(engine)
    start = date(2023, 1, 1)
    with SqlUnitOfWork(engine) as uow:
        for n in range(3_000):
            issued = start + timedelta(days=n % 1_400)
            uow.registry.add(_entry(n, issued, issued + timedelta(days=1_095)))
        uow.commit()
    with engine.begin() as connection:
        connection.execute(text("ANALYZE registry_entries"))
    statements: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        assert _search(engine, status=RegistryStatus.EXPIRED)[1] > 0
    finally:
        event.remove(engine, "before_cursor_execute", record)
    [(statement, parameters)] = statements
    with engine.connect() as connection:
        plan = connection.exec_driver_sql(f"EXPLAIN {statement}", parameters).scalars().all()  # type: ignore[arg-type]
    assert any(INDEX in line for line in plan), "\n".join(plan)
