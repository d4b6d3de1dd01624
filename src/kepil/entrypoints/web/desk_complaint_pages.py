"""A complaint on an official's desk (Rules §13-§15): read back with its terms in working days,
its history and signers, the case file it is about; and the steps the official's duties allow in
its status, each shown as the act to sign, signed with NCALayer's signing key and applied with
DecideOnComplaint (the same pattern as withdraw_pages.py)."""

from __future__ import annotations

import base64
import json
import re
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits.errors import ActionForbiddenError, TransitionNotAllowedError
from kepil.entrypoints.api.bounds import MAX_OFFSET
from kepil.entrypoints.api.dependencies import BusDep, CurrentSession, ViewsDep
from kepil.entrypoints.web import desk_complaint_words as desk_words
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import Translator, translator
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import SECURITY_HEADERS, render
from kepil.entrypoints.web.session import PersonDep
from kepil.entrypoints.web.signing_pages import (
    FORM,
    REFUSALS,
    PostedDep,
    check_script_csrf,
    cms_of,
    malformed_cms,
    problems_answer,
    refusal_problems,
    refusal_status,
    texts,
)
from kepil.services.errors import ForbiddenError, NotFoundError, ServiceError
from kepil.services.permits.complaints import MAX_TEXT, REGISTER, DecideOnComplaint
from kepil.services.permits.views.complaints import ComplaintDesk
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/desk/complaints/{number}"
ACTION_PAGE = PAGE + "/actions/{action}"
STEPS = ("register", "satisfy", "forward", "uphold", "reject")
# Steps that settle the complaint state the decision in words; registering and forwarding do not.
DECIDING = frozenset({"satisfy", "uphold", "reject"})
FORWARD = "forward"
LIST_SIZE = 20
_LAST_PAGE = MAX_OFFSET // LIST_SIZE
# The service's refusals this page words itself: (message, status as the API answers it).
_REFUSED_CODES: Final = {
    "concurrent_change": (desk_words.CHANGED, 409),
    "already_registered": (desk_words.CHANGED, 409),
    "complaint_not_registered": (desk_words.NOT_REGISTERED, 409),
    "decision_for_another_complaint": (desk_words.ANOTHER_COMPLAINT, 422),
    "complaint_not_found": (desk_words.OFFICIAL_NOT_FOUND, 404),
}
_DECISION_CODES = frozenset({"decision_required", "invalid_decision"})
_SHA256 = re.compile(r"[0-9a-f]{64}")
# Shown in the browser, never run in the site's origin: nothing it contains may load or script.
_INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
_FILE_HEADERS = {
    **SECURITY_HEADERS,
    "content-security-policy": "default-src 'none'; img-src 'self'; object-src 'self'",
    "cache-control": "no-store",
}


class NotOfficialError(Exception):
    """The page is for the Ministry's officials."""


def case_file(desk: ComplaintDesk) -> dict[str, Any]:
    """What goes to the body reviewing the complaint with it (§13): the application, its
    attachments, the acts on it and the documents issued, each named by its hash or moment."""
    case = desk.case
    if case is None:
        return {}
    return {
        "application_number": case.number,
        "attachments": [
            {"file_name": str(item["file_name"]), "sha256": str(item["sha256"])}
            for item in case.attachments
        ],
        "acts": [{"kind": line.kind, "at": line.at.isoformat()} for line in case.history],
        "documents": [{"number": doc.number, "sha256": doc.sha256} for doc in case.documents],
    }


def complaint_act(desk: ComplaintDesk, step: str, decision: str) -> bytes:
    """The act the official signs, as DecideOnComplaint reads it (README, complaints); a
    forwarding names the case file sent with the complaint, so the signature covers it too."""
    act: dict[str, Any] = {"action": step, "complaint_number": desk.complaint.number}
    if step in DECIDING:
        act["decision"] = decision.strip()
    if step == FORWARD:
        act["case_file"] = case_file(desk)
    return canonical_bytes(act)


@router.get("/desk/complaints")
def complaint_list(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """Every complaint, newest first, a page at a time, each linked to its page."""
    text = request.query_params.get("page", "1")
    number = min(max(int(text), 1), _LAST_PAGE) if text.isdigit() and len(text) < 7 else 1
    try:
        found = views.desk_complaints(person.principal, None, LIST_SIZE, (number - 1) * LIST_SIZE)
    except ForbiddenError:
        return _officials_only(request, prefs)
    context = {
        "page": found,
        "words": words,
        "newer": f"/desk/complaints?page={number - 1}" if number > 1 else None,
        "older": f"/desk/complaints?page={number + 1}"
        if number * LIST_SIZE < found.total
        else None,
    }
    return render(request, prefs, "desk_complaints.html", context)


@router.get(PAGE)
def complaint_page(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """The complaint, its terms, history and case file, and the steps offered to this official."""
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return _officials_only(request, prefs)
    done = request.query_params.get("done")
    every_role = frozenset(str(role) for roles in desk.declared.values() for role in roles)
    context = {
        **_common(desk),
        "acts": views.complaint_acts(person.principal, number),
        "done": done if done in STEPS else None,
        "next_roles": _roles_named(every_role, translator(prefs.language)),
    }
    return render(request, prefs, "desk_complaint.html", context)


@router.get(PAGE + "/case-file/attachments/{sha256}")
def case_file_attachment(
    number: str,
    sha256: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """An attachment of the case the complaint is about, opened in the browser when it is a
    PDF or an image, else saved; byte for byte as the applicant filed it."""
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return _officials_only(request, prefs)
    listed = desk.case is not None and any(
        item.get("sha256") == sha256 for item in desk.case.attachments
    )
    if not _SHA256.fullmatch(sha256) or desk.case is None or not listed:
        raise HTTPException(404)
    try:
        found = views.attachment(person.principal, desk.case.number, sha256)
    except NotFoundError:
        raise HTTPException(404) from None
    shown = found.media_type in _INLINE_TYPES
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", found.file_name) or "file"
    disposition = "inline" if shown else "attachment"
    headers = {**_FILE_HEADERS, "content-disposition": f'{disposition}; filename="{fallback}"'}
    if not shown:
        headers["content-security-policy"] = "sandbox; default-src 'none'"
    return Response(found.content, media_type=found.media_type, headers=headers)


@router.get(PAGE + "/case-file/documents/{document}")
def case_file_document(
    number: str,
    document: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """A document issued on the case, opened in the browser: its canonical JSON exactly as the
    head signed it (the SHA-256 on the complaint's page is of these bytes)."""
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return _officials_only(request, prefs)
    issued = desk.case.documents if desk.case is not None else []
    if not any(doc.number == document for doc in issued):
        raise HTTPException(404)
    try:
        found = views.document(person.principal, document)
    except NotFoundError:
        raise HTTPException(404) from None
    headers = {**_FILE_HEADERS, "content-disposition": f'inline; filename="{found.number}.json"'}
    return Response(found.content, media_type="application/json", headers=headers)


@router.get(ACTION_PAGE)
def action_page(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """The act to sign for the step, or why this official cannot take it now."""
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return _officials_only(request, prefs)
    return _action(request, prefs, desk, _step(action), "")


@router.post(ACTION_PAGE)
def action_without_script(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> Response:
    """Without JavaScript nothing can be signed: the page again, with the decision kept."""
    check_script_csrf(request, posted)
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return _officials_only(request, prefs)
    decision = texts(posted).get("decision", "")[:MAX_TEXT]
    return _action(request, prefs, desk, _step(action), decision)


@router.post(ACTION_PAGE + "/prepare", response_class=JSONResponse)
def prepare(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> JSONResponse:
    """The exact bytes of the step's act to sign, as base64; or why it cannot be taken now."""
    check_script_csrf(request, posted)
    step = _step(action)
    words_of = translator(prefs.language)
    try:
        desk = _desk(views, person, number)
    except NotOfficialError:
        return problems_answer(words_of, [(FORM, desk_words.OFFICIAL_NOT_FOUND)], 403)
    fields = texts(posted)
    refused = _stale_or_refused(desk, step, fields.get("seen", ""), words_of)
    if refused is not None:
        return refused
    decision = fields.get("decision", "")
    if step in DECIDING and (not decision.strip() or len(decision) > MAX_TEXT):
        return problems_answer(words_of, [("decision", desk_words.DECISION_REQUIRED)])
    content = complaint_act(desk, step, decision)
    return JSONResponse({"data_b64": base64.b64encode(content).decode("ascii"), "warnings": []})


@router.post(ACTION_PAGE + "/send", response_class=JSONResponse)
def send(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    posted: PostedDep,
) -> JSONResponse:
    """Apply the signed step; back to the complaint's page, which says it was done."""
    check_script_csrf(request, posted)
    step = _step(action)
    words_of = translator(prefs.language)
    cms = cms_of(posted)
    if cms is None:
        return problems_answer(words_of, malformed_cms())
    try:
        bus.handle(DecideOnComplaint(person.principal, number, cms))
    except REFUSALS as refused:
        problems, status = _refusal(refused, views, person, number, words_of)
        return problems_answer(words_of, problems, status)
    return JSONResponse({"location": f"/desk/complaints/{number}?done={step}"})


def _desk(views: PermitViews, person: CurrentSession, number: str) -> ComplaintDesk:
    try:
        return views.complaint_desk(person.principal, number)
    except ForbiddenError:
        raise NotOfficialError from None
    except NotFoundError:
        raise HTTPException(404) from None


def _step(action: str) -> str:
    if action not in STEPS:
        raise HTTPException(404)
    return action


def _status_name(desk: ComplaintDesk) -> str:
    if not desk.registered:
        return words.COMPLAINT_RECEIVED
    return words.COMPLAINT_STATUS_NAMES[desk.complaint.status]


def _roles_named(roles: frozenset[str], words_of: Translator) -> str:
    return ", ".join(sorted(words_of.gettext(words.ROLE_NAMES.get(r, r)) for r in roles))


def _why_not(desk: ComplaintDesk, step: str, words_of: Translator) -> tuple[str, int] | None:
    """Why this official may not take the step now, in words, with the API's status; or None."""
    if step not in desk.declared:
        status = words_of.gettext(_status_name(desk))
        return words_of.gettext(desk_words.WRONG_STATUS) % {"status": status}, 409
    if step not in desk.offered:
        roles = _roles_named(frozenset(str(r) for r in desk.declared[step]), words_of)
        return words_of.gettext(desk_words.ROLE_REQUIRED) % {"roles": roles}, 403
    return None


def _stale_or_refused(
    desk: ComplaintDesk, step: str, seen: str, words_of: Translator
) -> JSONResponse | None:
    if seen != desk.seen:
        return problems_answer(words_of, [(FORM, desk_words.CHANGED)], 409)
    refused = _why_not(desk, step, words_of)
    if refused is not None:
        message, status = refused
        return problems_answer(words_of, [(FORM, message)], status)
    return None


def _refusal(
    error: Exception, views: PermitViews, person: CurrentSession, number: str, words_of: Translator
) -> tuple[list[tuple[str, str]], int]:
    """The service's or the domain's refusal as problems in the official's words."""
    if isinstance(error, TransitionNotAllowedError):
        status = words_of.gettext(words.COMPLAINT_STATUS_NAMES.get(error.state, error.state))
        return [(FORM, words_of.gettext(desk_words.WRONG_STATUS) % {"status": status})], 409
    code = error.code if isinstance(error, ServiceError) else ""
    if isinstance(error, ActionForbiddenError) or code == "role_required":
        return [(FORM, _role_refusal(views, person, number, words_of))], 403
    if code in _DECISION_CODES:
        return [("decision", desk_words.DECISION_REQUIRED)], 422
    if code in _REFUSED_CODES:
        message, status_code = _REFUSED_CODES[code]
        return [(FORM, message)], status_code
    return refusal_problems(error), refusal_status(error)


def _role_refusal(
    views: PermitViews, person: CurrentSession, number: str, words_of: Translator
) -> str:
    """Who may take the step the complaint's state allows, said to one who may not."""
    try:
        desk = views.complaint_desk(person.principal, number)
    except (ForbiddenError, NotFoundError):
        return words_of.gettext(desk_words.OFFICIAL_NOT_FOUND)
    roles = _roles_named(
        frozenset(str(role) for roles in desk.declared.values() for role in roles), words_of
    )
    return words_of.gettext(desk_words.ROLE_REQUIRED) % {"roles": roles}


def _common(desk: ComplaintDesk) -> dict[str, Any]:
    return {
        "desk": desk,
        "complaint": desk.complaint,
        "case": desk.case,
        "status_name": _status_name(desk),
        "words": words,
        "desk_words": desk_words,
    }


def _action(
    request: Request, prefs: Preferences, desk: ComplaintDesk, step: str, decision: str
) -> Response:
    words_of = translator(prefs.language)
    refused = _why_not(desk, step, words_of)
    act = json.dumps(json.loads(complaint_act(desk, step, decision)), ensure_ascii=False, indent=2)
    context = {
        **_common(desk),
        "step": step,
        "deciding": step in DECIDING,
        "forwarding": step == FORWARD,
        "refused": refused[0] if refused else None,
        "decision": decision,
        "act": act,
        "errors": {},
        "warnings": {},
        "register": REGISTER,
    }
    status_code = refused[1] if refused else 200
    return render(request, prefs, "desk_complaint_action.html", context, status_code)


def _officials_only(request: Request, prefs: Preferences) -> Response:
    return render(request, prefs, "desk_complaint_officials_only.html", status_code=403)
