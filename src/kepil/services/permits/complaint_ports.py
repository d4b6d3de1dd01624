"""Interfaces the complaint (Rules §13-§15) and rule-change (§12) services need."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from kepil.domain.permits import Complaint, NotificationRecipient, NotificationTask, RuleVersion


@dataclass(frozen=True, slots=True)
class StoredComplaint:
    """A complaint as stored: the aggregate, what was complained of, the complainant's CMS."""

    complaint: Complaint
    filed_by_iin: str
    filed_by_name: str
    target: str
    """The decision, action or inaction complained of, in the complainant's words or a number."""
    text: str
    signed_complaint: bytes
    version: int
    registered_at: datetime | None = None
    registered_by: str | None = None


@dataclass(frozen=True, slots=True)
class ComplaintRecord:
    """One line of a complaint's history."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    actor_iin: str
    stage_deadline: datetime | None
    late: bool
    decision: str = ""
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ComplaintSummary:
    """One line of a list of complaints."""

    number: str
    application_number: str
    complainant: str
    subject: str
    filed_with: str
    status: str
    received_at: datetime
    registered_at: datetime | None
    review_due: datetime


@dataclass(frozen=True, slots=True)
class OpenComplaint:
    """A complaint not settled yet, with its terms: one line of an official's queue."""

    number: str
    application_number: str
    complainant: str
    filed_by_name: str
    filed_with: str
    status: str
    received_at: datetime
    registration_day: date
    registered_at: datetime | None
    provider_response_due: datetime | None
    review_due: datetime


class ComplaintRepository(Protocol):
    """Complaints and their history."""

    def add(self, stored: StoredComplaint) -> None:
        """Store a new complaint; AlreadyStored if the same signed complaint is stored."""
        ...

    def get(self, number: str) -> StoredComplaint | None:
        """The complaint, or None."""
        ...

    def find_by_signature(self, sha256: str) -> str | None:
        """The number of the complaint filed with exactly this CMS, or None."""
        ...

    def save(self, stored: StoredComplaint, expected_version: int) -> int:
        """Store the new state; ConflictError if someone else changed it first. New version."""
        ...

    def record(
        self, number: str, records: Sequence[ComplaintRecord], signature: bytes | None
    ) -> None:
        """Append lines to the history, with the CMS of the act that caused them."""
        ...

    def history(self, number: str) -> list[ComplaintRecord]:
        """Every line of the history, oldest first."""
        ...

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS stored with each line, in the order of `history`."""
        ...

    def summaries(
        self,
        *,
        complainants: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ComplaintSummary], int]:
        """A page of complaints (of these complainants; None: of all), newest first, and the
        count of all matches."""
        ...

    def open_complaints(self) -> list[OpenComplaint]:
        """Every complaint not settled yet (officials' queues), in one query."""
        ...


@dataclass(frozen=True, slots=True)
class RuleChange:
    """A recorded version of the Rules, with who recorded it and its notices of §12."""

    id: str
    version: RuleVersion
    recorded_at: datetime
    recorded_by: str
    tasks: tuple[NotificationTask, ...]


class RuleChangeRepository(Protocol):
    """Versions of the Rules and the notices each one owes."""

    def add(self, change: RuleChange) -> None:
        """Store a version with its notification tasks; AlreadyStored if its identifier is
        taken."""
        ...

    def get(self, change_id: str) -> RuleChange | None:
        """The change with its tasks, or None."""
        ...

    def exists(self, identifier: str) -> bool:
        """Whether a version with this identifier was already recorded."""
        ...

    def mark_sent(
        self, change_id: str, recipient: NotificationRecipient, at: datetime, by: str
    ) -> bool:
        """Record that the notice went out; False if it had already been sent."""
        ...

    def page(self, limit: int, offset: int) -> tuple[list[RuleChange], int]:
        """Versions, newest adoption first, and the count of all."""
        ...

    def overdue(self, now: datetime) -> list[tuple[str, NotificationTask]]:
        """(change id, task) of every notice not sent by its deadline, oldest deadline first."""
        ...
