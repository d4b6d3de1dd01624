"""Registry reads that stay fast at 100,000 entries (migration 0011) find what a scan finds:
trigram name search on SQLite, pages in index order, exports that walk on from the last entry."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, event

from kepil.adapters.db import migrate, registry_repository
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.permits.ports import RegistryKey, RegistryQuery

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
BASE = RegistryEntry(
    registry_number="REG-0000",
    permit_number="PRM-0000",
    application_number="APP-0000",
    holder_name="ТОО «Кепіл»",
    holder_iin_bin="190640022316",
    platform_name="Kepil Chain",
    purpose="Выпуск ОЦА",
    addresses=("050000, г. Алматы",),
    issued_on=date(2025, 1, 1),
    valid_until=date(2028, 1, 1),
)
HOLDERS = (
    "ТОО «Алтын Капитал»", "ЖШС «Сарыарқа Digital»", "ИП Ахметова Айгүл Серікқызы",
    "АО «Финансовый дом 100%»", "ТОО «Нұр_Инвест»", "АҚ «АЛТЫН ОРДА»", "ТОО «Ақжол»",
)  # fmt: skip
PLATFORMS = ("Kepil Chain", "Qazaq Ledger 7", "Астана Токен", "Nomad Vault")


def _entries(count: int) -> list[RegistryEntry]:
    return [
        replace(
            BASE,
            registry_number=f"REG-{n:04}",
            permit_number=f"PRM-{n:04}",
            holder_name=HOLDERS[n % len(HOLDERS)],
            platform_name=PLATFORMS[n % len(PLATFORMS)],
            # Few issue days, so many entries share one and the number breaks the tie.
            issued_on=BASE.issued_on + timedelta(days=n % 5),
        )
        for n in range(count)
    ]


def _store(engine: Engine, entries: list[RegistryEntry]) -> None:
    with SqlUnitOfWork(engine) as uow:
        for entry in entries:
            uow.registry.add(entry)
        uow.commit()


def _numbers(engine: Engine, page_size: int = 100, **query: object) -> list[str]:
    found: list[str] = []
    with SqlUnitOfWork(engine) as uow:
        while True:
            page = RegistryQuery(**query, limit=page_size, offset=len(found))  # type: ignore[arg-type]
            entries, total = uow.registry.search(page, TODAY)
            found += [e.registry_number for e in entries]
            if len(found) >= total:
                return found


def _expected(entries: list[RegistryEntry], text: str = "", platform: str = "") -> list[str]:
    matches = [
        e
        for e in entries
        if text.casefold() in f"{e.holder_name}\n{e.platform_name}".casefold()
        and platform.casefold() in e.platform_name.casefold()
    ]
    matches.sort(key=lambda e: (e.issued_on, e.registry_number), reverse=True)
    return [e.registry_number for e in matches]


@pytest.mark.parametrize(
    "text",
    [
        "алтын",
        "АЛТЫН капитал",
        "ахметова",
        "kepil",
        "digital",
        "ақ",
        "«",
        "100%",
        "нұр_",
        "ord",
        '«ақжол"',
        "»\nkepil",
    ],
)
def test_a_name_search_finds_exactly_what_a_scan_of_every_name_finds(
    engine: Engine, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    migrate.upgrade(engine)
    entries = _entries(60)
    _store(engine, entries)
    expected = _expected(entries, text=text)
    assert _numbers(engine, text=text) == expected
    # The same pages when matches count as many, so early pages walk the order index instead.
    monkeypatch.setattr(registry_repository, "_COMMON_MATCHES", 2)
    assert _numbers(engine, text=text) == expected
    for size in (1, 3):
        assert _numbers(engine, text=text, page_size=size) == expected


def test_a_platform_filter_and_a_name_search_narrow_each_other(engine: Engine) -> None:
    migrate.upgrade(engine)
    entries = _entries(60)
    _store(engine, entries)
    found = _numbers(engine, text="алтын", platform="ledger")
    assert found == _expected(entries, text="алтын", platform="ledger")
    assert found


def test_entries_stored_before_the_trigram_index_are_found_by_name(engine: Engine) -> None:
    migrate.upgrade(engine, "0010")
    entries = _entries(30)
    _store(engine, entries)
    migrate.upgrade(engine)
    assert _numbers(engine, text="сарыарқа") == _expected(entries, text="сарыарқа")


def test_a_status_change_keeps_the_entry_findable_by_name(engine: Engine) -> None:
    migrate.upgrade(engine)
    entries = _entries(10)
    _store(engine, entries)
    with SqlUnitOfWork(engine) as uow:
        changed = entries[1].change_status(RegistryStatus.SUSPENDED, "Нұсқама", "head", NOW)
        uow.registry.save_status(changed, changed.history[-1])
        uow.commit()
    suspended = RegistryStatus.SUSPENDED
    assert _numbers(engine, text="сарыарқа", status=suspended) == [entries[1].registry_number]


def test_following_walks_every_match_once_in_the_order_of_the_pages(engine: Engine) -> None:
    migrate.upgrade(engine)
    entries = _entries(57)
    _store(engine, entries)
    walked: list[str] = []
    after: RegistryKey | None = None
    with SqlUnitOfWork(engine) as uow:
        while True:
            page = uow.registry.following(RegistryQuery(text="алтын", limit=4), TODAY, after)
            walked += [e.registry_number for e in page]
            if len(page) < 4:
                break
            after = RegistryKey(page[-1].issued_on, page[-1].registry_number)
        from_offset = uow.registry.following(RegistryQuery(limit=3, offset=10), TODAY, None)
    assert walked == _expected(entries, text="алтын")
    assert [e.registry_number for e in from_offset] == _expected(entries)[10:13]


def test_sqlite_pages_from_the_order_index_and_searches_names_in_the_trigram_table(
    engine: Engine,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("query plans are SQLite's")
    migrate.upgrade(engine)
    _store(engine, _entries(200))
    statements: list[tuple[str, object]] = []

    def record(
        _conn: object, _cursor: object, statement: str, parameters: object, *_: object
    ) -> None:
        if "ORDER BY" in statement:
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        _numbers(engine)
        _numbers(engine, text="алтын")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    plans = []
    with engine.connect() as connection:
        for statement, parameters in statements:
            rows = connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)  # type: ignore[arg-type]
            plans.append("\n".join(str(row[-1]) for row in rows))
    whole, by_name = plans[0], plans[-1]
    # The numbers come in order from the index alone; the one sort left is of the page's rows.
    assert "COVERING INDEX ix_registry_entries_issued_number" in whole, whole
    assert whole.count("TEMP B-TREE") == 1, whole
    assert "VIRTUAL TABLE INDEX" in by_name, by_name
