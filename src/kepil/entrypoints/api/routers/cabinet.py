"""`/api/v1/documents` and `/api/v1/cabinet`: signed results and messages (Rules §9, App.1 §11)."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.services.permits import queries

router = APIRouter(prefix="/api/v1", tags=["cabinet"])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 404)}


class DocumentOut(BaseModel):
    """A result document: its canonical JSON, the exact signed bytes and the head's CMS."""

    number: str
    kind: str
    application_number: str
    issued_at: datetime
    signer_iin: str
    sha256: str
    document: dict[str, Any]
    content_b64: str
    signature_b64: str


class NotificationOut(BaseModel):
    """A message in the cabinet."""

    case_number: str
    kind: str
    message: str
    created_at: datetime


@router.get("/documents/{number}", response_model=DocumentOut, responses=_ERRORS)
def get_document(number: str, app: ContainerDep, signed_in: SessionDep) -> DocumentOut:
    """A signed permit, refusal or notice, for its recipient or an official."""
    who = queries.viewer(signed_in[1].principal, app.uow())
    found = queries.document(number, who, app.uow())
    return DocumentOut(
        number=found.number,
        kind=found.kind,
        application_number=found.application_number,
        issued_at=found.issued_at,
        signer_iin=found.signer_iin,
        sha256=found.sha256,
        document=json.loads(found.content),
        content_b64=base64.b64encode(found.content).decode("ascii"),
        signature_b64=base64.b64encode(found.signature).decode("ascii"),
    )


@router.get("/cabinet/notifications", response_model=list[NotificationOut], responses=_ERRORS)
def cabinet_notifications(
    app: ContainerDep,
    signed_in: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationOut]:
    """The signed-in person's messages, newest first: statuses and results of their cases."""
    who = queries.viewer(signed_in[1].principal, app.uow())
    return [
        NotificationOut.model_validate(n, from_attributes=True)
        for n in queries.notifications(who, limit, app.uow())
    ]
