"""A signed result document (permit, reasoned refusal, §6 notice) on a page, its bytes, its PDF;
and the PDFs of the signed acts a person holds without a number (§8 notice, complaint decisions).

The page lays the document's JSON out in the reader's language; what binds is the signed JSON
and the head's CMS over it, both downloadable exactly as stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.api.document_pdf import PDF_MEDIA_TYPE, act_pdf, document_pdf
from kepil.entrypoints.web import words
from kepil.entrypoints.web.cabinet_pages import download, not_found
from kepil.entrypoints.web.i18n import Language
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep
from kepil.services.errors import NotFoundError
from kepil.services.permits.views.acts import ActView, one_act
from kepil.services.permits.views.applications import DocumentView

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _own_document(views: ViewsDep, person: PersonDep, number: str) -> DocumentView:
    try:
        return views.document(person.principal, number, own=True)
    except NotFoundError:
        raise not_found() from None


def _day(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def document_body(
    body: dict[str, Any], kind: str, language: Language, signed_at: datetime | None
) -> dict[str, Any]:
    """What templates/_document_body.html lays out: the document's JSON in the reader's words.
    The head's signing page shows a draft (not signed yet) through the same partial."""
    return {
        "body": body,
        "kind_name": words.DOCUMENT_KIND_NAMES.get(kind, kind),
        "days": {
            key: _day(body.get(key))
            for key in ("issue_date", "application_date", "valid_from", "valid_until")
        },
        "provider_name": body.get("provider", {}).get(f"name_{language.value}", ""),
        "signed_at": signed_at,
        "words": words,
    }


@router.get("/cabinet/documents/{number}")
def document(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """The document laid out: kind, number, date, holder, platform, validity, grounds, signer."""
    found = _own_document(views, person, number)
    context = document_body(found.document, found.kind, prefs.language, found.issued_at)
    return render(request, prefs, "document.html", {**context, "doc": found})


@router.get("/cabinet/documents/{number}/content")
def content(number: str, person: PersonDep, views: ViewsDep) -> Response:
    """The signed bytes: the document's canonical JSON exactly as the head signed it."""
    found = _own_document(views, person, number)
    return download(found.content, "application/json", f"{found.number}.json")


@router.get("/cabinet/documents/{number}/signature.p7s")
def signature(number: str, person: PersonDep, views: ViewsDep) -> Response:
    """The head's CMS signature over the signed bytes (detached or attached, as signed)."""
    found = _own_document(views, person, number)
    return download(found.signature, "application/pkcs7-signature", f"{found.number}.p7s")


@router.get("/cabinet/documents/{number}/document.pdf")
def pdf(number: str, request: Request, person: PersonDep, views: ViewsDep) -> Response:
    """The document to print and keep: a Kazakh and a Russian page, the signed JSON and the
    CMS attached, a signature card and a QR code to the check page (adapters/pdf)."""
    found = _own_document(views, person, number)
    return download(document_pdf(found, request), PDF_MEDIA_TYPE, f"{found.number}.pdf")


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _act_download(
    acts: Callable[[], tuple[ActView, ...]], sha256: str, request: Request
) -> Response:
    # A case one may not read, and an act not among its notices, answer alike: not found.
    if not _SHA256.fullmatch(sha256):
        raise not_found()
    try:
        found = one_act(acts(), sha256)
    except NotFoundError:
        raise not_found() from None
    return download(act_pdf(found, request), PDF_MEDIA_TYPE, f"{found.name}.pdf")


@router.get("/cabinet/applications/{number:case}/acts/{sha256}/document.pdf")
def case_act_pdf(
    number: str, sha256: str, request: Request, person: PersonDep, views: ViewsDep
) -> Response:
    """A §8 notice of my case as a PDF: both languages, the signed act and its CMS attached,
    the signature card and a QR code that checks it by the SHA-256 of its signed bytes."""
    return _act_download(
        lambda: views.case_acts(person.principal, number, own=True), sha256, request
    )


@router.get("/cabinet/complaints/{number:case}/acts/{sha256}/document.pdf")
def complaint_act_pdf(
    number: str, sha256: str, request: Request, person: PersonDep, views: ViewsDep
) -> Response:
    """A decision on my complaint as a PDF, drawn and checked as a §8 notice is."""
    return _act_download(
        lambda: views.complaint_acts(person.principal, number, own=True), sha256, request
    )


@router.get("/desk/applications/{number:case}/acts/{sha256}/document.pdf")
def desk_case_act_pdf(
    number: str, sha256: str, request: Request, person: PersonDep, views: ViewsDep
) -> Response:
    """A case's §8 notice as its recipient holds it, for the officials who see the case."""
    return _act_download(lambda: views.case_acts(person.principal, number), sha256, request)


@router.get("/desk/complaints/{number:case}/acts/{sha256}/document.pdf")
def desk_complaint_act_pdf(
    number: str, sha256: str, request: Request, person: PersonDep, views: ViewsDep
) -> Response:
    """A decision on a complaint as its complainant holds it, for the officials who see it."""
    return _act_download(lambda: views.complaint_acts(person.principal, number), sha256, request)
