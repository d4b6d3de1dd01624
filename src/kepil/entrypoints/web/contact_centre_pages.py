"""`/contact-centre`: an operator of the Unified contact centre tells a caller the status of a
case from its number and the applicant's IIN/BIN, and sees nothing else (App.1 §11 item 3)."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse

from kepil.entrypoints.api.dependencies import ViewsDep
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep, check_csrf

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/contact-centre"
_NUMBER = re.compile(r"APP-\d{4}-\d{6}")
_IIN_BIN = re.compile(r"\d{12}")


@router.get(PAGE)
def contact_centre(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> HTMLResponse:
    """The form, for the contact centre's operators only."""
    if not views.answers_callers(person.principal):
        return _not_yours(request, prefs)
    return _page(request, prefs, {"number": "", "iin_bin": ""}, {}, asked=False)


@router.post(PAGE)
def ask(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    number: Annotated[str, Form(max_length=200)] = "",
    iin_bin: Annotated[str, Form(max_length=200)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> HTMLResponse:
    """The status, when both the number and the applicant's IIN/BIN match one case.

    A POST, not a GET: the caller's IIN stays out of addresses, logs and the browser's history.
    """
    check_csrf(request, csrf_token)
    if not views.answers_callers(person.principal):
        return _not_yours(request, prefs)
    typed = {"number": number.strip().upper(), "iin_bin": iin_bin.strip()}
    errors: dict[str, str] = {}
    if not _NUMBER.fullmatch(typed["number"]):
        errors["number"] = N_("An application number looks like APP-2026-000001.")
    if not _IIN_BIN.fullmatch(typed["iin_bin"]):
        errors["iin_bin"] = N_("An IIN or BIN is 12 digits.")
    if errors:
        return _page(request, prefs, typed, errors, asked=False, status_code=422)
    answer = views.status_for_caller(person.principal, typed["number"], typed["iin_bin"])
    return _page(request, prefs, typed, {}, asked=True, answer=answer)


def _page(
    request: Request,
    prefs: PreferencesDep,
    typed: dict[str, str],
    errors: dict[str, str],
    *,
    asked: bool,
    answer: object = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = {"typed": typed, "errors": errors, "asked": asked, "answer": answer, "words": words}
    return render(request, prefs, "contact_centre.html", context, status_code)


def _not_yours(request: Request, prefs: PreferencesDep) -> HTMLResponse:
    return render(request, prefs, "contact_centre_only.html", status_code=403)
