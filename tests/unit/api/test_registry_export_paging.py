"""A registry export pages through the database and stops where `limit` and `offset` say."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.registry import RegistryEntry
from kepil.services.permits.ports import MAX_PAGE_SIZE, RegistryQuery
from kepil.services.permits.views.registry import export_entries

DAY = date(2026, 11, 21)
COUNT = 2 * MAX_PAGE_SIZE + 5  # more than two pages of the database


@pytest.fixture
def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    entry = RegistryEntry(
        "R-0000", "P-0000", "A-0000", "ТОО «Актив»", "190640022316", "Kepil Chain", "ОЦА",
        ("г. Алматы",), date(2026, 1, 1), date(2029, 1, 1),
    )  # fmt: skip
    with fake:
        for n in range(COUNT):
            number = f"{n:04}"
            fake.registry.add(replace(entry, registry_number=f"R-{number}", permit_number=number))
        fake.commit()
    return fake


def _numbers(uow: FakeUnitOfWork, offset: int, limit: int | None) -> list[str]:
    query = RegistryQuery(offset=offset)
    return [v.registry_number for v in export_entries(lambda: uow, query, DAY, limit)]


def test_an_export_without_limit_is_the_whole_selection_from_its_offset(
    uow: FakeUnitOfWork,
) -> None:
    everything = _numbers(uow, 0, None)
    assert len(everything) == COUNT
    assert len(set(everything)) == COUNT
    assert _numbers(uow, 3, None) == everything[3:]


@pytest.mark.parametrize(
    ("offset", "limit"), [(0, 1), (5, MAX_PAGE_SIZE), (1, MAX_PAGE_SIZE + 1), (7, 10 * COUNT)]
)
def test_an_export_with_a_limit_stops_after_that_many_entries_across_pages(
    uow: FakeUnitOfWork, offset: int, limit: int
) -> None:
    everything = _numbers(uow, 0, None)
    assert _numbers(uow, offset, limit) == everything[offset : offset + limit]
