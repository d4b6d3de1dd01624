"""The state registry (§11) stores, searches and pages the same on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.permits.ports import RegistryQuery

TODAY = date(2026, 11, 21)
BASE = RegistryEntry(
    registry_number="R-0001",
    permit_number="P-0001",
    application_number="A-0001",
    holder_name="ТОО «Кепіл Платформ»",
    holder_iin_bin="190640022316",
    platform_name="Kepil Chain",
    purpose="Выпуск ОЦА, обеспеченных зерном",
    addresses=("050000, г. Алматы, ул. Абая, 1",),
    issued_on=date(2026, 1, 15),
    valid_until=date(2029, 1, 15),
)


@pytest.fixture
def uow(engine: Engine) -> SqlUnitOfWork:
    migrate.upgrade(engine)
    unit = SqlUnitOfWork(engine)
    entries = [
        BASE,
        replace(
            BASE,
            registry_number="R-0002",
            permit_number="P-0002",
            holder_name="ИП «Ахметова»",
            holder_iin_bin="850315400124",
            platform_name="Astana Assets",
            issued_on=date(2022, 5, 4),
            valid_until=date(2025, 5, 4),
        ),
        replace(
            BASE,
            registry_number="R-0003",
            permit_number="P-0003",
            holder_name="ТОО «100% Гарант_Плюс»",
            holder_iin_bin="120440056787",
            platform_name="Garant",
            issued_on=date(2026, 3, 2),
            valid_until=date(2029, 3, 2),
        ),
    ]
    with unit:
        for entry in entries:
            unit.registry.add(entry)
        unit.commit()
    return unit


def _search(uow: SqlUnitOfWork, **query: object) -> tuple[list[str], int]:
    with uow:
        entries, total = uow.registry.search(RegistryQuery(**query), TODAY)  # type: ignore[arg-type]
    return [e.registry_number for e in entries], total


def test_p11_an_entry_reads_back_whole(uow: SqlUnitOfWork) -> None:
    with uow:
        assert uow.registry.get("R-0001") == BASE


def test_name_search_ignores_case_in_cyrillic(uow: SqlUnitOfWork) -> None:
    assert _search(uow, text="кепіл") == (["R-0001"], 1)
    assert _search(uow, text="АХМЕТОВА") == (["R-0002"], 1)


def test_platform_and_iin_bin_narrow_the_search(uow: SqlUnitOfWork) -> None:
    assert _search(uow, platform="astana") == (["R-0002"], 1)
    assert _search(uow, iin_bin="120440056787") == (["R-0003"], 1)


def test_like_wildcards_in_the_search_text_are_literal(uow: SqlUnitOfWork) -> None:
    assert _search(uow, text="100%") == (["R-0003"], 1)
    assert _search(uow, text="т_о") == ([], 0)


def test_expired_is_computed_from_the_validity_end(uow: SqlUnitOfWork) -> None:
    assert _search(uow, status=RegistryStatus.EXPIRED) == (["R-0002"], 1)
    assert _search(uow, status=RegistryStatus.ACTIVE) == (["R-0003", "R-0001"], 2)


def test_pages_come_newest_first_with_the_total(uow: SqlUnitOfWork) -> None:
    assert _search(uow, limit=2) == (["R-0003", "R-0001"], 3)
    assert _search(uow, limit=2, offset=2) == (["R-0002"], 3)


def test_a_suspension_is_stored_with_its_reason_and_history(uow: SqlUnitOfWork) -> None:
    at = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    with uow:
        entry = uow.registry.get("R-0001")
        assert entry is not None
        suspended = entry.change_status(
            RegistryStatus.SUSPENDED, "Решение суда № 2-1/26", "head:900101300126", at
        )
        uow.registry.save_status(suspended, suspended.history[-1])
        uow.commit()
    with uow:
        stored = uow.registry.get("R-0001")
    assert stored is not None
    assert stored.status_on(TODAY) is RegistryStatus.SUSPENDED
    assert stored.status_reason == "Решение суда № 2-1/26"
    assert [h.status for h in stored.history] == [RegistryStatus.SUSPENDED]
    assert stored.history[0].at == at
    assert _search(uow, status=RegistryStatus.SUSPENDED) == (["R-0001"], 1)
    assert stored.status_on(TODAY + timedelta(days=5000)) is RegistryStatus.SUSPENDED


def test_a_platform_query_never_matches_a_holder_name(uow: SqlUnitOfWork) -> None:
    # "Кепіл" and "Гарант" are in holder names only; R-0001's platform is "Kepil Chain".
    assert _search(uow, platform="кепіл") == ([], 0)
    assert _search(uow, platform="гарант") == ([], 0)
    assert _search(uow, text="гарант") == (["R-0003"], 1)


def test_a_platform_query_matches_part_of_the_platform_name_in_any_case(
    uow: SqlUnitOfWork,
) -> None:
    with uow:
        uow.registry.add(
            replace(
                BASE,
                registry_number="R-0004",
                permit_number="P-0004",
                holder_name="АО «Астық»",
                platform_name="Цифровой Актив Қазақстан",
                issued_on=date(2026, 6, 1),
            )
        )
        uow.commit()
    assert _search(uow, platform="CHAIN") == (["R-0001"], 1)
    assert _search(uow, platform="ВОЙ аКТ") == (["R-0004"], 1)
    assert _search(uow, platform="ҚАЗАҚ") == (["R-0004"], 1)
    assert _search(uow, platform="garant", text="гарант") == (["R-0003"], 1)


def test_an_entry_is_found_by_its_permit_number_with_its_history(uow: SqlUnitOfWork) -> None:
    at = datetime(2026, 6, 1, 10, tzinfo=UTC)
    with uow:
        entry = uow.registry.get("R-0003")
        assert entry is not None
        changed = entry.change_status(RegistryStatus.SUSPENDED, "решение суда", "head", at)
        uow.registry.save_status(changed, changed.history[-1])
        uow.commit()
    with uow:
        found = uow.registry.find_by_permit("P-0003")
        missing = uow.registry.find_by_permit("R-0003")
    assert found is not None
    assert (found.registry_number, found.stored_status) == ("R-0003", RegistryStatus.SUSPENDED)
    assert [h.reason for h in found.history] == ["решение суда"]
    assert missing is None
