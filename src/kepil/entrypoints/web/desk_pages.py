"""The officials' workspace: `/desk` (my queue, one section per duty) and
`/desk/applications/{number}` (a case read in full, with the actions open to me as links to
`/desk/applications/{number}/actions/{action}`, built beside this module).

Who may read what is decided by the read models (`PermitViews.desk*`); a person without a duty
that reads cases gets the same 403 page whether the case exists or not, and an operator of the
contact centre is sent to the one page that is theirs.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any, Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import ApplicationAction
from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.web import desk_words, filing_words, words
from kepil.entrypoints.web.cabinet_pages import download, not_found
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import SECURITY_HEADERS, render
from kepil.entrypoints.web.session import PersonDep
from kepil.services.errors import ForbiddenError, NotFoundError

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

DESK: Final = "/desk"
CONTACT_CENTRE: Final = "/contact-centre"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_INDEX = re.compile(r"\d{1,4}")

# Opened in the browser, not saved: the kinds a browser shows by itself without running
# anything of the file's. Every other file is only ever downloaded (cabinet_pages.download).
_IMAGES: Final = frozenset({"image/png", "image/jpeg"})
_PDF: Final = "application/pdf"
# An image is shown in a sandbox (a unique origin, no scripts, nothing loaded from anywhere).
# Chromium refuses to start its PDF viewer in a CSP-sandboxed document, so a PDF gets no
# `sandbox`; it still loads nothing, cannot be framed, and is never sniffed as anything else.
_IMAGE_CSP: Final = "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
_PDF_CSP: Final = (
    "default-src 'none'; object-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'none'"
)


def _forbidden(
    request: Request, prefs: PreferencesDep, views: ViewsDep, person: PersonDep
) -> Response:
    """The contact centre's operator goes to their page; anyone else without a desk duty is
    told in their language that the workspace is the Ministry officials'."""
    if views.answers_callers(person.principal):
        return RedirectResponse(CONTACT_CENTRE, status_code=303)
    return render(request, prefs, "desk_forbidden.html", status_code=403)


@router.get(DESK)
def desk(request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep) -> Response:
    """My queues: one section per duty I hold, each soonest (and overdue) deadline first."""
    try:
        found = views.desk(person.principal)
    except ForbiddenError:
        return _forbidden(request, prefs, views, person)
    context: dict[str, Any] = {
        "desk": found,
        "words": words,
        "desk_words": desk_words,
        "href": _row_href,
    }
    return render(request, prefs, "desk.html", context)


def _row_href(kind: str, number: str) -> str:
    section = "applications" if kind == "application" else "complaints"
    return f"{DESK}/{section}/{quote(number, safe='')}"


@router.get(DESK + "/applications/{number:case}")
def case(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """A case read in full for an official, with the actions open to them now."""
    try:
        found = views.desk_case(person.principal, number)
    except ForbiddenError:
        return _forbidden(request, prefs, views, person)
    except NotFoundError:
        raise not_found() from None
    done = request.query_params.get("done", "")
    base = f"{DESK}/applications/{quote(found.case.number, safe='')}"
    context: dict[str, Any] = {
        "desk_case": found,
        "case": found.case,
        "acts": views.case_acts(person.principal, found.case.number),
        "base": base,
        "done": done if done in {str(action) for action in ApplicationAction} else None,
        "today": to_almaty(views.clock.now()).date(),
        "valid_until": {
            item["sha256"]: date.fromisoformat(item["valid_until"])
            for item in found.case.attachments
            if item.get("valid_until")
        },
        "inline_types": _IMAGES | {_PDF},
        "fromiso": datetime.fromisoformat,
        "words": words,
        "desk_words": desk_words,
        "filing_words": filing_words,
    }
    return render(request, prefs, "desk_case.html", context)


@router.get(DESK + "/applications/{number:case}/attachments/{sha256}")
def attachment(
    number: str,
    sha256: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """An attached file as filed: a PDF or an image opened in the browser, anything else saved."""
    if not _SHA256.fullmatch(sha256):
        raise not_found()
    try:
        found = views.desk_attachment(person.principal, number, sha256)
    except ForbiddenError:
        return _forbidden(request, prefs, views, person)
    except NotFoundError:
        raise not_found() from None
    if found.media_type == _PDF:
        return _inline(found.content, found.media_type, found.file_name, _PDF_CSP)
    if found.media_type in _IMAGES:
        return _inline(found.content, found.media_type, found.file_name, _IMAGE_CSP)
    return download(found.content, found.media_type, found.file_name)


def _inline(content: bytes, media_type: str, file_name: str, policy: str) -> Response:
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", file_name) or "file"
    disposition = f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
    headers = {
        **SECURITY_HEADERS,
        "content-security-policy": policy,
        "content-disposition": disposition,
        "cache-control": "no-store",
    }
    return Response(content, media_type=media_type, headers=headers)


@router.get(DESK + "/applications/{number:case}/acts/{index}.p7s")
def act(
    number: str,
    index: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """The CMS (EDS signature with the signed bytes) of the act behind a step of the history."""
    if not _INDEX.fullmatch(index):
        raise not_found()
    try:
        cms = views.desk_act(person.principal, number, int(index))
    except ForbiddenError:
        return _forbidden(request, prefs, views, person)
    except NotFoundError:
        raise not_found() from None
    return download(cms, "application/pkcs7-signature", f"{number}-{index}.p7s")
