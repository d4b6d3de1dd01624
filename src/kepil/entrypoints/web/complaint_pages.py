"""Filing a complaint from the cabinet (Rules §13-§14): about a decision, an action or inaction
in one's application, checked by the service's own reader, signed with NCALayer, filed with
FileComplaint."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits.complaints import ComplaintSubject, FiledWith
from kepil.entrypoints.api.dependencies import BusDep, CurrentSession, ViewsDep
from kepil.entrypoints.web import filing_words as words
from kepil.entrypoints.web.i18n import translator
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
from kepil.services.errors import InvalidInputError, NotFoundError
from kepil.services.permits.complaints import FileComplaint, read_complaint
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

FIELDS = ("application_number", "subject", "filed_with", "target", "text")
# A value each field is known to read as, to find the next problem once one is found.
_STAND_INS = {
    "application_number": "APP",
    "subject": str(ComplaintSubject.DECISION),
    "filed_with": str(FiledWith.PROVIDER),
    "target": "-",
    "text": "-",
}
_MAX_TYPED = 40_000
_MAX_CHOICES = 200


def complaint_payload(typed: dict[str, str]) -> dict[str, str]:
    """The complaint as the applicant signs it: the five fields FileComplaint reads."""
    return {name: typed.get(name, "") for name in FIELDS}


def complaint_problems(payload: dict[str, str]) -> list[str]:
    """Every field the service's reader refuses, not only the first: each refused field is set
    aside with a value it reads and the reader asked again."""
    trying, refused = dict(payload), []
    for _ in FIELDS:
        try:
            read_complaint(canonical_bytes(trying))
        except InvalidInputError as error:
            field = error.message.split(":", 1)[0]
            if field not in _STAND_INS or field in refused:
                raise
            refused.append(field)
            trying[field] = _STAND_INS[field]
        else:
            break
    return refused


@router.get("/cabinet/complaints/new")
def complaint_page(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """A complaint about any of one's applications: the person chooses which."""
    return _page(request, prefs, person, views, None, {}, [])


@router.get("/cabinet/applications/{number}/complaints/new")
def complaint_about(
    number: str, request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """A complaint about this application."""
    _require_case(views, person, number)
    return _page(request, prefs, person, views, number, {"application_number": number}, [])


@router.post("/cabinet/complaints/new")
def check_on_page(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep, posted: PostedDep
) -> Response:
    """Without JavaScript: every problem beside its field; signing needs NCALayer."""
    check_script_csrf(request, posted)
    typed = _typed(texts(posted))
    fixed = texts(posted).get("fixed") or None
    problems = complaint_problems(complaint_payload(typed))
    return _page(request, prefs, person, views, fixed, typed, problems, checked=True)


@router.post("/cabinet/complaints/prepare", response_class=JSONResponse)
def prepare(
    request: Request, prefs: PreferencesDep, person: PersonDep, posted: PostedDep
) -> JSONResponse:
    """The exact bytes of the complaint to sign, or every problem in the person's words."""
    check_script_csrf(request, posted)
    payload = complaint_payload(_typed(texts(posted)))
    problems = complaint_problems(payload)
    if problems:
        pairs = [(name, words.COMPLAINT_FIELDS[name]) for name in problems]
        return problems_answer(translator(prefs.language), pairs)
    content = canonical_bytes(payload)
    return JSONResponse({"data_b64": base64.b64encode(content).decode("ascii"), "warnings": []})


@router.post("/cabinet/complaints", response_class=JSONResponse)
def send(
    request: Request, prefs: PreferencesDep, person: PersonDep, bus: BusDep, posted: PostedDep
) -> JSONResponse:
    """File the signed complaint; the same signed complaint again answers the same number."""
    check_script_csrf(request, posted)
    words_of = translator(prefs.language)
    cms = cms_of(posted)
    if cms is None:
        return problems_answer(words_of, malformed_cms())
    try:
        filed = bus.handle(FileComplaint(person.principal, cms))
    except REFUSALS as refused:
        problems = refusal_problems(refused)
        if isinstance(refused, NotFoundError):
            problems = [("application_number", message) for _, message in problems]
        return problems_answer(words_of, problems, refusal_status(refused))
    location = f"/cabinet/complaints/{filed.number}"
    return JSONResponse(
        {"number": filed.number, "location": location},
        status_code=201 if filed.created else 200,
        headers={"location": location},
    )


def _typed(fields: dict[str, str]) -> dict[str, str]:
    return {name: fields.get(name, "")[:_MAX_TYPED] for name in FIELDS}


def _require_case(views: PermitViews, person: CurrentSession, number: str) -> None:
    try:
        views.application(person.principal, number, own=True)
    except NotFoundError:
        raise HTTPException(404) from None


def _page(
    request: Request,
    prefs: Preferences,
    person: CurrentSession,
    views: PermitViews,
    fixed: str | None,
    typed: dict[str, str],
    problems: list[str],
    *,
    checked: bool = False,
) -> Response:
    choices: list[Any] = []
    if fixed is None:
        choices = views.applications(person.principal, None, _MAX_CHOICES, 0, own=True).items
    context = {
        "fixed": fixed,
        "choices": choices,
        "typed": {name: typed.get(name, "") for name in FIELDS},
        "errors": {name: [words.COMPLAINT_FIELDS[name]] for name in problems},
        "warnings": {},
        "checked": checked,
        "words": words,
    }
    return render(request, prefs, "complaint_new.html", context, 422 if problems else 200)
