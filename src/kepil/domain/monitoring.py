"""The stage log of Rules §10: append-only and hash-chained, so tampering is detectable."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from kepil.domain.canonical import canonical_bytes

GENESIS_HASH = "0" * 64


@dataclass(frozen=True, slots=True)
class StageRecord:
    """One stage of a service case as the monitoring system receives it."""

    case: str
    """The application or complaint number the stage belongs to."""
    stage: str
    """The event, e.g. `application_registered`."""
    actor: str
    occurred_at: datetime
    deadline: datetime | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The JSON form that is hashed and published in the feed."""
        return {
            "case": self.case,
            "stage": self.stage,
            "actor": self.actor,
            "occurred_at": _utc(self.occurred_at),
            "deadline": _utc(self.deadline) if self.deadline else None,
            "details": self.details,
        }


def _utc(moment: datetime) -> str:
    # Hashed text must not depend on the offset a moment was written in: stores hand moments
    # back in UTC, so an Almaty-offset original would no longer match its own hash.
    return moment.astimezone(UTC).isoformat()


@dataclass(frozen=True, slots=True)
class ChainedEntry:
    """A stored stage record with its place in the chain."""

    seq: int
    record: StageRecord
    prev_hash: str
    hash: str


def entry_hash(seq: int, record: StageRecord, prev_hash: str) -> str:
    """SHA-256 over the previous hash and the canonical record: any edit breaks every later hash."""
    body = canonical_bytes({"seq": seq, "prev": prev_hash, "record": record.to_json()})
    return hashlib.sha256(body).hexdigest()


def chain(seq: int, record: StageRecord, prev_hash: str) -> ChainedEntry:
    """The entry that follows `prev_hash` at position `seq`."""
    return ChainedEntry(seq, record, prev_hash, entry_hash(seq, record, prev_hash))


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Result of verifying a run of the log."""

    checked: int
    first_broken_seq: int | None
    reason: str | None

    @property
    def intact(self) -> bool:
        """Whether every entry checked links to its predecessor and matches its hash."""
        return self.first_broken_seq is None


@dataclass(frozen=True, slots=True)
class ChainHead:
    """Where the log says it ends: the last entry's number and hash (0 and genesis if empty)."""

    seq: int
    hash: str


def verify_chain(
    entries: Iterable[ChainedEntry],
    prev_hash: str = GENESIS_HASH,
    head: ChainHead | None = None,
) -> ChainCheck:
    """Check that entries are consecutive, linked and unaltered, from `prev_hash` on, and, given
    the log's head, that they end exactly where it says (a cut tail leaves every link intact)."""
    checked, expected_seq = 0, None
    for entry in entries:
        if expected_seq is not None and entry.seq != expected_seq:
            return ChainCheck(checked, entry.seq, f"gap: expected seq {expected_seq}")
        if entry.prev_hash != prev_hash:
            return ChainCheck(checked, entry.seq, "does not link to the previous entry")
        if entry_hash(entry.seq, entry.record, entry.prev_hash) != entry.hash:
            return ChainCheck(checked, entry.seq, "content does not match its hash")
        prev_hash, expected_seq, checked = entry.hash, entry.seq + 1, checked + 1
    last_seq = expected_seq - 1 if expected_seq is not None else 0
    if head is not None and head.seq != last_seq:
        return ChainCheck(
            checked,
            min(head.seq, last_seq) + 1,
            f"the log ends at seq {last_seq} but its head names seq {head.seq}",
        )
    if head is not None and head.hash != prev_hash:
        return ChainCheck(checked, last_seq, "the last entry is not the one the head names")
    return ChainCheck(checked, None, None)
