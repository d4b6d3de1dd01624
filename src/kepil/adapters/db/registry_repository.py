"""The state registry in SQL, with search over casefolded names."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, and_, func, insert, select, update

from kepil.adapters.db.tables import registry_entries, registry_history
from kepil.domain.registry import RegistryEntry, RegistryStatus, StatusChange
from kepil.services.permits.ports import RegistryQuery


def search_text(entry: RegistryEntry) -> str:
    """What a name search looks in: holder and platform names, casefolded."""
    return f"{entry.holder_name}\n{entry.platform_name}".casefold()


def platform_search(entry: RegistryEntry) -> str:
    """What a platform filter looks in: the platform name alone, casefolded."""
    return entry.platform_name.casefold()


def _contains(text: str) -> str:
    return f"%{_escape_like(text.casefold())}%"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlRegistryRepository:
    """Registry entries and their status history."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, entry: RegistryEntry) -> None:
        """Store a new entry (and any history it already has)."""
        self._connection.execute(insert(registry_entries).values(**_columns(entry)))
        self._add_history(entry.registry_number, entry.history)

    def save_status(self, entry: RegistryEntry, change: StatusChange) -> None:
        """Store a status change and its history line."""
        self._connection.execute(
            update(registry_entries)
            .where(registry_entries.c.registry_number == entry.registry_number)
            .values(stored_status=entry.stored_status.value, status_reason=entry.status_reason)
        )
        self._add_history(entry.registry_number, (change,))

    def get(self, number: str) -> RegistryEntry | None:
        """The entry with its history, by registry number."""
        row = self._connection.execute(
            select(registry_entries).where(registry_entries.c.registry_number == number)
        ).one_or_none()
        if row is None:
            return None
        history = self._connection.execute(
            select(registry_history)
            .where(registry_history.c.registry_number == number)
            .order_by(registry_history.c.id)
        )
        changes = tuple(
            StatusChange(h.at, RegistryStatus(h.status), h.reason, h.actor) for h in history
        )
        return _entry(row, changes)

    def find_by_permit(self, permit_number: str) -> RegistryEntry | None:
        """The entry with its history, by the permit's own number (unique in the table)."""
        number = self._connection.execute(
            select(registry_entries.c.registry_number).where(
                registry_entries.c.permit_number == permit_number
            )
        ).scalar_one_or_none()
        return None if number is None else self.get(number)

    def search(self, query: RegistryQuery, today: date) -> tuple[list[RegistryEntry], int]:
        """A page of matching entries (without history) and the number of all matches."""
        where = _conditions(query, today)
        total = self._connection.execute(
            select(func.count()).select_from(registry_entries).where(where)
        ).scalar_one()
        rows = self._connection.execute(
            select(registry_entries)
            .where(where)
            .order_by(
                registry_entries.c.issued_on.desc(), registry_entries.c.registry_number.desc()
            )
            .limit(query.limit)
            .offset(query.offset)
        )
        return [_entry(row, ()) for row in rows], int(total)

    def _add_history(self, number: str, changes: tuple[StatusChange, ...]) -> None:
        for change in changes:
            self._connection.execute(
                insert(registry_history).values(
                    registry_number=number,
                    at=change.at,
                    status=change.status.value,
                    reason=change.reason,
                    actor=change.actor,
                )
            )


def _conditions(query: RegistryQuery, today: date) -> ColumnElement[bool]:
    table = registry_entries.c
    conditions: list[ColumnElement[bool]] = []
    if query.text:
        conditions.append(table.search_text.like(_contains(query.text), escape="\\"))
    if query.iin_bin:
        conditions.append(table.holder_iin_bin == query.iin_bin)
    if query.platform:
        conditions.append(table.platform_search.like(_contains(query.platform), escape="\\"))
    if query.status is RegistryStatus.ACTIVE:
        conditions += [table.stored_status == "active", table.valid_until >= today]
    elif query.status is RegistryStatus.EXPIRED:
        conditions += [table.stored_status == "active", table.valid_until < today]
    elif query.status is not None:
        conditions.append(table.stored_status == query.status.value)
    return and_(True, *conditions)


def _columns(entry: RegistryEntry) -> dict[str, Any]:
    return {
        "registry_number": entry.registry_number,
        "permit_number": entry.permit_number,
        "application_number": entry.application_number,
        "holder_name": entry.holder_name,
        "holder_iin_bin": entry.holder_iin_bin,
        "platform_name": entry.platform_name,
        "purpose": entry.purpose,
        "addresses": json.dumps(list(entry.addresses), ensure_ascii=False),
        "issued_on": entry.issued_on,
        "valid_until": entry.valid_until,
        "stored_status": entry.stored_status.value,
        "status_reason": entry.status_reason,
        "search_text": search_text(entry),
        "platform_search": platform_search(entry),
    }


def _entry(row: Row[Any], history: tuple[StatusChange, ...]) -> RegistryEntry:
    return RegistryEntry(
        registry_number=row.registry_number,
        permit_number=row.permit_number,
        application_number=row.application_number,
        holder_name=row.holder_name,
        holder_iin_bin=row.holder_iin_bin,
        platform_name=row.platform_name,
        purpose=row.purpose,
        addresses=tuple(json.loads(row.addresses)),
        issued_on=row.issued_on,
        valid_until=row.valid_until,
        stored_status=RegistryStatus(row.stored_status),
        status_reason=row.status_reason,
        history=history,
    )
