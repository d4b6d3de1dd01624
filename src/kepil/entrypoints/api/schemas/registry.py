"""The public state registry (Rules §11)."""

from __future__ import annotations

from datetime import date, datetime

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.schemas.base import AlmatyModel


class StatusChangeOut(AlmatyModel):
    """One line of an entry's history."""

    at: datetime
    status: RegistryStatus
    reason: str
    actor: str


class EntryOut(AlmatyModel):
    """A permit holder as the registry shows it today."""

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


class EntryWithHistoryOut(EntryOut):
    """An entry and every status change it went through."""

    history: list[StatusChangeOut]


class PageOut(AlmatyModel):
    """A page of entries and the count of all that match."""

    items: list[EntryOut]
    total: int
    limit: int
    offset: int
    as_of: date
