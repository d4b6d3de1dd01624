"""Read side of the state registry (Rules §11): search, one entry, export; and status changes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from kepil.domain.calendar import to_almaty
from kepil.domain.clock import Clock
from kepil.domain.registry import RegistryEntry
from kepil.services.permits.ports import MAX_PAGE_SIZE, RegistryQuery
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class RegistryPage:
    """One page of results, the total match count and the day statuses were judged on."""

    entries: list[RegistryEntry]
    total: int
    as_of: date


def today(clock: Clock) -> date:
    """The registry's day: Almaty's calendar date now."""
    return to_almaty(clock.now()).date()


def search_registry(query: RegistryQuery, uow: UnitOfWork, clock: Clock) -> RegistryPage:
    """Entries matching the query, newest first."""
    day = today(clock)
    with uow:
        entries, total = uow.registry.search(query, day)
    return RegistryPage(entries, total, day)


def registry_entry(number: str, uow: UnitOfWork) -> RegistryEntry | None:
    """One entry with its history, or None."""
    with uow:
        return uow.registry.get(number)


def export_registry(query: RegistryQuery, uow: UnitOfWork, clock: Clock) -> Iterator[RegistryEntry]:
    """Every entry matching the query (ignoring paging), fetched page by page."""
    day, offset = today(clock), 0
    while True:
        page_query = RegistryQuery(
            query.text, query.iin_bin, query.platform, query.status, MAX_PAGE_SIZE, offset
        )
        with uow:
            entries, _ = uow.registry.search(page_query, day)
        yield from entries
        if len(entries) < MAX_PAGE_SIZE:
            return
        offset += MAX_PAGE_SIZE
