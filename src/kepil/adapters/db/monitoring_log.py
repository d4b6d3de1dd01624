"""The monitoring stage log in SQL: append under the head-row lock, read the feed, verify."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, insert, select, update

from kepil.adapters.db.tables import monitoring_events, monitoring_head
from kepil.adapters.db.types import json_text
from kepil.domain.monitoring import ChainedEntry, ChainHead, StageRecord, chain

_HEAD_ID = 1


class SqlStageLog:
    """Appends chained entries within the caller's transaction (the unit of work's)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def append(self, record: StageRecord) -> ChainedEntry:
        """Chain the record after the current tail and store it."""
        # A write first: it takes the lock before the tail is read, so no two appenders read
        # the same tail. The head row is created by the migration, never here, so the first
        # two appenders cannot race to create it.
        bumped = self._connection.execute(
            update(monitoring_head)
            .where(monitoring_head.c.id == _HEAD_ID)
            .values(seq=monitoring_head.c.seq + 1)
            .returning(monitoring_head.c.seq, monitoring_head.c.hash)
        ).one_or_none()
        if bumped is None:
            raise RuntimeError("monitoring_head row missing: run `kepil db upgrade`")
        seq, prev_hash = int(bumped.seq), str(bumped.hash)
        entry = chain(seq, record, prev_hash)
        self._connection.execute(
            insert(monitoring_events).values(
                seq=entry.seq,
                case_number=record.case,
                stage=record.stage,
                actor=record.actor,
                occurred_at=record.occurred_at,
                deadline=record.deadline,
                details=json_text(record.details),
                prev_hash=entry.prev_hash,
                hash=entry.hash,
            )
        )
        self._connection.execute(
            update(monitoring_head).where(monitoring_head.c.id == _HEAD_ID).values(hash=entry.hash)
        )
        return entry

    def after(self, seq: int, limit: int) -> list[ChainedEntry]:
        """Entries with a sequence number above `seq`, oldest first, at most `limit`."""
        rows = self._connection.execute(
            select(monitoring_events)
            .where(monitoring_events.c.seq > seq)
            .order_by(monitoring_events.c.seq)
            .limit(limit)
        )
        return [_entry(row) for row in rows]

    def all(self, batch: int = 1000) -> Iterator[ChainedEntry]:
        """Every entry in order, read in batches so memory stays flat."""
        last = 0
        while page := self.after(last, batch):
            yield from page
            last = page[-1].seq

    def head(self) -> ChainHead:
        """The head row: the sequence number and hash of the last entry appended."""
        row = self._connection.execute(
            select(monitoring_head.c.seq, monitoring_head.c.hash).where(
                monitoring_head.c.id == _HEAD_ID
            )
        ).one_or_none()
        if row is None:
            raise RuntimeError("monitoring_head row missing: run `kepil db upgrade`")
        return ChainHead(int(row.seq), str(row.hash))


def _entry(row: Row[Any]) -> ChainedEntry:
    record = StageRecord(
        case=row.case_number,
        stage=row.stage,
        actor=row.actor,
        occurred_at=row.occurred_at,
        deadline=row.deadline,
        details=json.loads(row.details),
    )
    return ChainedEntry(int(row.seq), record, row.prev_hash, row.hash)
