"""`/check`: anyone types a document's number and learns whether this service issued it and,
for a permit, whether it is in force; a plain GET form that works without JavaScript. Or
uploads the document's PDF: its signature and pages are checked as `kepil doc verify` does."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from kepil.adapters.eds_documents import EdsDocumentVerifier
from kepil.adapters.pdf.check import Expectations, PdfCheck, check_pdf
from kepil.adapters.pdf.fonts import FontMissingError
from kepil.adapters.pdf.reading import MAX_PDF_BYTES, PdfParts, UnreadablePdfError, read_parts
from kepil.adapters.pdf.render import act_case, is_result_document
from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.api.dependencies import ViewsDep, container
from kepil.entrypoints.api.document_pdf import public_base_url
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.services.permits.views.check import DocumentCheck
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

# Numbers are stored in 32 characters (PRM-2026-000001, REG-2026-000001); anything longer or
# with other characters cannot be one, so it is refused before the database is asked.
MAX_NUMBER = 32
_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MAX_UPLOAD_BYTES = MAX_PDF_BYTES
_FORM_OVERHEAD = 64 * 1024  # the multipart boundaries and headers around the file
_TOO_LARGE = N_("The file is larger than a document's PDF can be (16 MB).")


@router.get("/check")
def check(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """The form; with a number, the answer beside it, or the problem beside the field; with an
    act's address (`act` and `case`, as its QR code holds it), the answer about that act."""
    if "act" in request.query_params:
        return _check_act(request, prefs, views)
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


def _check_act(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """A signed act by its case and the SHA-256 of its signed bytes: what it is and the day,
    that this service issued it, nothing of whom (a mistyped address is simply not found)."""
    digest = request.query_params.get("act", "").strip().lower()
    case = request.query_params.get("case", "").strip().upper()
    well_formed = bool(_SHA256.fullmatch(digest)) and bool(
        len(case) <= MAX_NUMBER and _NUMBER.fullmatch(case)
    )
    context = _act_answer(views, prefs, case, digest if well_formed else "")
    return render(request, prefs, "check.html", {**context, "error": None})


def _act_answer(views: PermitViews, prefs: Preferences, case: str, digest: str) -> dict[str, Any]:
    act = views.check_act(case, digest) if digest else None
    return {
        **_answer("", False, None),
        "act_asked": True,
        "act": act,
        "state_body": views.context.provider.name[prefs.language.value],
    }


@router.post("/check")
async def check_upload(request: Request, prefs: PreferencesDep, views: ViewsDep) -> HTMLResponse:
    """An uploaded PDF: its attached signature and signer, the issued document it must be, its
    pages against the attached original, and the document's standing in the registry today."""
    verdict: PdfCheck | None = None
    problem: str | None
    status = 200
    body = await _bounded_body(request)
    if body is None:
        # Refused while reading, so an oversized upload, chunked or not, is never held whole.
        problem, status = _TOO_LARGE, 413
    else:
        data = await _uploaded_pdf(request, body)
        verdict, problem = await run_in_threadpool(_check_pdf, request, views, data)
        if verdict is None:
            status = 422
    if verdict is not None and verdict.case:
        # A signed act: the issue is answered by its case and digest, as its QR code asks.
        context = _act_answer(views, prefs, verdict.case, verdict.sha256)
    else:
        found = views.check_document(verdict.number) if verdict is not None else None
        context = _answer(verdict.number if verdict else "", verdict is not None, found)
    context.update(pdf_verdict=verdict, pdf_error=problem, pdf_kinds=_finding_kinds(verdict))
    return render(request, prefs, "check.html", {**context, "error": None}, status)


async def _bounded_body(request: Request) -> bytes | None:
    """The request body, or None as soon as it is larger than an upload may be."""
    limit = MAX_UPLOAD_BYTES + _FORM_OVERHEAD
    if _declared_length(request) > limit:
        return None
    chunks, total = [], 0
    async for chunk in request.stream():
        total += len(chunk)
        if total > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _declared_length(request: Request) -> int:
    try:
        return int(request.headers.get("content-length", "0"))
    except ValueError:
        return 0


async def _uploaded_pdf(request: Request, body: bytes) -> bytes:
    async def once() -> AsyncGenerator[bytes, None]:
        yield body

    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        return b""
    try:
        posted = await MultiPartParser(request.headers, once(), max_files=1, max_fields=4).parse()
    except MultiPartException:
        return b""
    try:
        upload = posted.get("pdf")
        return await upload.read(MAX_UPLOAD_BYTES + 1) if isinstance(upload, UploadFile) else b""
    finally:
        await posted.close()


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
        "act_asked": False,
    }


def _check_pdf(
    request: Request, views: PermitViews, data: bytes
) -> tuple[PdfCheck | None, str | None]:
    if not data:
        return None, N_("Choose the PDF file of the document.")
    if len(data) > MAX_UPLOAD_BYTES:
        return None, _TOO_LARGE
    services = container(request)
    verifier = services.permits.verifier
    if not isinstance(verifier, EdsDocumentVerifier):
        return None, N_("This server cannot check signatures of uploaded files.")

    def issued_sha256(number: str) -> str | None:
        found = views.check_document(number)
        return found.sha256 if found is not None and found.number == number else None

    def issued_act(case: str, sha256: str) -> bool:
        return views.check_act(case, sha256) is not None

    expect = Expectations(
        services.settings.provider_bin.strip() or None,
        (public_base_url(request),),
        issued_sha256,
        issued_act,
    )
    try:
        parts = read_parts(data)
        at = _judged_at(parts, views, services.clock.now())
        return check_pdf(data, verifier.trust_store, at, expect, verifier.revocation), None
    except UnreadablePdfError:
        return None, N_(
            "This file is not a document PDF of this service: it carries no signed document."
        )
    except FontMissingError:
        return None, N_("The server cannot draw documents now (its PDF font is missing).")


def _judged_at(parts: PdfParts, views: PermitViews, now: datetime) -> datetime:
    """This service's record of when it accepted this very document, else now.

    The CMS's signing-time is the signer's own claim: judged at it, a backdated signature
    would escape its certificate's expiry and revocation. The service's record is trusted."""
    digest = hashlib.sha256(parts.content).hexdigest()
    case = _act_case(parts.content)
    if case:
        act = views.check_act(case, digest)
        return act.issued_at if act is not None else now
    found = views.check_document(parts.number)
    if found is not None and found.issued_at is not None and found.sha256 == digest:
        return found.issued_at
    return now


def _act_case(content: bytes) -> str:
    """The case of a signed act (not a numbered result document), else ""."""
    try:
        body = json.loads(content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return ""
    if not isinstance(body, dict) or is_result_document(body):
        return ""
    return act_case(body)


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
        elif finding.code.startswith("signer_") or finding.code == "state_body_unknown":
            kind = N_("It was not signed by the head of the state body the document names.")
        elif finding.code == "not_issued_here":
            kind = N_("This service did not issue this document under this number.")
        elif finding.code == "drawing_unconfirmed":
            kind = N_(
                "Other tools drew this file: what its pages show cannot be confirmed. "
                "Download the document again from the service."
            )
        else:
            kind = N_("The attached files do not belong together.")
        if kind not in kinds:
            kinds.append(kind)
    return kinds
