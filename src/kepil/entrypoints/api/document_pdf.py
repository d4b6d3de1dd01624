"""A result document as its PDF, for the API and the cabinet alike (adapters/pdf draws it)."""

from __future__ import annotations

import re
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import Response

from kepil.adapters.pdf.fonts import FontMissingError
from kepil.adapters.pdf.render import SealedDocument, act_check_url, check_url, render_pdf
from kepil.entrypoints.api.dependencies import container
from kepil.entrypoints.api.errors import ApiError
from kepil.services.permits.views.acts import ActView
from kepil.services.permits.views.applications import DocumentView

PDF_MEDIA_TYPE = "application/pdf"


def wants_pdf(request: Request) -> bool:
    """Whether the caller's Accept header names PDF (JSON stays the default)."""
    return PDF_MEDIA_TYPE in request.headers.get("accept", "").lower()


def public_base_url(request: Request) -> str:
    """Where people reach kepil: KEPIL_PUBLIC_BASE_URL, else the address this request came to."""
    configured = container(request).settings.public_base_url
    return configured or str(request.base_url)


def document_pdf(found: DocumentView, request: Request) -> bytes:
    """The document's PDF; 503 with the reason when the typeface is not installed."""
    sealed = SealedDocument(found.number, found.content, found.signature)
    try:
        return render_pdf(sealed, check_url(public_base_url(request), found.number))
    except FontMissingError as error:
        raise ApiError(503, "pdf_font_missing", str(error)) from None


def act_pdf(act: ActView, request: Request) -> bytes:
    """A signed act's PDF (a §8 notice, a complaint decision), its QR code checking it by its
    case and the SHA-256 of its signed bytes; 503 when the typeface is not installed."""
    sealed = SealedDocument(act.name, act.content, act.signature)
    try:
        return render_pdf(sealed, act_check_url(public_base_url(request), act.case, act.sha256))
    except FontMissingError as error:
        raise ApiError(503, "pdf_font_missing", str(error)) from None


def pdf_response(pdf: bytes, number: str, *, inline: bool = False) -> Response:
    """The PDF under the document's number as its file name."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", number) or "document"
    disposition = "inline" if inline else "attachment"
    headers = {
        "content-disposition": (
            f'{disposition}; filename="{fallback}.pdf"; '
            f"filename*=UTF-8''{quote(number, safe='')}.pdf"
        ),
        "cache-control": "private, no-store",
        "x-content-type-options": "nosniff",
    }
    return Response(pdf, media_type=PDF_MEDIA_TYPE, headers=headers)
