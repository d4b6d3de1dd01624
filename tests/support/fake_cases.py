"""In-memory repositories of the permit wing's cases: applications, complaints, rule changes.

Each keeps rows as its SQL adapter's tables do and rebuilds aggregates on reading, so a handler
that changes an aggregate without saving it changes nothing, as on the database."""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import pairwise
from typing import Any

from tests.support.fakes import FakeStore, detached, insert_new

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    Application,
    ApplicationEvent,
    ApplicationForm,
    ApplicationStatus,
    NotificationRecipient,
    NotificationTask,
    Stage,
    StageBook,
    StageDeadline,
    StageOutcome,
)
from kepil.domain.permits.codec import EventRecord, event_record
from kepil.domain.permits.deadlines import ServiceSchedule
from kepil.domain.permits.grounds import GroundClearance, RefusalReasons
from kepil.services.errors import ConflictError
from kepil.services.permits.complaint_ports import (
    ComplaintRecord,
    ComplaintSummary,
    OpenComplaint,
    RuleChange,
    StoredComplaint,
)
from kepil.services.permits.ports import (
    AlreadyStored,
    ApplicationSummary,
    OpenCase,
    OpenDeadline,
    SettledStage,
    StoredApplication,
    StoredFile,
)

StageKey = tuple[str, Stage]


@dataclass(frozen=True, slots=True)
class ApplicationRow:
    """An application as its table row holds it."""

    form: ApplicationForm
    schedule: ServiceSchedule
    status: ApplicationStatus
    preliminary_reasons: RefusalReasons | None
    hearing_at: datetime | None
    last_event_at: datetime
    state_facts: dict[str, Any]
    signed_form: bytes
    version: int
    hearing_moves: int = 0
    ground_clearances: tuple[GroundClearance, ...] = ()


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """A stage deadline row, with the sweeper's mark the aggregate does not know of."""

    due: datetime
    settled_at: datetime | None = None
    outcome: StageOutcome | None = None
    overdue_marked_at: datetime | None = None

    @property
    def open(self) -> bool:
        """Whether the stage is still running."""
        return self.settled_at is None


class FakeApplicationRepository(FakeStore):
    """Applications, their deadlines, history and attachments."""

    not_data = frozenset({"calendar", "taken"})

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.calendar = calendar
        self.taken: set[StageKey] = set()
        """Stages another sweeper marks overdue just before this store is asked to."""
        self.rows: dict[str, ApplicationRow] = {}
        self.deadlines: dict[StageKey, DeadlineRow] = {}
        self.events: list[tuple[str, EventRecord]] = []
        self.signatures: list[tuple[str, bytes | None]] = []
        """The CMS kept with each event, in the order of `events`."""
        self.files: dict[tuple[str, str], StoredFile] = {}

    def add(self, stored: StoredApplication, files: Sequence[StoredFile]) -> None:
        """Store a new application, its deadlines and its attachments."""
        application = stored.application
        row = ApplicationRow(
            application.form,
            application.schedule,
            application.status,
            application.preliminary_reasons,
            application.hearing_at,
            _last_event_at(application),
            detached(stored.state_facts),
            stored.signed_form,
            stored.version,
            application.hearing_moves,
            application.ground_clearances,
        )
        insert_new(self.rows, application.number, row)
        self._save_deadlines(application)
        for file in files:
            insert_new(self.files, (application.number, file.sha256), file)

    def get(self, number: str) -> StoredApplication | None:
        """The application rebuilt from its row and deadlines, or None."""
        row = self.rows.get(number)
        if row is None:
            return None
        book = StageBook(
            StageDeadline(stage, d.due, d.settled_at, d.outcome)
            for (owner, stage), d in self.deadlines.items()
            if owner == number
        )
        application = Application.restore(
            number,
            row.form,
            row.schedule,
            self.calendar,
            status=row.status,
            deadlines=book,
            preliminary_reasons=row.preliminary_reasons,
            hearing_at=row.hearing_at,
            last_event_at=row.last_event_at,
            hearing_moves=row.hearing_moves,
            ground_clearances=row.ground_clearances,
        )
        return StoredApplication(
            application, detached(row.state_facts), row.signed_form, row.version
        )

    def save(
        self,
        application: Application,
        expected_version: int,
        state_facts: dict[str, Any] | None = None,
    ) -> int:
        """Store the new state (and the answers, when given) if nobody changed it since read."""
        row = self.rows.get(application.number)
        if row is None or row.version != expected_version:
            raise ConflictError(
                "concurrent_change",
                f"application {application.number} was changed by someone else; reload it",
            )
        self.rows[application.number] = replace(
            row,
            status=application.status,
            preliminary_reasons=application.preliminary_reasons,
            hearing_at=application.hearing_at,
            hearing_moves=application.hearing_moves,
            ground_clearances=application.ground_clearances,
            last_event_at=_last_event_at(application),
            version=expected_version + 1,
            state_facts=row.state_facts if state_facts is None else detached(state_facts),
        )
        self._save_deadlines(application)
        return expected_version + 1

    def record_events(
        self, events: Sequence[ApplicationEvent], signature: bytes | None
    ) -> list[EventRecord]:
        """Append the events to their applications' history."""
        records = [event_record(event) for event in events]
        for event, record in zip(events, records, strict=True):
            self.events.append((event.application_number, record))
            self.signatures.append((event.application_number, signature))
        return records

    def history(self, number: str) -> list[EventRecord]:
        """Every event of the application, oldest first."""
        return [record for owner, record in self.events if owner == number]

    def summaries(
        self,
        *,
        applicant_ids: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ApplicationSummary], int]:
        """A page of applications, newest first, and the count of all matches."""
        found = [
            ApplicationSummary(
                number=number,
                applicant_id=row.form.applicant_identifier,
                applicant_name=row.form.applicant_name,
                platform_name=row.form.platform_name,
                status=str(row.status),
                received_at=row.schedule.received_at,
                last_event_at=row.last_event_at,
            )
            for number, row in self.rows.items()
            if (applicant_ids is None or row.form.applicant_identifier in applicant_ids)
            and status in (None, str(row.status))
        ]
        found.sort(key=lambda s: (s.received_at, s.number), reverse=True)
        return found[offset : offset + limit], len(found)

    def attachment(self, number: str, sha256: str) -> StoredFile | None:
        """One attachment, or None."""
        return self.files.get((number, sha256))

    def deadlines_of(self, numbers: Sequence[str]) -> dict[str, list[StageDeadline]]:
        """The listed applications' deadlines, earliest due first."""
        found: dict[str, list[StageDeadline]] = defaultdict(list)
        for (owner, stage), d in sorted(
            self.deadlines.items(), key=lambda item: (item[1].due, str(item[0][1]))
        ):
            if owner in numbers:
                found[owner].append(StageDeadline(stage, d.due, d.settled_at, d.outcome))
        return dict(found)

    def overdue(self, now: datetime, limit: int) -> list[OpenDeadline]:
        """Open, unreported stages past their deadline, oldest deadline first."""
        found = [
            OpenDeadline(number, stage, row.due)
            for (number, stage), row in self.deadlines.items()
            if row.open and row.overdue_marked_at is None and row.due < now
        ]
        return _oldest_first(found)[:limit]

    def mark_overdue(self, deadline: OpenDeadline, at: datetime) -> bool:
        """Mark once; a stage in `taken` is marked, but by the other sweeper, so False."""
        key = (deadline.application_number, deadline.stage)
        row = self.deadlines.get(key)
        if row is None or not row.open or row.overdue_marked_at is not None:
            return False
        self.deadlines[key] = replace(row, overdue_marked_at=at)
        return key not in self.taken

    def stage_counts(self) -> dict[str, int]:
        """Applications per status."""
        return dict(Counter(str(row.status) for row in self.rows.values()))

    def open_deadlines(self, now: datetime) -> list[OpenDeadline]:
        """Every open stage past its deadline, marked or not."""
        return _oldest_first(
            OpenDeadline(number, stage, row.due)
            for (number, stage), row in self.deadlines.items()
            if row.open and row.due < now
        )

    def settled_durations(self) -> dict[str, list[float]]:
        """Per status, the seconds each application spent in it before its next event."""
        by_case: dict[str, list[EventRecord]] = defaultdict(list)
        for owner, record in self.events:
            by_case[owner].append(record)
        durations: dict[str, list[float]] = defaultdict(list)
        for _, records in sorted(by_case.items()):
            for earlier, later in pairwise(records):
                durations[earlier.status].append((later.at - earlier.at).total_seconds())
        return dict(durations)

    def open_cases(self, statuses: frozenset[str]) -> list[OpenCase]:
        """Applications in the statuses with their running stages, earliest due first."""
        return [
            OpenCase(
                number=number,
                applicant_id=row.form.applicant_identifier,
                applicant_name=row.form.applicant_name,
                platform_name=row.form.platform_name,
                status=str(row.status),
                received_at=row.schedule.received_at,
                deadlines=tuple(
                    sorted(
                        (
                            StageDeadline(stage, d.due)
                            for (owner, stage), d in self.deadlines.items()
                            if owner == number and d.open
                        ),
                        key=lambda d: (d.due, str(d.stage)),
                    )
                ),
            )
            for number, row in sorted(self.rows.items())
            if str(row.status) in statuses
        ]

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS kept with each event of the application, oldest first."""
        return [signature for owner, signature in self.signatures if owner == number]

    def open_stage_counts(self) -> dict[str, int]:
        """Running stages per stage."""
        return dict(Counter(str(stage) for (_, stage), row in self.deadlines.items() if row.open))

    def settled_stages(self, start: datetime, end: datetime) -> list[SettledStage]:
        """Stages met in the period, oldest first."""
        found = [
            SettledStage(
                number, stage, row.due, row.settled_at, self.rows[number].schedule.received_at
            )
            for (number, stage), row in self.deadlines.items()
            if row.settled_at is not None
            and row.outcome is StageOutcome.MET
            and start <= row.settled_at < end
        ]
        return sorted(found, key=lambda s: (s.settled_at, s.application_number))

    def received_per_period(self, bounds: Sequence[datetime]) -> list[int]:
        """Applications received per period."""
        return _per_period([row.schedule.received_at for row in self.rows.values()], bounds)

    def events_per_period(
        self, bounds: Sequence[datetime], statuses: Collection[str]
    ) -> dict[str, list[int]]:
        """Events into each named status per period; statuses never reached are left out."""
        found: dict[str, list[datetime]] = defaultdict(list)
        for _, record in self.events:
            if record.status in statuses and bounds and bounds[0] <= record.at < bounds[-1]:
                found[record.status].append(record.at)
        return {status: _per_period(moments, bounds) for status, moments in found.items()}

    def _save_deadlines(self, application: Application) -> None:
        for deadline in application.deadlines.all():
            key = (application.number, deadline.stage)
            row = self.deadlines.get(key, DeadlineRow(deadline.due))
            self.deadlines[key] = replace(
                row, due=deadline.due, settled_at=deadline.settled_at, outcome=deadline.outcome
            )


def _last_event_at(application: Application) -> datetime:
    if application.last_event_at is None:
        raise ValueError(f"application {application.number} has no event yet to store")
    return application.last_event_at


def _oldest_first(deadlines: Any) -> list[OpenDeadline]:
    # The database orders by due alone; number and stage make ties come out the same every run.
    return sorted(deadlines, key=lambda d: (d.due, d.application_number, str(d.stage)))


class FakeComplaintRepository(FakeStore):
    """Complaints and their history."""

    def __init__(self) -> None:
        self.rows: dict[str, StoredComplaint] = {}
        self.lines: list[tuple[str, ComplaintRecord, bytes | None]] = []

    def add(self, stored: StoredComplaint) -> None:
        """Store a new complaint; AlreadyStored if the same signed complaint is stored already."""
        if self.find_by_signature(hashlib.sha256(stored.signed_complaint).hexdigest()):
            raise AlreadyStored(stored.complaint.number)
        insert_new(self.rows, stored.complaint.number, detached(stored))

    def get(self, number: str) -> StoredComplaint | None:
        """A copy of the complaint as last stored, or None."""
        return detached(self.rows.get(number))

    def find_by_signature(self, sha256: str) -> str | None:
        """The complaint filed with exactly this CMS."""
        for number, stored in self.rows.items():
            if hashlib.sha256(stored.signed_complaint).hexdigest() == sha256:
                return number
        return None

    def save(self, stored: StoredComplaint, expected_version: int) -> int:
        """Store the new state (what was filed stays as filed) if nobody changed it first."""
        number = stored.complaint.number
        row = self.rows.get(number)
        if row is None or row.version != expected_version:
            raise ConflictError(
                "concurrent_change", f"complaint {number} was changed by someone else; reload it"
            )
        self.rows[number] = replace(
            row,
            complaint=detached(stored.complaint),
            registered_at=stored.registered_at,
            registered_by=stored.registered_by,
            version=expected_version + 1,
        )
        return expected_version + 1

    def record(
        self, number: str, records: Sequence[ComplaintRecord], signature: bytes | None
    ) -> None:
        """Append lines to the history with the CMS that caused them."""
        self.lines.extend((number, record, signature) for record in records)

    def history(self, number: str) -> list[ComplaintRecord]:
        """Every line of the complaint, oldest first."""
        return [record for owner, record, _ in self.lines if owner == number]

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS kept with each line of the complaint, oldest first."""
        return [signature for owner, _, signature in self.lines if owner == number]

    def summaries(
        self,
        *,
        complainants: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ComplaintSummary], int]:
        """A page of complaints, newest first, and the count of all matches."""
        found = [
            ComplaintSummary(
                number=number,
                application_number=c.application_number or "",
                complainant=c.complainant,
                subject=str(c.subject),
                filed_with=str(c.filed_with),
                status=str(c.status),
                received_at=c.received_at,
                registered_at=stored.registered_at,
                review_due=c.review_due,
            )
            for number, stored in self.rows.items()
            for c in (stored.complaint,)
            if (complainants is None or c.complainant in complainants)
            and status in (None, str(c.status))
        ]
        found.sort(key=lambda s: (s.received_at, s.number), reverse=True)
        return found[offset : offset + limit], len(found)

    def open_complaints(self) -> list[OpenComplaint]:
        """Every complaint not settled yet, oldest first."""
        found = [
            OpenComplaint(
                number=number,
                application_number=c.application_number or "",
                complainant=c.complainant,
                filed_by_name=stored.filed_by_name,
                filed_with=str(c.filed_with),
                status=str(c.status),
                received_at=c.received_at,
                registration_day=c.registration_day,
                registered_at=stored.registered_at,
                provider_response_due=c.provider_response_due,
                review_due=c.review_due,
            )
            for number, stored in self.rows.items()
            for c in (stored.complaint,)
            if c.settled_at is None
        ]
        return sorted(found, key=lambda c: (c.received_at, c.number))


class FakeRuleChangeRepository(FakeStore):
    """Versions of the Rules and who sent each notice."""

    def __init__(self) -> None:
        self.rows: dict[str, RuleChange] = {}
        self.sent_by: dict[tuple[str, NotificationRecipient], str] = {}

    def add(self, change: RuleChange) -> None:
        """Store a version with its tasks; AlreadyStored if its identifier is taken."""
        if self.exists(change.version.identifier):
            raise AlreadyStored(f"rule version {change.version.identifier}")
        insert_new(self.rows, change.id, change)

    def get(self, change_id: str) -> RuleChange | None:
        """The change, its tasks by recipient, or None."""
        change = self.rows.get(change_id)
        return _tasks_by_recipient(change) if change is not None else None

    def exists(self, identifier: str) -> bool:
        """Whether a version with this identifier is stored."""
        return any(c.version.identifier == identifier for c in self.rows.values())

    def mark_sent(
        self, change_id: str, recipient: NotificationRecipient, at: datetime, by: str
    ) -> bool:
        """Set the sending moment once; False if it had been sent (or is not owed)."""
        change = self.rows.get(change_id)
        tasks = change.tasks if change is not None else ()
        owed = [t for t in tasks if t.recipient is recipient and t.sent_at is None]
        if change is None or not owed:
            return False
        self.rows[change_id] = replace(
            change, tasks=tuple(t.mark_sent(at, by) if t is owed[0] else t for t in tasks)
        )
        self.sent_by[change_id, recipient] = by
        return True

    def page(self, limit: int, offset: int) -> tuple[list[RuleChange], int]:
        """Versions, newest adoption first, and the count of all."""
        ordered = sorted(
            self.rows.values(), key=lambda c: (c.version.adopted_on, c.id), reverse=True
        )
        page = ordered[offset : offset + limit]
        return [_tasks_by_recipient(c) for c in page], len(ordered)

    def overdue(self, now: datetime) -> list[tuple[str, NotificationTask]]:
        """(change id, task) of every unsent notice past its deadline, oldest deadline first."""
        found = [
            (change.id, task)
            for change in self.rows.values()
            for task in change.tasks
            if task.sent_at is None and task.due < now
        ]
        return sorted(found, key=lambda pair: (pair[1].due, pair[0]))


def _tasks_by_recipient(change: RuleChange) -> RuleChange:
    # The table hands notices back ordered by recipient, whatever order they were written in.
    return replace(change, tasks=tuple(sorted(change.tasks, key=lambda t: str(t.recipient))))


def _per_period(moments: Sequence[datetime], bounds: Sequence[datetime]) -> list[int]:
    return [sum(lower <= at < upper for at in moments) for lower, upper in pairwise(bounds)]
