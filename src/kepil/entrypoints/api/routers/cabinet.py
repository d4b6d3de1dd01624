"""`/api/v1/documents` and `/api/v1/cabinet`: signed results and messages (Rules §9, App.1 §11)."""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.dependencies import SessionDep, ViewsDep
from kepil.entrypoints.api.document_pdf import (
    PDF_MEDIA_TYPE,
    document_pdf,
    pdf_response,
    wants_pdf,
)
from kepil.entrypoints.api.errors import ApiError, ErrorResponse
from kepil.entrypoints.api.schemas.cabinet import DocumentOut, NotificationOut
from kepil.entrypoints.api.schemas.document_check import ActCheckOut, DocumentCheckOut

# Numbers are stored in at most 32 characters (entrypoints/web/check_pages.py).
MAX_NUMBER = 32

router = APIRouter(prefix="/api/v1", tags=["cabinet"])
_ERRORS: dict[int | str, dict[str, Any]] = {code: {"model": ErrorResponse} for code in (401, 404)}


@router.get(
    "/documents/{number}",
    response_model=DocumentOut,
    responses={
        **_ERRORS,
        200: {"content": {PDF_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}}}},
        503: {"model": ErrorResponse, "description": "the PDF typeface is not installed"},
    },
)
def get_document(
    number: str, request: Request, views: ViewsDep, signed_in: SessionDep
) -> DocumentOut | Response:
    """A signed permit, refusal or notice, for its recipient or an official; with
    `Accept: application/pdf`, the bilingual PDF/A carrying the signed JSON and the CMS."""
    found = views.document(signed_in.principal, number)
    if wants_pdf(request):
        return pdf_response(document_pdf(found, request), found.number)
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


@router.get(
    "/documents/{number}/check",
    response_model=DocumentCheckOut,
    responses={404: {"model": ErrorResponse}},
)
def check_document(number: str, views: ViewsDep) -> DocumentCheckOut:
    """Public, like the /check page: whether this service issued the document and, for a
    permit, its registry status today (what `kepil doc verify --server` asks)."""
    found = views.check_document(number.strip().upper()[:MAX_NUMBER])
    if found is None:
        raise ApiError(404, "not_found", f"no document {number} was issued here")
    entry = found.entry
    return DocumentCheckOut(
        number=found.number,
        kind=found.kind,
        issued_on=found.issued_on,
        registry_number=entry.registry_number if entry else None,
        status=entry.status if entry else None,
        status_reason=entry.status_reason if entry else None,
        valid_until=entry.valid_until if entry else None,
        in_force=entry is not None and entry.status is RegistryStatus.ACTIVE,
        sha256=found.sha256,
        issued_at=found.issued_at,
    )


@router.get(
    "/acts/{sha256}/check",
    response_model=ActCheckOut,
    responses={404: {"model": ErrorResponse}},
)
def check_act(
    sha256: Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")],
    case: Annotated[str, Query(min_length=1, max_length=MAX_NUMBER, pattern=r"^[A-Z0-9-]+$")],
    views: ViewsDep,
) -> ActCheckOut:
    """Public, like /check?act=…&case=…: whether this service issued, in this case, the signed
    act whose signed bytes have this SHA-256 (what `kepil doc verify --server` asks of an act)."""
    found = views.check_act(case, sha256)
    if found is None:
        raise ApiError(404, "not_found", f"no signed act {sha256} was issued here in {case}")
    return ActCheckOut(
        case=found.case,
        kind=found.action,
        issued_on=found.issued_on,
        sha256=found.sha256,
        issued_at=found.issued_at,
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
