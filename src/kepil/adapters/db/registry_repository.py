"""The state registry in SQL, with search over casefolded names.

Pages are read in two steps: the page's registry numbers from an index alone (a deep page skips
index entries, not rows), then those rows. Name searches go through a trigram index: pg_trgm's on
PostgreSQL (migrations 0005, 0006), FTS5's `registry_search` table on SQLite (migration 0011).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    column,
    func,
    insert,
    literal_column,
    or_,
    select,
    table,
    update,
)

from kepil.adapters.db.tables import registry_entries, registry_history
from kepil.domain.registry import RegistryEntry, RegistryStatus, StatusChange
from kepil.services.permits.ports import RegistryKey, RegistryQuery

# SQLite's FTS5 trigram index of the names, kept by triggers (migration 0011).
_trigram_search = table(
    "registry_search",
    column("registry_number"),
    column("search_text"),
    column("platform_search"),
)
# The shortest text a trigram index can find (FTS5 finds nothing shorter): shorter ones scan.
_MIN_TRIGRAM_TEXT = 3
_NAME_COLUMNS = ("search_text", "platform_search")
# From this many matches on, an early page is found by walking the order index (see `search`).
_COMMON_MATCHES = 1_000
_ORDER = (registry_entries.c.issued_on.desc(), registry_entries.c.registry_number.desc())


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
        total = self._count(query, today)
        if total <= query.offset:
            return [], total
        # Many matches and an early page: walking the order index and testing each row finds
        # the page in a few hundred rows, sooner than listing every match from the trigram
        # index (measured at 7,600 matches: the list alone took 20-85 ms).
        common = total >= _COMMON_MATCHES and query.offset + query.limit <= total // 10
        return self._page(query, today, None, trigrams=not common), total

    def _count(self, query: RegistryQuery, today: date) -> int:
        names = self._trigram_query(query)
        if names is not None and not (query.iin_bin or query.status) and _all_indexed(query):
            # Names alone: the trigram index counts its matches without reading a row.
            counted = select(func.count()).select_from(_trigram_search).where(_matches(names))
        else:
            where = self._conditions(query, today, names)
            counted = select(func.count()).select_from(registry_entries).where(where)
        return int(self._connection.execute(counted).scalar_one())

    def following(
        self, query: RegistryQuery, today: date, after: RegistryKey | None
    ) -> list[RegistryEntry]:
        """Matching entries (without history) after `after` in the registry's order, or from
        `query.offset` when None; `query.limit` of them, and no count."""
        # An export walks the order index once from end to end, testing each row as it goes:
        # listing the trigram index's matches again for each page would cost more.
        return self._page(query, today, after, trigrams=False)

    def _page(
        self, query: RegistryQuery, today: date, after: RegistryKey | None, *, trigrams: bool
    ) -> list[RegistryEntry]:
        # The numbers first, from an index of the order (and the filter's columns), so a deep
        # offset skips index entries; then the page's rows by their primary key.
        names = self._trigram_query(query) if trigrams else None
        where = self._conditions(query, today, names)
        offset = query.offset
        if after is not None:
            issued_on, number = registry_entries.c.issued_on, registry_entries.c.registry_number
            # Newest first: what follows is older, or as old with a smaller number. Spelled out
            # rather than as a row-value comparison, which SQLite does not use an index for.
            later = or_(
                issued_on < after.issued_on,
                and_(issued_on == after.issued_on, number < after.registry_number),
            )
            where, offset = and_(where, later), 0
        numbers = (
            select(registry_entries.c.registry_number)
            .where(where)
            .order_by(*_ORDER)
            .limit(query.limit)
            .offset(offset)
            .subquery()
        )
        rows = self._connection.execute(
            select(registry_entries)
            .join(numbers, numbers.c.registry_number == registry_entries.c.registry_number)
            .order_by(*_ORDER)
        )
        return [_entry(row, ()) for row in rows]

    def _trigram_query(self, query: RegistryQuery) -> str | None:
        """The FTS5 query for the name filters the trigram index can answer (SQLite only)."""
        if self._connection.dialect.name != "sqlite":
            return None
        phrases = [
            f"{name} : {_phrase(text)}"
            for name, text in zip(_NAME_COLUMNS, (query.text, query.platform), strict=True)
            if text and len(text.casefold()) >= _MIN_TRIGRAM_TEXT
        ]
        return " AND ".join(phrases) or None

    def _conditions(
        self, query: RegistryQuery, today: date, names: str | None
    ) -> ColumnElement[bool]:
        table_ = registry_entries.c
        conditions: list[ColumnElement[bool]] = []
        if names is not None:
            matching = select(_trigram_search.c.registry_number).where(_matches(names))
            conditions.append(table_.registry_number.in_(matching))
        for name, text in zip(_NAME_COLUMNS, (query.text, query.platform), strict=True):
            if text and (names is None or len(text.casefold()) < _MIN_TRIGRAM_TEXT):
                conditions.append(table_[name].like(_contains(text), escape="\\"))
        if query.iin_bin:
            conditions.append(table_.holder_iin_bin == query.iin_bin)
        if query.status is RegistryStatus.ACTIVE:
            conditions += [table_.stored_status == "active", table_.valid_until >= today]
        elif query.status is RegistryStatus.EXPIRED:
            conditions += [table_.stored_status == "active", table_.valid_until < today]
        elif query.status is not None:
            conditions.append(table_.stored_status == query.status.value)
        return and_(True, *conditions)

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


def _matches(names: str) -> ColumnElement[bool]:
    # A quoted phrase of the trigram tokenizer matches where its text occurs, as LIKE '%…%'
    # would, and is answered from the index alone (LIKE on the FTS5 table re-reads each row).
    return literal_column("registry_search").op("MATCH")(names)


def _phrase(text: str) -> str:
    # FTS5's string: in double quotes, a double quote doubled; every other character is literal.
    return '"' + text.casefold().replace('"', '""') + '"'


def _all_indexed(query: RegistryQuery) -> bool:
    return all(
        len(text.casefold()) >= _MIN_TRIGRAM_TEXT for text in (query.text, query.platform) if text
    )


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
