"""Views of applications: the case as its applicant or an official reads it, lists, documents,
attachments and the cabinet."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from kepil.domain.calendar import to_almaty
from kepil.domain.permits.codec import (
    EventRecord,
    attachment_to_dict,
    clearances_to_list,
    form_to_dict,
)
from kepil.services.errors import NotFoundError
from kepil.services.permits.ports import (
    ApplicationSummary,
    IssuedDocument,
    Notification,
    StoredApplication,
    StoredFile,
)
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class DeadlineView:
    """A stage's deadline, how it ended, and whether it is overdue now (Almaty time)."""

    stage: str
    due: datetime
    settled_at: datetime | None
    outcome: str | None
    overdue: bool


@dataclass(frozen=True, slots=True)
class HistoryLineView:
    """One step of an application's history (Almaty time)."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    stage_deadline: datetime | None
    late: bool
    details: dict[str, Any]


@dataclass(frozen=True, slots=True)
class DocumentRefView:
    """A signed result document issued on the application."""

    number: str
    kind: str
    issued_at: datetime
    sha256: str


@dataclass(frozen=True, slots=True)
class ApplicationView:
    """An application, its deadlines, history and documents; `state_facts` for officials."""

    number: str
    status: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    purpose: str
    received_at: datetime
    registration_day: date
    service_term_due: datetime
    deadlines: list[DeadlineView]
    attachments: list[dict[str, Any]]
    history: list[HistoryLineView]
    documents: list[DocumentRefView]
    state_facts: dict[str, Any] | None
    form: dict[str, Any]
    """The Appendix 2 form as the applicant signed it, read back."""
    ground_clearances: list[dict[str, Any]]
    """The examiner's signed records on reported grounds 3-4, as the aggregate keeps them
    (officials only, like `state_facts`)."""


@dataclass(frozen=True, slots=True)
class ApplicationPage:
    """A page of applications and the count of all that match."""

    items: list[ApplicationSummary]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class DocumentView:
    """A result document: its canonical JSON, the exact signed bytes and the head's CMS."""

    number: str
    kind: str
    application_number: str
    issued_at: datetime
    signer_iin: str
    sha256: str
    document: dict[str, Any]
    content: bytes
    signature: bytes


def application_view(uow: UnitOfWork, who: Viewer, number: str, now: datetime) -> ApplicationView:
    """One case; a stranger's case is reported as not found, not as forbidden."""
    stored = visible(uow.applications.get(number), number, who)
    application = stored.application
    schedule = application.schedule
    return ApplicationView(
        number=application.number,
        status=str(application.status),
        applicant_id=application.form.applicant_identifier,
        applicant_name=application.form.applicant_name,
        platform_name=application.form.platform_name,
        purpose=application.form.purpose,
        # Officials and applicants read deadlines on Almaty clocks (App.1 §8).
        received_at=to_almaty(schedule.received_at),
        registration_day=schedule.registration_day,
        service_term_due=to_almaty(schedule.service_term_due),
        deadlines=[
            DeadlineView(
                stage=str(d.stage),
                due=to_almaty(d.due),
                settled_at=to_almaty(d.settled_at) if d.settled_at else None,
                outcome=str(d.outcome) if d.outcome else None,
                overdue=d.is_overdue(now),
            )
            for d in application.deadlines.all()
        ],
        attachments=[attachment_to_dict(a) for a in application.form.attachments],
        history=[_line(record) for record in uow.applications.history(number)],
        documents=[
            DocumentRefView(d.number, d.kind, d.issued_at, d.sha256)
            for d in uow.documents.for_application(number)
        ],
        # What the state systems said about the applicant is for the examiner (§4).
        state_facts=stored.state_facts if who.is_official else None,
        form=form_to_dict(application.form),
        ground_clearances=(
            clearances_to_list(application.ground_clearances) if who.is_official else []
        ),
    )


def application_page(
    uow: UnitOfWork, who: Viewer, status: str | None, limit: int, offset: int
) -> ApplicationPage:
    """A page of cases: all for officials, one's own for applicants."""
    # The same rule as the single view (Viewer.owns): the IIN or the certificate's BIN.
    own = None if who.is_official else who.principal.identifiers
    items, total = uow.applications.summaries(
        applicant_ids=own, status=status, limit=limit, offset=offset
    )
    return ApplicationPage(items, total, limit, offset)


def attachment_file(uow: UnitOfWork, who: Viewer, number: str, sha256: str) -> StoredFile:
    """One attached file's bytes."""
    visible(uow.applications.get(number), number, who)
    found = uow.applications.attachment(number, sha256)
    if found is None:
        raise NotFoundError("attachment_not_found", f"no attachment {sha256} on {number}")
    return found


def document_view(uow: UnitOfWork, who: Viewer, number: str) -> DocumentView:
    """A signed result document, for its recipient or an official."""
    found: IssuedDocument | None = uow.documents.get(number)
    if found is None or not who.may_see(found.recipient_id):
        raise NotFoundError("document_not_found", f"no document {number}")
    return DocumentView(
        number=found.number,
        kind=found.kind,
        application_number=found.application_number,
        issued_at=found.issued_at,
        signer_iin=found.signer_iin,
        sha256=found.sha256,
        document=json.loads(found.content),
        content=found.content,
        signature=found.signature,
    )


def cabinet_items(uow: UnitOfWork, who: Viewer, limit: int) -> list[Notification]:
    """The cabinet's messages, newest first: to the IIN and, for an organisation's employee, to
    its BIN; a sole proprietor's one number is asked once, so nothing shows twice."""
    found = [
        notification
        for recipient in sorted(who.principal.identifiers)
        for notification in uow.notifications.for_recipient(recipient, limit)
    ]
    return sorted(found, key=lambda n: (n.created_at, n.id or 0), reverse=True)[:limit]


def visible(stored: StoredApplication | None, number: str, who: Viewer) -> StoredApplication:
    """The case if the viewer may read it; otherwise not found, so nothing leaks."""
    if stored is None or not who.may_see(stored.application.form.applicant_identifier):
        raise NotFoundError("application_not_found", f"no application {number}")
    return stored


def _line(record: EventRecord) -> HistoryLineView:
    return HistoryLineView(
        kind=record.kind,
        at=to_almaty(record.at),
        status=record.status,
        actor_role=record.actor_role,
        actor_name=record.actor_name,
        stage_deadline=to_almaty(record.stage_deadline) if record.stage_deadline else None,
        late=record.late,
        details=record.details,
    )
