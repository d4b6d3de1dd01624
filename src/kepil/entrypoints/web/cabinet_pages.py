"""The applicant's cabinet as pages: my applications, one case, my complaints, my messages.

Only the person's own cases open here, even for a Ministry official (their workspace is
another page): the read models read for them as in their own cabinet (`own=True`), so a case
that is someone else's answers the same 404 page as a missing one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.convertors import Convertor, register_url_convertor
from starlette.exceptions import HTTPException as StarletteHTTPException

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import ApplicationStatus
from kepil.domain.permits.status import FINAL_STATUSES
from kepil.entrypoints.api.bounds import MAX_OFFSET
from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.web import filing_words, words
from kepil.entrypoints.web.i18n import Language
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import SECURITY_HEADERS, render
from kepil.entrypoints.web.session import PersonDep
from kepil.services.errors import NotFoundError
from kepil.services.permits.ports import Notification
from kepil.services.permits.views.applications import ApplicationView


class CaseNumber(Convertor[str]):
    """A case's number in a path: never `new`, which names the filing pages beside these, so
    the order in which the routers are included does not matter."""

    regex = r"(?!new(?:/|$))[^/]+"

    def convert(self, value: str) -> str:
        """The number as written."""
        return value

    def to_string(self, value: str) -> str:
        """The number as written."""
        return value


register_url_convertor("case", CaseNumber())
router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE_SIZE = 10
NOTIFICATIONS_SHOWN = 20
COMPLAINTS_SHOWN = 20
_LAST_PAGE = MAX_OFFSET // PAGE_SIZE
_SHA256 = re.compile(r"[0-9a-f]{64}")
_COMPLAINT_KINDS = frozenset(words.COMPLAINT_EVENT_NAMES)

# A file from the cabinet is only ever saved, never shown in the site's origin: whatever type
# the applicant declared for it, the browser may neither sniff it nor run anything in it.
DOWNLOAD_HEADERS = {
    **SECURITY_HEADERS,
    "content-security-policy": "sandbox; default-src 'none'",
    "cache-control": "no-store",
}


def not_found() -> StarletteHTTPException:
    """The 404 page in the person's language, the same for a stranger's case as a missing one."""
    return StarletteHTTPException(404)


def own_application(views: ViewsDep, person: PersonDep, number: str) -> ApplicationView:
    """The person's own case, or the 404 page."""
    try:
        return views.application(person.principal, number, own=True)
    except NotFoundError:
        raise not_found() from None


def download(content: bytes, media_type: str, file_name: str) -> Response:
    """The bytes as a file to save under its name (any script or language in the name kept)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", file_name) or "file"
    disposition = (
        f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(file_name, safe='')}"
    )
    headers = {**DOWNLOAD_HEADERS, "content-disposition": disposition}
    return Response(content, media_type=media_type, headers=headers)


@dataclass(frozen=True, slots=True)
class Message:
    """A cabinet message as a page shows it: said in the reader's language when its kind is
    known, else the stored (Russian) text marked as such. A §8 notice stored in both languages
    is shown as stored in the reader's (`said`, line by line): only it holds the decision, the
    hearing's time and its place."""

    at: datetime
    number: str
    href: str
    known: str | None
    stored: str
    said: tuple[str, ...] = ()


def _message(notification: Notification, language: Language) -> Message:
    complaint = notification.kind in _COMPLAINT_KINDS
    kind = "complaints" if complaint else "applications"
    said: tuple[str, ...] = ()
    if notification.kind in words.HEARING_NOTICE_KINDS and notification.message_kk:
        text = notification.message_kk if language is Language.KK else notification.message
        said = tuple(text.splitlines())
    return Message(
        at=notification.created_at,
        number=notification.case_number,
        href=f"/cabinet/{kind}/{quote(notification.case_number, safe='')}",
        known=words.NOTIFICATION_TEXTS.get(notification.kind),
        stored=notification.message,
        said=said,
    )


def _page(request: Request) -> int:
    text = request.query_params.get("page", "1")
    number = int(text) if text.isdecimal() and len(text) < 12 else 0
    if not 1 <= number <= _LAST_PAGE:
        raise not_found()
    return number


@router.get("/cabinet")
def cabinet(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """My applications with the stage each waits on, my messages and my complaints."""
    page = _page(request)
    found = views.cabinet_overview(
        person.principal,
        (PAGE_SIZE, (page - 1) * PAGE_SIZE),
        (NOTIFICATIONS_SHOWN, COMPLAINTS_SHOWN),
    )
    last = max(1, -(-found.applications.total // PAGE_SIZE))
    context: dict[str, Any] = {
        "applications": found.applications,
        "page": page,
        "previous": f"/cabinet?page={page - 1}" if page > 1 else None,
        "next": f"/cabinet?page={page + 1}" if page < last else None,
        "messages": [_message(n, prefs.language) for n in found.messages],
        "complaints": found.complaints,
        "words": words,
    }
    return render(request, prefs, "cabinet.html", context)


@router.get("/cabinet/applications/{number:case}")
def case(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """One of my applications: status, deadlines, history, documents and the form as filed."""
    found = own_application(views, person, number)
    running = {
        deadline.stage: views.current_stage([deadline])
        for deadline in found.deadlines
        if deadline.settled_at is None
    }
    context: dict[str, Any] = {
        "case": found,
        "acts": views.case_acts(person.principal, number, own=True),
        "deadlines": sorted(found.deadlines, key=lambda deadline: deadline.due),
        "final": ApplicationStatus(found.status) in FINAL_STATUSES,
        "current": views.current_stage(found.deadlines),
        "running": running,
        "hearing": _hearing(found),
        "today": to_almaty(views.clock.now()).date(),
        "fromiso": datetime.fromisoformat,
        "valid_until": {
            item["sha256"]: date.fromisoformat(item["valid_until"])
            for item in found.attachments
            if item.get("valid_until")
        },
        "words": words,
        "filing_words": filing_words,  # the statements and consents read back (_form_readback)
        # withdraw_pages sends the person here after the signed withdrawal was applied.
        "just_withdrawn": request.query_params.get("withdrawn") == "1"
        and found.status == ApplicationStatus.WITHDRAWN,
    }
    return render(request, prefs, "case.html", context)


# The steps that notify the hearing's time and place (Rules §8): the preliminary refusal carries
# them; a case stored before it did got them by schedule_hearing; a move notifies new ones.
_HEARING_NOTICES = frozenset({"preliminary_refusal_issued", "hearing_scheduled", "hearing_moved"})


def _hearing(found: ApplicationView) -> dict[str, Any] | None:
    """The hearing's time and place, from the last step that set them, while it is ahead."""
    if found.status != ApplicationStatus.HEARING_SCHEDULED:
        return None
    for line in reversed(found.history):
        if line.kind in _HEARING_NOTICES and "hearing_at" in line.details:
            at = datetime.fromisoformat(str(line.details["hearing_at"]))
            return {"at": at, "place": str(line.details.get("place", ""))}
    return None


@router.get("/cabinet/applications/{number:case}/attachments/{sha256}")
def attachment(number: str, sha256: str, person: PersonDep, views: ViewsDep) -> Response:
    """An attached file, byte for byte as filed, under the name it was filed with."""
    if not _SHA256.fullmatch(sha256):
        raise not_found()
    try:
        found = views.attachment(person.principal, number, sha256, own=True)
    except NotFoundError:
        raise not_found() from None
    return download(found.content, found.media_type, found.file_name)


@router.get("/cabinet/complaints/{number:case}")
def complaint(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """One of my complaints: its status, terms and history."""
    try:
        found = views.complaint(person.principal, number, own=True)
    except NotFoundError:
        raise not_found() from None
    acts = views.complaint_acts(person.principal, number, own=True)
    context = {"complaint": found, "acts": acts, "words": words}
    return render(request, prefs, "complaint.html", context)
