"""Withdrawing an application from the cabinet: the withdraw act shown as it will be signed,
signed with NCALayer's signing key and applied with DecideOnApplication."""

from __future__ import annotations

import base64
import json
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits.status import FINAL_STATUSES, ApplicationAction, ApplicationStatus
from kepil.entrypoints.api.dependencies import BusDep, CurrentSession, ViewsDep
from kepil.entrypoints.web.i18n import N_, translator
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep
from kepil.entrypoints.web.signing_pages import (
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
from kepil.services.errors import NotFoundError
from kepil.services.permits.decisions import DecideOnApplication
from kepil.services.permits.views.applications import ApplicationView
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/cabinet/applications/{number}/withdraw"
MAX_REASON = 2000
REASON_TOO_LONG = N_("The reason may be at most 2,000 characters long.")


def withdraw_act(number: str, reason: str) -> bytes:
    """The act the applicant signs, as DecideOnApplication reads it (README, "Steps")."""
    act: dict[str, Any] = {"action": str(ApplicationAction.WITHDRAW), "application_number": number}
    if reason.strip():
        act["reason"] = reason.strip()
    return canonical_bytes(act)


@router.get(PAGE)
def withdraw_page(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """What will be signed, or why the application can no longer be withdrawn."""
    case = _case(views, person, number)
    return _page(request, prefs, case, "")


@router.post(PAGE)
def withdraw_without_script(
    number: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> Response:
    """Without JavaScript nothing can be signed: the page again, with the reason kept."""
    check_script_csrf(request, posted)
    case = _case(views, person, number)
    return _page(request, prefs, case, texts(posted).get("reason", "")[:MAX_REASON])


@router.post(PAGE + "/prepare", response_class=JSONResponse)
def prepare(
    number: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> JSONResponse:
    """The exact bytes of the withdraw act to sign, as base64."""
    check_script_csrf(request, posted)
    case = _case(views, person, number)
    reason = texts(posted).get("reason", "")
    if len(reason) > MAX_REASON:
        return problems_answer(translator(prefs.language), [("reason", REASON_TOO_LONG)])
    content = withdraw_act(case.number, reason)
    return JSONResponse({"data_b64": base64.b64encode(content).decode("ascii"), "warnings": []})


@router.post(PAGE + "/send", response_class=JSONResponse)
def send(
    number: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    bus: BusDep,
    posted: PostedDep,
) -> JSONResponse:
    """Apply the signed act; back to the case page, which says the application was withdrawn."""
    check_script_csrf(request, posted)
    words_of = translator(prefs.language)
    cms = cms_of(posted)
    if cms is None:
        return problems_answer(words_of, malformed_cms())
    try:
        bus.handle(DecideOnApplication(person.principal, number, cms))
    except REFUSALS as refused:
        return problems_answer(words_of, refusal_problems(refused), refusal_status(refused))
    return JSONResponse({"location": f"/cabinet/applications/{number}?withdrawn=1"})


def _case(views: PermitViews, person: CurrentSession, number: str) -> ApplicationView:
    try:
        return views.application(person.principal, number, own=True)
    except NotFoundError:
        raise HTTPException(404) from None


def _page(request: Request, prefs: Preferences, case: ApplicationView, reason: str) -> Response:
    final = ApplicationStatus(case.status) in FINAL_STATUSES
    act = json.dumps(json.loads(withdraw_act(case.number, reason)), ensure_ascii=False, indent=2)
    context = {"case": case, "final": final, "reason": reason, "act": act, "errors": {}}
    context["warnings"] = {}
    return render(request, prefs, "withdraw.html", context, 409 if final else 200)
