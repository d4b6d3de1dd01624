"""`/api/v1/documents` and `/api/v1/cabinet`: signed results and messages (Rules §9, App.1 §11)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kepil.entrypoints.api.dependencies import SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.schemas.cabinet import DocumentOut, NotificationOut

router = APIRouter(prefix="/api/v1", tags=["cabinet"])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 404)}


@router.get("/documents/{number}", response_model=DocumentOut, responses=_ERRORS)
def get_document(number: str, views: ViewsDep, signed_in: SessionDep) -> DocumentOut:
    """A signed permit, refusal or notice, for its recipient or an official."""
    found = views.document(signed_in.principal, number)
    return DocumentOut(
        number=found.number,
        kind=found.kind,
        application_number=found.application_number,
        issued_at=found.issued_at,
        signer_iin=found.signer_iin,
        sha256=found.sha256,
        document=found.document,
        content_b64=base64.b64encode(found.content).decode("ascii"),
        signature_b64=base64.b64encode(found.signature).decode("ascii"),
    )


@router.get("/cabinet/notifications", response_model=list[NotificationOut], responses=_ERRORS)
def cabinet_notifications(
    views: ViewsDep,
    signed_in: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationOut]:
    """The signed-in person's messages, newest first: statuses and results of their cases."""
    return [
        NotificationOut.model_validate(n, from_attributes=True)
        for n in views.cabinet(signed_in.principal, limit)
    ]
