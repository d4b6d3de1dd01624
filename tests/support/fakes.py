"""In-memory repositories of sign-in, the stage log, the registry and the permit wing's small
stores: each answers as its SQL adapter does, and keeps all its data in its attributes so the
fake unit of work can copy them at commit and put them back at rollback."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar

from kepil.domain.auth import Challenge, Session
from kepil.domain.calendar import ALMATY
from kepil.domain.monitoring import GENESIS_HASH, ChainedEntry, ChainHead, StageRecord, chain
from kepil.domain.permits import PermitRole
from kepil.domain.permits.acting import ActingPeriod
from kepil.domain.registry import RegistryEntry, StatusChange
from kepil.services.permits.ports import (
    AlreadyStored,
    IssuedDocument,
    Notification,
    RegistryKey,
    RegistryQuery,
    StaffMember,
)

T = TypeVar("T")


def detached(value: T) -> T:
    """A deep copy that later changes to the original (or to it) cannot reach."""
    # Time zones are immutable and Almaty's, read from the bundled file, refuses to be copied.
    return copy.deepcopy(value, {id(ALMATY): ALMATY})


class DuplicateKeyError(KeyError):
    """A row with this key is already stored: what a primary key refuses in the database."""


class FakeStore:
    """A fake repository whose data is its attributes, except those named in `not_data`."""

    not_data: ClassVar[frozenset[str]] = frozenset()
    """Attributes that are settings or a test's levers, outside every transaction."""

    def snapshot(self) -> dict[str, Any]:
        """A copy of the data that later changes to the store do not reach."""
        data = {name: value for name, value in vars(self).items() if name not in self.not_data}
        return detached(data)

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put the data back as it was in the snapshot (which stays untouched)."""
        vars(self).update(detached(snapshot))


def insert_new(rows: dict[Any, Any], key: object, value: object) -> None:
    """Store a row under a key nobody holds yet."""
    if key in rows:
        raise DuplicateKeyError(key)
    rows[key] = value


class FakeChallengeRepository(FakeStore):
    """Sign-in challenges by nonce."""

    def __init__(self) -> None:
        self.rows: dict[str, Challenge] = {}

    def add(self, challenge: Challenge) -> None:
        """Store a new challenge."""
        insert_new(self.rows, challenge.nonce, challenge)

    def get(self, nonce: str) -> Challenge | None:
        """The challenge with this nonce, or None."""
        return self.rows.get(nonce)

    def consume(self, nonce: str, at: datetime) -> bool:
        """Mark used if unused and unexpired at the moment."""
        row = self.rows.get(nonce)
        if row is None or row.used_at is not None or row.expires_at <= at:
            return False
        self.rows[nonce] = replace(row, used_at=at)
        return True

    def purge_expired(self, before: datetime) -> int:
        """Forget challenges that expired before the moment."""
        expired = [nonce for nonce, row in self.rows.items() if row.expires_at < before]
        for nonce in expired:
            del self.rows[nonce]
        return len(expired)


class FakeSessionRepository(FakeStore):
    """Sessions by the hash of their token."""

    def __init__(self) -> None:
        self.rows: dict[str, Session] = {}

    def add(self, session: Session) -> None:
        """Store a new session."""
        insert_new(self.rows, session.token_hash, session)

    def get(self, token_hash: str) -> Session | None:
        """The session, or None."""
        return self.rows.get(token_hash)

    def revoke(self, token_hash: str, at: datetime) -> None:
        """End the session; a second revocation keeps the first moment."""
        row = self.rows.get(token_hash)
        if row is not None and row.revoked_at is None:
            self.rows[token_hash] = replace(row, revoked_at=at)


class FakeStageLog(FakeStore):
    """The hash-chained stage log, numbered from 1."""

    def __init__(self) -> None:
        self.entries: list[ChainedEntry] = []

    def append(self, record: StageRecord) -> ChainedEntry:
        """Chain the record after the tail."""
        previous = self.entries[-1].hash if self.entries else GENESIS_HASH
        entry = chain(len(self.entries) + 1, record, previous)
        self.entries.append(entry)
        return entry

    def after(self, seq: int, limit: int) -> list[ChainedEntry]:
        """Entries after `seq`, oldest first."""
        return [entry for entry in self.entries if entry.seq > seq][:limit]

    def all(self, batch: int = 1000) -> Iterator[ChainedEntry]:
        """Every entry in order."""
        return iter(list(self.entries))

    def head(self) -> ChainHead:
        """The last entry's number and hash; 0 and the genesis hash while empty."""
        if not self.entries:
            return ChainHead(0, GENESIS_HASH)
        return ChainHead(self.entries[-1].seq, self.entries[-1].hash)


class FakeDocumentRepository(FakeStore):
    """Signed result documents by number."""

    def __init__(self) -> None:
        self.rows: dict[str, IssuedDocument] = {}

    def add(self, document: IssuedDocument) -> None:
        """Store a signed document."""
        insert_new(self.rows, document.number, document)

    def get(self, number: str) -> IssuedDocument | None:
        """The document, or None."""
        return self.rows.get(number)

    def for_application(self, application_number: str) -> list[IssuedDocument]:
        """The application's documents, oldest first."""
        found = [d for d in self.rows.values() if d.application_number == application_number]
        return sorted(found, key=lambda d: d.issued_at)


class FakeNumberSequence(FakeStore):
    """Named counters; a rolled-back number is handed out again."""

    def __init__(self) -> None:
        self.values: dict[str, int] = {}

    def next(self, name: str) -> int:
        """The next number of the sequence, from 1."""
        self.values[name] = self.values.get(name, 0) + 1
        return self.values[name]


class FakeIdempotencyStore(FakeStore):
    """(request hash, result) per owner and key."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], tuple[str, str, datetime]] = {}

    def get(self, owner: str, key: str) -> tuple[str, str] | None:
        """(request hash, result), or None."""
        row = self.rows.get((owner, key))
        return (row[0], row[1]) if row is not None else None

    def put(self, owner: str, key: str, request_hash: str, result: str, at: datetime) -> None:
        """Remember the key; AlreadyStored for a key already used, as the SQL store says."""
        if (owner, key) in self.rows:
            raise AlreadyStored(f"idempotency key {key!r} of {owner}")
        self.rows[owner, key] = (request_hash, result, at)


class FakeUsedSignedActs(FakeStore):
    """(kind, result, moment) per digest of a signed act that took effect."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, str, datetime]] = {}

    def result_of(self, digest: str) -> str | None:
        """What the act did, or None."""
        row = self.rows.get(digest)
        return row[1] if row is not None else None

    def use(self, digest: str, kind: str, result: str, at: datetime) -> None:
        """Record the act; AlreadyStored if it was used."""
        if digest in self.rows:
            raise AlreadyStored(f"signed act {digest}")
        self.rows[digest] = (kind, result, at)


class FakeStaffDirectory(FakeStore):
    """Duties by (IIN, role)."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, PermitRole], StaffMember] = {}
        self.periods: dict[int, ActingPeriod] = {}

    def roles_of(self, iin: str) -> list[StaffMember]:
        """The official's duties, by role."""
        return sorted((m for m in self.rows.values() if m.iin == iin), key=lambda m: str(m.role))

    def grant(self, member: StaffMember) -> bool:
        """Give a duty unless it is held already."""
        if (member.iin, member.role) in self.rows:
            return False
        self.rows[member.iin, member.role] = member
        return True

    def revoke(self, iin: str, role: PermitRole) -> bool:
        """Take a duty away if it is held."""
        return self.rows.pop((iin, role), None) is not None

    def all(self) -> list[StaffMember]:
        """Every duty, by IIN then role."""
        return sorted(self.rows.values(), key=lambda m: (m.iin, str(m.role)))

    def acting_periods(self, iin: str | None = None) -> list[ActingPeriod]:
        """Acting periods of one person or of all, by first day, IIN and number."""
        found = [p for p in self.periods.values() if iin is None or p.iin == iin]
        return sorted(found, key=lambda p: (p.first_day, p.iin, p.id or 0))

    def acting_period(self, period_id: int) -> ActingPeriod | None:
        """One acting period by number."""
        return self.periods.get(period_id)

    def record_acting(self, period: ActingPeriod) -> int:
        """Store the period under the next number."""
        number = len(self.periods) + 1
        self.periods[number] = replace(period, id=number)
        return number

    def end_acting(self, period: ActingPeriod) -> None:
        """Store when and by whom the period was ended."""
        if period.id in self.periods:
            kept = self.periods[period.id]
            ended = replace(kept, ended_at=period.ended_at, ended_by=period.ended_by)
            self.periods[period.id] = ended


class FakeNotificationRepository(FakeStore):
    """Messages in the order they were queued, numbered as the table numbers them."""

    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def add(self, notification: Notification) -> None:
        """Queue a message."""
        self.sent.append(replace(notification, id=len(self.sent) + 1, read_at=None))

    def for_recipient(self, recipient: str, limit: int) -> list[Notification]:
        """The recipient's messages, newest first."""
        return [n for n in reversed(self.sent) if n.recipient == recipient][:limit]


class FakeRegistryRepository(FakeStore):
    """Registry entries with their history, by registry number."""

    def __init__(self) -> None:
        self.rows: dict[str, RegistryEntry] = {}

    def add(self, entry: RegistryEntry) -> None:
        """Store a new entry with any history it has."""
        insert_new(self.rows, entry.registry_number, entry)

    def save_status(self, entry: RegistryEntry, change: StatusChange) -> None:
        """Store the entry's new status and one more history line."""
        stored = self.rows[entry.registry_number]
        self.rows[entry.registry_number] = replace(
            stored,
            stored_status=entry.stored_status,
            status_reason=entry.status_reason,
            history=(*stored.history, change),
        )

    def get(self, number: str) -> RegistryEntry | None:
        """The entry with its history, or None."""
        return self.rows.get(number)

    def find_by_permit(self, permit_number: str) -> RegistryEntry | None:
        """The entry of the permit with this number, or None."""
        found = [e for e in self.rows.values() if e.permit_number == permit_number]
        return found[0] if found else None

    def search(self, query: RegistryQuery, today: date) -> tuple[list[RegistryEntry], int]:
        """A page of matches, newest issue first, without their history; and the count."""
        found = [e for e in self.rows.values() if _matches(e, query, today)]
        found.sort(key=lambda e: (e.issued_on, e.registry_number), reverse=True)
        page = found[query.offset : query.offset + query.limit]
        return [replace(e, history=()) for e in page], len(found)

    def following(
        self, query: RegistryQuery, today: date, after: RegistryKey | None
    ) -> list[RegistryEntry]:
        """Matches after `after` in the registry's order (from the offset when None)."""
        if after is None:
            return self.search(query, today)[0]
        key = (after.issued_on, after.registry_number)
        found = [
            e
            for e in self.rows.values()
            if _matches(e, query, today) and (e.issued_on, e.registry_number) < key
        ]
        found.sort(key=lambda e: (e.issued_on, e.registry_number), reverse=True)
        return [replace(e, history=()) for e in found[: query.limit]]


def _matches(entry: RegistryEntry, query: RegistryQuery, today: date) -> bool:
    names = f"{entry.holder_name}\n{entry.platform_name}".casefold()
    if query.text and query.text.casefold() not in names:
        return False
    if query.iin_bin and entry.holder_iin_bin != query.iin_bin:
        return False
    if query.platform and query.platform.casefold() not in entry.platform_name.casefold():
        return False
    # `expired` is never stored: an active entry past its end day reads as expired.
    return query.status is None or entry.status_on(today) is query.status
