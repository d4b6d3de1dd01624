"""Complaints in SQL (Rules §13-§15), within the unit of work's transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, insert, select, update

from kepil.adapters.db.complaint_tables import (
    complaint_events,
    complaints,
)
from kepil.adapters.db.paging import page
from kepil.adapters.db.permit_repositories import insert_once
from kepil.adapters.db.types import json_text
from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    Complaint,
    ComplaintEvent,
    ComplaintStatus,
    ComplaintSubject,
    FiledWith,
    PermitRole,
)
from kepil.services.errors import ConflictError
from kepil.services.permits.complaint_ports import (
    ComplaintRecord,
    ComplaintSummary,
    OpenComplaint,
    StoredComplaint,
)
from kepil.services.permits.ports import AlreadyStored

# History lines that are the aggregate's own decisions; filing and registration are not.
_DECIDED = frozenset(ComplaintStatus) - {ComplaintStatus.REGISTERED}


class SqlComplaintRepository:
    """Complaints, their stored deadlines and their history."""

    def __init__(self, connection: Connection, calendar: WorkingCalendar) -> None:
        self._connection = connection
        self._calendar = calendar

    def add(self, stored: StoredComplaint) -> None:
        """Store a new complaint; AlreadyStored if the same signed complaint is stored already
        (a twin committed meanwhile: waited for, not failed on)."""
        complaint = stored.complaint
        row = dict(
            number=complaint.number,
            application_number=complaint.application_number,
            complainant=complaint.complainant,
            filed_by_iin=stored.filed_by_iin,
            filed_by_name=stored.filed_by_name,
            subject=str(complaint.subject),
            filed_with=str(complaint.filed_with),
            target=stored.target,
            text=stored.text,
            received_at=complaint.received_at,
            registration_day=complaint.registration_day,
            provider_response_due=complaint.provider_response_due,
            review_due=complaint.review_due,
            signed_complaint=stored.signed_complaint,
            signature_sha256=hashlib.sha256(stored.signed_complaint).hexdigest(),
            version=stored.version,
            **_state(stored),
        )
        if not insert_once(self._connection, complaints, row):
            raise AlreadyStored(complaint.number)

    def get(self, number: str) -> StoredComplaint | None:
        """The complaint rebuilt with the deadlines it was given, or None."""
        row = self._connection.execute(
            select(complaints).where(complaints.c.number == number)
        ).first()
        if row is None:
            return None
        complaint = Complaint(
            row.number,
            row.complainant,
            ComplaintSubject(row.subject),
            FiledWith(row.filed_with),
            row.received_at,
            self._calendar,
            row.application_number,
        )
        complaint.registration_day = row.registration_day
        complaint.provider_response_due = row.provider_response_due
        complaint.review_due = row.review_due
        complaint.status = ComplaintStatus(row.status)
        complaint.settled_at = row.settled_at
        complaint.events = [
            _domain_event(number, record)
            for record in self.history(number)
            if record.status in _DECIDED
        ]
        return StoredComplaint(
            complaint=complaint,
            filed_by_iin=row.filed_by_iin,
            filed_by_name=row.filed_by_name,
            target=row.target,
            text=row.text,
            signed_complaint=bytes(row.signed_complaint),
            version=row.version,
            registered_at=row.registered_at,
            registered_by=row.registered_by,
        )

    def find_by_signature(self, sha256: str) -> str | None:
        """The complaint filed with exactly this CMS."""
        found = self._connection.execute(
            select(complaints.c.number).where(complaints.c.signature_sha256 == sha256)
        ).scalar_one_or_none()
        return str(found) if found is not None else None

    def save(self, stored: StoredComplaint, expected_version: int) -> int:
        """Write the new state if nobody changed it since it was read."""
        number = stored.complaint.number
        changed = self._connection.execute(
            update(complaints)
            .where(and_(complaints.c.number == number, complaints.c.version == expected_version))
            .values(version=expected_version + 1, **_state(stored))
        ).rowcount
        if changed != 1:
            raise ConflictError(
                "concurrent_change", f"complaint {number} was changed by someone else; reload it"
            )
        return expected_version + 1

    def record(
        self, number: str, records: Sequence[ComplaintRecord], signature: bytes | None
    ) -> None:
        """Append lines to the history."""
        for record in records:
            self._connection.execute(
                insert(complaint_events).values(
                    complaint_number=number,
                    kind=record.kind,
                    at=record.at,
                    status=record.status,
                    actor_role=record.actor_role,
                    actor_name=record.actor_name,
                    actor_iin=record.actor_iin,
                    stage_deadline=record.stage_deadline,
                    late=record.late,
                    decision=record.decision,
                    details=json_text(record.details),
                    signature=signature,
                )
            )

    def history(self, number: str) -> list[ComplaintRecord]:
        """Every line, oldest first."""
        rows = self._connection.execute(
            select(complaint_events)
            .where(complaint_events.c.complaint_number == number)
            .order_by(complaint_events.c.id)
        )
        return [
            ComplaintRecord(
                kind=row.kind,
                at=row.at,
                status=row.status,
                actor_role=row.actor_role,
                actor_name=row.actor_name,
                actor_iin=row.actor_iin,
                stage_deadline=row.stage_deadline,
                late=bool(row.late),
                decision=row.decision,
                details=json.loads(row.details),
            )
            for row in rows
        ]

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS stored with each line, in the order of `history`."""
        rows = self._connection.execute(
            select(complaint_events.c.signature)
            .where(complaint_events.c.complaint_number == number)
            .order_by(complaint_events.c.id)
        )
        return [bytes(row.signature) if row.signature is not None else None for row in rows]

    def summaries(
        self,
        *,
        complainants: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ComplaintSummary], int]:
        """A page of complaints, newest first."""
        conditions: list[ColumnElement[bool]] = []
        if complainants is not None:
            conditions.append(complaints.c.complainant.in_(sorted(complainants)))
        if status is not None:
            conditions.append(complaints.c.status == status)
        rows, total = page(
            self._connection,
            complaints,
            conditions,
            (complaints.c.received_at.desc(), complaints.c.number.desc()),
            limit,
            offset,
        )
        return [
            ComplaintSummary(
                number=row.number,
                application_number=row.application_number,
                complainant=row.complainant,
                subject=row.subject,
                filed_with=row.filed_with,
                status=row.status,
                received_at=row.received_at,
                registered_at=row.registered_at,
                review_due=row.review_due,
            )
            for row in rows
        ], total

    def open_complaints(self) -> list[OpenComplaint]:
        """Every complaint not settled yet, oldest first (not its text nor its CMS)."""
        c = complaints.c
        rows = self._connection.execute(
            select(
                c.number,
                c.application_number,
                c.complainant,
                c.filed_by_name,
                c.filed_with,
                c.status,
                c.received_at,
                c.registration_day,
                c.registered_at,
                c.provider_response_due,
                c.review_due,
            )
            .where(complaints.c.settled_at.is_(None))
            .order_by(complaints.c.received_at, complaints.c.number)
        )
        return [
            OpenComplaint(
                number=row.number,
                application_number=row.application_number,
                complainant=row.complainant,
                filed_by_name=row.filed_by_name,
                filed_with=row.filed_with,
                status=row.status,
                received_at=row.received_at,
                registration_day=row.registration_day,
                registered_at=row.registered_at,
                provider_response_due=row.provider_response_due,
                review_due=row.review_due,
            )
            for row in rows
        ]


def _state(stored: StoredComplaint) -> dict[str, Any]:
    return {
        "status": str(stored.complaint.status),
        "settled_at": stored.complaint.settled_at,
        "registered_at": stored.registered_at,
        "registered_by": stored.registered_by,
    }


def _domain_event(number: str, record: ComplaintRecord) -> ComplaintEvent:
    # The aggregate needs its decisions back to judge lateness (a late forwarding stays late).
    return ComplaintEvent(
        complaint_number=number,
        at=record.at,
        actor_role=PermitRole(record.actor_role),
        actor_name=record.actor_name,
        status=ComplaintStatus(record.status),
        stage_deadline=record.stage_deadline or record.at,
        late=record.late,
        decision=record.decision,
        pre_trial_appeal_exhausted=bool(record.details.get("pre_trial_appeal_exhausted")),
    )
