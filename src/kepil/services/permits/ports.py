"""Interfaces the permit services need: stores, numbers, staff, signatures, the stage log,
the e-gov gateway and the state registry."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from kepil.domain.auth import Principal
from kepil.domain.monitoring import ChainedEntry, ChainHead, StageRecord
from kepil.domain.permits import Application, ApplicationEvent, PermitRole, Stage, StageDeadline
from kepil.domain.permits.acting import ActingPeriod
from kepil.domain.permits.codec import EventRecord
from kepil.domain.registry import RegistryEntry, RegistryStatus, StatusChange
from kepil.domain.state_records import BusinessRecord, CourtDecision, PersonRecord


class AlreadyStored(Exception):  # noqa: N818 (a fact the store reports, not a failure)
    """A row the store holds once exists already: a concurrent twin committed it first.

    The transaction is left usable only for rollback; the handler answers as the twin's
    request was answered, in a fresh unit of work."""


@dataclass(frozen=True, slots=True)
class SignedContent:
    """What a verified CMS says and who signed it, with a signing (not authentication) key.

    `act_digest` names the act itself (the signer's certificate and the bytes the signature
    covers), so a captured CMS, however re-wrapped, is recognised when it comes again."""

    principal: Principal
    content: bytes
    act_digest: str
    signing_time: datetime | None = None
    """The signer's signing-time attribute: what a platform's ledger orders the Ministry's
    changes by (the "ministry" nonce), None when the signature carries none."""


class DocumentSignatureVerifier(Protocol):
    """Verifies an attached CMS made with an EDS signing key; SignatureRefusedError otherwise."""

    def verify(self, cms: bytes, at: datetime) -> SignedContent:
        """The signer and the signed bytes."""
        ...


@dataclass(frozen=True, slots=True)
class StoredFile:
    """An attachment's bytes as received, with what the form declared about them."""

    sha256: str
    kind: str
    file_name: str
    media_type: str
    content: bytes


@dataclass(frozen=True, slots=True)
class StoredApplication:
    """An application as stored: the aggregate, what the state systems said, the signed form."""

    application: Application
    state_facts: dict[str, Any]
    signed_form: bytes
    version: int


@dataclass(frozen=True, slots=True)
class ApplicationSummary:
    """One line of a list of applications."""

    number: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    status: str
    received_at: datetime
    last_event_at: datetime


@dataclass(frozen=True, slots=True)
class IssuedDocument:
    """A result document of Rules §9: canonical JSON and the CMS over exactly those bytes."""

    number: str
    application_number: str
    kind: str
    issued_at: datetime
    recipient_id: str
    content: bytes
    signature: bytes
    signer_iin: str
    sha256: str


@dataclass(frozen=True, slots=True)
class StaffMember:
    """A ministry official holding one duty in the permit service."""

    iin: str
    role: PermitRole
    name: str
    position: str
    granted_at: datetime
    granted_by: str


@dataclass(frozen=True, slots=True)
class OpenDeadline:
    """A stage whose deadline passed without the stage being settled."""

    application_number: str
    stage: Stage
    due: datetime


@dataclass(frozen=True, slots=True)
class OpenCase:
    """An application waiting on the Ministry, with its running stage deadlines: one line of an
    official's queue."""

    number: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    status: str
    received_at: datetime
    deadlines: tuple[StageDeadline, ...]
    """The stages still running, earliest due first."""


@dataclass(frozen=True, slots=True)
class SettledStage:
    """A stage met (not cancelled), with its application's moment of receipt."""

    application_number: str
    stage: Stage
    due: datetime
    settled_at: datetime
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Notification:
    """A message to an applicant's cabinet or to the officials of a role: `message` in Russian
    and, where the service says it in both languages, `message_kk` in Kazakh ("" otherwise)."""

    recipient: str
    case_number: str
    kind: str
    message: str
    created_at: datetime
    id: int | None = None
    read_at: datetime | None = None
    message_kk: str = ""


class ApplicationRepository(Protocol):
    """Applications, their history, deadlines and attachments."""

    def add(
        self,
        stored: StoredApplication,
        files: Sequence[StoredFile],
    ) -> None:
        """Store a new application with its attachments."""
        ...

    def get(self, number: str) -> StoredApplication | None:
        """The application, or None."""
        ...

    def save(
        self,
        application: Application,
        expected_version: int,
        state_facts: dict[str, Any] | None = None,
    ) -> int:
        """Store the new state, and the state systems' answers when given (they grow as the
        service asks again, Rules §4); ConflictError if someone else changed it first.
        The new version."""
        ...

    def record_events(
        self, events: Sequence[ApplicationEvent], signature: bytes | None
    ) -> list[EventRecord]:
        """Append events to the history, with the CMS of the decision that caused them."""
        ...

    def history(self, number: str) -> list[EventRecord]:
        """Every event of the application, oldest first."""
        ...

    def summaries(
        self,
        *,
        applicant_ids: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ApplicationSummary], int]:
        """A page of applications (of these applicants; None: of all), newest first, and the
        count of all matches."""
        ...

    def attachment(self, number: str, sha256: str) -> StoredFile | None:
        """One attachment's bytes."""
        ...

    def deadlines_of(self, numbers: Sequence[str]) -> dict[str, list[StageDeadline]]:
        """The stage deadlines of each listed application (a page of a list), earliest due
        first; an application without any is left out."""
        ...

    def overdue(self, now: datetime, limit: int) -> list[OpenDeadline]:
        """Open stages past their deadline that the sweeper has not reported yet."""
        ...

    def mark_overdue(self, deadline: OpenDeadline, at: datetime) -> bool:
        """Record that the overdue stage was reported; False if another sweeper did it first."""
        ...

    def stage_counts(self) -> dict[str, int]:
        """How many applications stand in each status."""
        ...

    def open_deadlines(self, now: datetime) -> list[OpenDeadline]:
        """Every open stage past its deadline at `now` (marked or not)."""
        ...

    def settled_durations(self) -> dict[str, list[float]]:
        """Per stage, how long each settled stage took from its start, in seconds."""
        ...

    def open_cases(self, statuses: frozenset[str]) -> list[OpenCase]:
        """Every application in one of the statuses, with its running stages (officials'
        queues), read in one query."""
        ...

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS of the act behind each event of the history (None: no signed act), in the
        order of `history`."""
        ...

    def open_stage_counts(self) -> dict[str, int]:
        """How many stages of each kind are running (not settled) now."""
        ...

    def settled_stages(self, start: datetime, end: datetime) -> list[SettledStage]:
        """Stages met (not cancelled) with `start <= settled_at < end`."""
        ...

    def received_per_period(self, bounds: Sequence[datetime]) -> list[int]:
        """Applications received in each period `bounds[i] <= received_at < bounds[i + 1]`."""
        ...

    def events_per_period(
        self, bounds: Sequence[datetime], statuses: Collection[str]
    ) -> dict[str, list[int]]:
        """Per status named, the events that moved an application into it in each period
        `bounds[i] <= at < bounds[i + 1]`; a status no such event reached is left out."""
        ...


class DocumentRepository(Protocol):
    """Signed result documents."""

    def add(self, document: IssuedDocument) -> None:
        """Store a signed document."""
        ...

    def get(self, number: str) -> IssuedDocument | None:
        """The document, or None."""
        ...

    def for_application(self, application_number: str) -> list[IssuedDocument]:
        """The documents issued on an application."""
        ...


class NumberSequence(Protocol):
    """Gap-free numbering within a transaction: a rolled-back number is handed out again."""

    def next(self, name: str) -> int:
        """The next number of the named sequence, starting at 1."""
        ...


class IdempotencyStore(Protocol):
    """Remembers which request a key produced, per owner."""

    def get(self, owner: str, key: str) -> tuple[str, str] | None:
        """(request hash, result) for the key, or None."""
        ...

    def put(self, owner: str, key: str, request_hash: str, result: str, at: datetime) -> None:
        """Remember the key's request and result; AlreadyStored if the key is taken."""
        ...


class UsedSignedActs(Protocol):
    """Every EDS-signed act applied, by digest: a signed act takes effect once."""

    def result_of(self, digest: str) -> str | None:
        """What the act did when it was used (an application number, a status), or None."""
        ...

    def use(self, digest: str, kind: str, result: str, at: datetime) -> None:
        """Record the act as used, in the transaction of its effect; AlreadyStored if it was."""
        ...


class StaffDirectory(Protocol):
    """Who in the Ministry holds which duty."""

    def roles_of(self, iin: str) -> list[StaffMember]:
        """The duties of an official, or none."""
        ...

    def grant(self, member: StaffMember) -> bool:
        """Give a duty; False if it was already held."""
        ...

    def revoke(self, iin: str, role: PermitRole) -> bool:
        """Take a duty away; False if it was not held."""
        ...

    def all(self) -> list[StaffMember]:
        """Every duty held, by IIN."""
        ...

    def acting_periods(self, iin: str | None = None) -> list[ActingPeriod]:
        """The acting periods of one person, or of everyone, by first day then IIN."""
        ...

    def acting_period(self, period_id: int) -> ActingPeriod | None:
        """One acting period by its number, or None."""
        ...

    def record_acting(self, period: ActingPeriod) -> int:
        """Record a new acting period; its number."""
        ...

    def end_acting(self, period: ActingPeriod) -> None:
        """Store the moment the period (with its id) was ended and who ended it."""
        ...


class NotificationRepository(Protocol):
    """Messages to cabinets and officials."""

    def add(self, notification: Notification) -> None:
        """Queue a message."""
        ...

    def for_recipient(self, recipient: str, limit: int) -> list[Notification]:
        """Newest messages first."""
        ...


MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class RegistryKey:
    """Where an entry stands in the registry's order (newest issue first, then by number)."""

    issued_on: date
    registry_number: str


@dataclass(frozen=True)
class RegistryQuery:
    """What a reader searches for; every field narrows the result."""

    text: str | None = None
    """Part of the holder's or the platform's name, any case."""
    iin_bin: str | None = None
    platform: str | None = None
    """Part of the platform's name, any case; never matched against the holder's name."""
    status: RegistryStatus | None = None
    limit: int = 20
    offset: int = 0

    def __post_init__(self) -> None:
        if not 1 <= self.limit <= MAX_PAGE_SIZE:
            raise ValueError(f"page size must be between 1 and {MAX_PAGE_SIZE}")
        if self.offset < 0:
            raise ValueError("offset must not be negative")


class StageLog(Protocol):
    """The monitoring stage log (Rules §10), appended in the same transaction as the change."""

    def append(self, record: StageRecord) -> ChainedEntry:
        """Chain and store the record."""
        ...

    def after(self, seq: int, limit: int) -> list[ChainedEntry]:
        """Entries after `seq`, oldest first."""
        ...

    def all(self, batch: int = 1000) -> Iterator[ChainedEntry]:
        """Every entry in order."""
        ...

    def head(self) -> ChainHead:
        """Where the log says it ends: what the last append wrote beside the entries."""
        ...


class EgovGateway(Protocol):
    """The e-gov gateway (Rules §4): identity, registration and court records by IIN/BIN."""

    def person(self, iin: str) -> PersonRecord | None:
        """The identity record for an IIN, or None."""
        ...

    def business(self, number: str) -> BusinessRecord | None:
        """The registration of a legal entity (BIN) or an entrepreneur (IIN), or None."""
        ...

    def court_decisions(self, subject: str, on: date) -> list[CourtDecision]:
        """Court decisions in force on the day against the IIN/BIN (App. 1 §10 items 3–4)."""
        ...


class RegistryRepository(Protocol):
    """The public state registry (Rules §11)."""

    def add(self, entry: RegistryEntry) -> None:
        """Store a new entry."""
        ...

    def save_status(self, entry: RegistryEntry, change: StatusChange) -> None:
        """Store a status change and its history line."""
        ...

    def get(self, number: str) -> RegistryEntry | None:
        """The entry with its history, or None."""
        ...

    def find_by_permit(self, permit_number: str) -> RegistryEntry | None:
        """The entry of the permit with this number, with its history, or None."""
        ...

    def search(self, query: RegistryQuery, today: date) -> tuple[list[RegistryEntry], int]:
        """A page of matching entries and the count of all matches."""
        ...

    def following(
        self, query: RegistryQuery, today: date, after: RegistryKey | None
    ) -> list[RegistryEntry]:
        """`query.limit` matching entries after `after` in the registry's order (from
        `query.offset` when None), uncounted: an export walks the registry with it."""
        ...
