"""Views of the public state registry (Rules §11): entries as they stand on the registry's day."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from kepil.domain.calendar import to_almaty
from kepil.domain.clock import Clock
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.permits.ports import MAX_PAGE_SIZE, RegistryKey, RegistryQuery
from kepil.services.unit_of_work import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


@dataclass(frozen=True, slots=True)
class StatusLineView:
    """One line of an entry's status history."""

    at: datetime
    status: RegistryStatus
    reason: str
    actor: str


@dataclass(frozen=True, slots=True)
class RegistryEntryView:
    """A permit holder as the registry shows it on `as_of`, with its status history."""

    registry_number: str
    permit_number: str
    application_number: str
    holder_name: str
    holder_iin_bin: str
    platform_name: str
    purpose: str
    addresses: list[str]
    issued_on: date
    valid_until: date
    status: RegistryStatus
    status_reason: str
    history: list[StatusLineView]


@dataclass(frozen=True, slots=True)
class RegistryPage:
    """One page of results, the total match count and the day statuses were judged on."""

    items: list[RegistryEntryView]
    total: int
    limit: int
    offset: int
    as_of: date


def registry_day(clock: Clock) -> date:
    """The registry's day: Almaty's calendar date now."""
    return to_almaty(clock.now()).date()


def entry_view(entry: RegistryEntry, day: date) -> RegistryEntryView:
    """The entry as it stands on `day` (an expired permit reads as expired)."""
    return RegistryEntryView(
        registry_number=entry.registry_number,
        permit_number=entry.permit_number,
        application_number=entry.application_number,
        holder_name=entry.holder_name,
        holder_iin_bin=entry.holder_iin_bin,
        platform_name=entry.platform_name,
        purpose=entry.purpose,
        addresses=list(entry.addresses),
        issued_on=entry.issued_on,
        valid_until=entry.valid_until,
        status=entry.status_on(day),
        status_reason=entry.status_reason,
        history=[StatusLineView(h.at, h.status, h.reason, h.actor) for h in entry.history],
    )


def registry_page(uow: UnitOfWork, query: RegistryQuery, day: date) -> RegistryPage:
    """Entries matching the query, newest first."""
    entries, total = uow.registry.search(query, day)
    items = [entry_view(entry, day) for entry in entries]
    return RegistryPage(items, total, query.limit, query.offset, day)


def export_entries(
    uow_factory: UowFactory, query: RegistryQuery, day: date, limit: int | None = None
) -> Iterator[RegistryEntryView]:
    """The entries matching the query from `query.offset` on, `limit` of them (all when None),
    fetched page by page, each page in a short transaction of its own so a slow download holds
    no connection between pages. Each page starts after the last entry of the one before (not at
    an offset, which would skip all earlier entries again) and counts nothing."""
    after: RegistryKey | None = None
    left = limit
    while left is None or left > 0:
        size = MAX_PAGE_SIZE if left is None else min(MAX_PAGE_SIZE, left)
        with uow_factory() as uow:
            entries = uow.registry.following(replace(query, limit=size), day, after)
        yield from (entry_view(entry, day) for entry in entries)
        if len(entries) < size:
            return
        after = RegistryKey(entries[-1].issued_on, entries[-1].registry_number)
        if left is not None:
            left -= size
