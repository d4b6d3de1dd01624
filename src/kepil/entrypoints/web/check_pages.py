"""`/check`: anyone types a document's number and learns whether this service issued it and,
for a permit, whether it is in force; a plain GET form that works without JavaScript. Or
uploads the document's PDF: its signature and pages are checked as `kepil doc verify` does."""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile

from kepil.adapters.eds_documents import EdsDocumentVerifier
from kepil.adapters.pdf.check import PdfCheck, check_pdf, signing_moment
from kepil.adapters.pdf.fonts import FontMissingError
from kepil.adapters.pdf.reading import MAX_PDF_BYTES, UnreadablePdfError, read_parts
from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.dependencies import ViewsDep, container
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.services.permits.views.check import DocumentCheck

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Numbers are stored in 32 characters (PRM-2026-000001, REG-2026-000001); anything longer or
# with other characters cannot be one, so it is refused before the database is asked.
MAX_NUMBER = 32
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]*")
MAX_UPLOAD_BYTES = MAX_PDF_BYTES
_FORM_OVERHEAD = 64 * 1024  # the multipart boundaries and headers around the file
_TOO_LARGE = N_("The file is larger than a document's PDF can be (16 MB).")


@router.get("/check")
def check(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """The form; with a number, the answer beside it, or the problem beside the field."""
    asked = request.query_params.get("number")
    typed = (asked or "").strip()[:200]
    number = typed.upper()
    error = None
    if asked is not None and not number:
        error = N_("Enter the number of the document.")
    elif len(number) > MAX_NUMBER or (number and not _NUMBER.fullmatch(number)):
        error = N_(
            "A document number has at most 32 characters: Latin letters, digits and hyphens, "
            "such as PRM-2026-000001."
        )
    found = views.check_document(number) if number and error is None else None
    context = _answer(typed, bool(number) and error is None, found)
    return render(request, prefs, "check.html", {**context, "error": error})


@router.post("/check")
async def check_upload(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """An uploaded PDF: its attached signature, its pages against the attached original, and
    the document's standing in the registry today (what `kepil doc verify --server` says)."""
    verdict: PdfCheck | None
    problem: str | None
    if _declared_length(request) > MAX_UPLOAD_BYTES + _FORM_OVERHEAD:
        # Refused before the form is parsed, so an oversized upload is not spooled to disk.
        verdict, problem = None, _TOO_LARGE
    else:
        posted = await request.form()
        try:
            upload = posted.get("pdf")
            data = (
                await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
            )
        finally:
            await posted.close()
        verdict, problem = await run_in_threadpool(_check_pdf, request, data)
    found = views.check_document(verdict.number) if verdict is not None else None
    context = _answer(verdict.number if verdict else "", verdict is not None, found)
    context.update(pdf_verdict=verdict, pdf_error=problem, pdf_kinds=_finding_kinds(verdict))
    return render(request, prefs, "check.html", {**context, "error": None})


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


def _answer(typed: str, asked: bool, found: DocumentCheck | None) -> dict[str, Any]:
    return {
        "typed": typed,
        "asked": asked,
        "found": found,
        "in_force": found is not None
        and found.entry is not None
        and found.entry.status is RegistryStatus.ACTIVE,
        "statuses": words.STATUS_NAMES,
        "words": words,
        "pdf_verdict": None,
        "pdf_error": None,
        "pdf_kinds": [],
    }


def _check_pdf(request: Request, data: bytes) -> tuple[PdfCheck | None, str | None]:
    if not data:
        return None, N_("Choose the PDF file of the document.")
    if len(data) > MAX_UPLOAD_BYTES:
        return None, _TOO_LARGE
    verifier = container(request).permits.verifier
    if not isinstance(verifier, EdsDocumentVerifier):
        return None, N_("This server cannot check signatures of uploaded files.")
    try:
        parts = read_parts(data)
        at = signing_moment(parts.signature) or container(request).clock.now()
        return check_pdf(data, verifier.trust_store, at), None
    except UnreadablePdfError:
        return None, N_(
            "This file is not a document PDF of this service: it carries no signed document."
        )
    except FontMissingError:
        return None, N_("The server cannot draw documents now (its PDF font is missing).")


def _finding_kinds(verdict: PdfCheck | None) -> list[str]:
    # People read one sentence per kind of problem; the codes stay beside it for experts.
    if verdict is None:
        return []
    kinds = []
    for finding in verdict.findings:
        if finding.code.startswith("signature_"):
            kind = N_("The signature does not hold for the attached document.")
        elif finding.code == "text_differs":
            kind = N_("The pages do not show what was signed: the visible text was changed.")
        elif finding.code == "drawing_differs":
            kind = N_("The file was changed after it was made: a drawing such as the QR code.")
        else:
            kind = N_("The attached files do not belong together.")
        if kind not in kinds:
            kinds.append(kind)
    return kinds
