"""`/api/v1/applications`: file, follow and decide permit applications (Rules §3-§9)."""

from __future__ import annotations

import base64
import json
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Header, Query, Response, UploadFile
from pydantic import BaseModel, Field

from kepil.domain.calendar import to_almaty
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.entrypoints.api.signed import MAX_CMS_BYTES, SignedIn
from kepil.services.permits import decisions, queries, submission

router = APIRouter(prefix="/api/v1/applications", tags=["applications"])

_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse} for code in (401, 403, 404, 409, 413, 422)
}


class DeadlineOut(BaseModel):
    """A stage's deadline and how it ended."""

    stage: str
    due: datetime
    settled_at: datetime | None
    outcome: str | None
    overdue: bool


class EventOut(BaseModel):
    """One step of the application's history."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    stage_deadline: datetime | None
    late: bool
    details: dict[str, Any]


class DocumentRef(BaseModel):
    """A signed result document issued on the application."""

    number: str
    kind: str
    issued_at: datetime
    sha256: str


class ApplicationOut(BaseModel):
    """An application, its deadlines, history and documents."""

    number: str
    status: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    purpose: str
    received_at: datetime
    registration_day: date
    service_term_due: datetime
    deadlines: list[DeadlineOut]
    attachments: list[dict[str, Any]]
    history: list[EventOut]
    documents: list[DocumentRef]
    state_facts: dict[str, Any] | None = Field(
        default=None, description="what the state systems said (Rules §4); officials only"
    )


class SummaryOut(BaseModel):
    """One line of a list."""

    number: str
    status: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    received_at: datetime
    last_event_at: datetime


class PageOut(BaseModel):
    """A page of applications."""

    total: int
    limit: int
    offset: int
    items: list[SummaryOut]


class DecisionOut(BaseModel):
    """What the decision did."""

    application_number: str
    status: str
    event: str
    document_number: str | None


class DraftIn(BaseModel):
    """Which result document to draft; a refusal also needs its grounds and motivation."""

    document_type: str = Field(
        description="permit | motivated_refusal | refusal_of_further_consideration"
    )
    grounds: list[int] = Field(default_factory=list)
    motivation: str = ""


class DraftOut(BaseModel):
    """The document to sign: sign exactly `content_b64` (canonical JSON) as attached CMS."""

    document: dict[str, Any]
    content_b64: str


@router.post("", status_code=201, response_model=ApplicationOut, responses=_ERRORS)
def submit(
    app: ContainerDep,
    signed_in: SessionDep,
    response: Response,
    signed_form: Annotated[UploadFile, File(description="CMS over the App.2 form JSON")],
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    files: Annotated[list[UploadFile] | None, File(description="the attachments")] = None,
) -> ApplicationOut:
    """File an EDS-signed application; retrying with the same Idempotency-Key is safe."""
    limits = app.permits.limits
    cms = _read(signed_form, MAX_CMS_BYTES)
    uploads = []
    for upload in files or []:
        content = _read(upload, limits.max_file_bytes)
        uploads.append(
            submission.UploadedFile(
                upload.filename or "", upload.content_type or "application/octet-stream", content
            )
        )
    command = submission.SubmitApplication(
        principal=signed_in[1].principal,
        signed_form=cms,
        files=tuple(uploads),
        idempotency_key=idempotency_key,
    )
    result = submission.submit_application(command, app.uow(), app.permits)
    if not result.created:
        response.status_code = 200
        response.headers["Idempotent-Replayed"] = "true"
    response.headers["Location"] = f"{router.prefix}/{result.number}"
    return _view(app, signed_in, result.number)


@router.get("", response_model=PageOut, responses=_ERRORS)
def list_applications(
    app: ContainerDep,
    signed_in: SessionDep,
    status: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> PageOut:
    """Applicants see their own applications; officials see all."""
    who = queries.viewer(signed_in[1].principal, app.uow())
    items, total = queries.list_applications(who, status, limit, offset, app.uow())
    return PageOut(
        total=total,
        limit=limit,
        offset=offset,
        items=[SummaryOut.model_validate(item, from_attributes=True) for item in items],
    )


@router.get("/{number}", response_model=ApplicationOut, responses=_ERRORS)
def get_application(number: str, app: ContainerDep, signed_in: SessionDep) -> ApplicationOut:
    """One application with its deadlines, history and documents."""
    return _view(app, signed_in, number)


@router.get("/{number}/attachments/{sha256}", responses=_ERRORS)
def get_attachment(number: str, sha256: str, app: ContainerDep, signed_in: SessionDep) -> Response:
    """An attached file, byte for byte as filed."""
    who = queries.viewer(signed_in[1].principal, app.uow())
    found = queries.attachment(number, sha256, who, app.uow())
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": f'attachment; filename="{found.sha256}"'},
    )


@router.post("/{number}/drafts", response_model=DraftOut, responses=_ERRORS)
def draft(number: str, body: DraftIn, app: ContainerDep, signed_in: SessionDep) -> DraftOut:
    """The exact bytes of a result document the head signs now (Rules §9)."""
    command = decisions.DraftDocument(
        principal=signed_in[1].principal,
        application_number=number,
        document_type=body.document_type,
        grounds=tuple(body.grounds),
        motivation=body.motivation,
    )
    content = decisions.draft_document(command, app.uow(), app.permits)
    return DraftOut(
        document=json.loads(content), content_b64=base64.b64encode(content).decode("ascii")
    )


@router.post("/{number}/decisions", response_model=DecisionOut, responses=_ERRORS)
def decide(number: str, body: SignedIn, app: ContainerDep, signed_in: SessionDep) -> DecisionOut:
    """Apply an EDS-signed decision: a procedural step, or a signed result document."""
    command = decisions.DecideOnApplication(
        principal=signed_in[1].principal,
        application_number=number,
        signed_decision=body.der(),
    )
    result = decisions.decide(command, app.uow(), app.permits)
    return DecisionOut.model_validate(result, from_attributes=True)


def _read(upload: UploadFile, limit: int) -> bytes:
    # Read one byte past the limit: enough to refuse, without holding a huge upload in memory.
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise ApiError(413, "too_large", f"{upload.filename} exceeds {limit} bytes")
    return content


def _local(moment: datetime) -> datetime:
    # Officials and applicants read deadlines on Almaty clocks (App.1 §8), so answer in them.
    return to_almaty(moment)


def _view(app: ContainerDep, signed_in: SessionDep, number: str) -> ApplicationOut:
    who = queries.viewer(signed_in[1].principal, app.uow())
    view = queries.view_application(number, who, app.uow())
    application = view.application
    now = app.clock.now()
    return ApplicationOut(
        number=application.number,
        status=str(application.status),
        applicant_id=application.form.applicant_identifier,
        applicant_name=application.form.applicant_name,
        platform_name=application.form.platform_name,
        purpose=application.form.purpose,
        received_at=_local(application.schedule.received_at),
        registration_day=application.schedule.registration_day,
        service_term_due=_local(application.schedule.service_term_due),
        deadlines=[
            DeadlineOut(
                stage=str(d.stage),
                due=_local(d.due),
                settled_at=_local(d.settled_at) if d.settled_at else None,
                outcome=str(d.outcome) if d.outcome else None,
                overdue=d.is_overdue(now),
            )
            for d in application.deadlines.all()
        ],
        attachments=view.attachments,
        history=[
            EventOut(
                kind=e.kind,
                at=_local(e.at),
                status=e.status,
                actor_role=e.actor_role,
                actor_name=e.actor_name,
                stage_deadline=_local(e.stage_deadline) if e.stage_deadline else None,
                late=e.late,
                details=e.details,
            )
            for e in view.history
        ],
        documents=[DocumentRef.model_validate(d, from_attributes=True) for d in view.documents],
        state_facts=view.state_facts,
    )
