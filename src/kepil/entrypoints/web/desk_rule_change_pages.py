"""`/desk/rule-changes`: the recorded versions of the Rules and the two notices each owes the
e-gov operator and the Unified contact centre within 3 working days (Rules §12): what was sent,
when and by whom, and which are overdue. The head records a version and the office or the head
confirms a notice sent. The commands take no signed act (services/permits/rule_changes.py), so
these are CSRF-protected forms, recorded with the signed-in official's identity."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kepil.domain.auth import Principal
from kepil.domain.permits import NotificationRecipient
from kepil.entrypoints.api.dependencies import BusDep, ViewsDep
from kepil.entrypoints.web import desk_complaint_words as desk_words
from kepil.entrypoints.web import filing_words
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep, check_csrf
from kepil.services.errors import (
    ConflictError,
    ForbiddenError,
    InvalidInputError,
    NotFoundError,
)
from kepil.services.permits.rule_changes import (
    MAX_IDENTIFIER,
    MAX_SUMMARY,
    MarkNoticeSent,
    RecordRuleChange,
)
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/desk/rule-changes"
PAGE_SIZE = 20
FIELDS = ("identifier", "adopted_on", "effective_on", "summary")


@router.get(PAGE)
def rule_changes(
    request: Request, prefs: PreferencesDep, person: PersonDep, views: ViewsDep
) -> Response:
    """Every recorded version with its notices; the forms this official's duties allow."""
    return _page(request, prefs, person.principal, views, dict.fromkeys(FIELDS, ""), {})


@router.post(PAGE)
def record(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    identifier: Annotated[str, Form(max_length=4 * MAX_IDENTIFIER)] = "",
    adopted_on: Annotated[str, Form(max_length=40)] = "",
    effective_on: Annotated[str, Form(max_length=40)] = "",
    summary: Annotated[str, Form(max_length=4 * MAX_SUMMARY)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Record an adopted version (the head); its two notices fall due in 3 working days."""
    check_csrf(request, csrf_token)
    typed = {
        "identifier": identifier,
        "adopted_on": adopted_on,
        "effective_on": effective_on,
        "summary": summary,
    }
    adopted, effective = _day(adopted_on), _day(effective_on)
    if adopted is None or effective is None:
        days = {"adopted_on": adopted, "effective_on": effective}
        errors = {name: desk_words.DATE_REQUIRED for name, day in days.items() if day is None}
        return _page(request, prefs, person.principal, views, typed, errors, 422)
    command = RecordRuleChange(person.principal, identifier, adopted, effective, summary)
    try:
        change = bus.handle(command)
    except ForbiddenError:
        return _officials_only(request, prefs)
    except (InvalidInputError, ConflictError) as refused:
        field, message = desk_words.RULE_CHANGE_PROBLEMS.get(
            refused.code, ("identifier", filing_words.SERVICE_REFUSED)
        )
        status = 409 if isinstance(refused, ConflictError) else 422
        return _page(request, prefs, person.principal, views, typed, {field: message}, status)
    return RedirectResponse(f"{PAGE}?recorded={change.id}#change-{change.id}", 303)


@router.post(PAGE + "/{change_id}/notices/{recipient}/sent")
def mark_sent(
    change_id: str,
    recipient: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    bus: BusDep,
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Confirm the notice went out (the office or the head); again keeps the first moment."""
    check_csrf(request, csrf_token)
    try:
        to = NotificationRecipient(recipient)
    except ValueError:
        raise HTTPException(404) from None
    try:
        bus.handle(MarkNoticeSent(person.principal, change_id, to))
    except ForbiddenError:
        return _officials_only(request, prefs)
    except NotFoundError:
        raise HTTPException(404) from None
    return RedirectResponse(f"{PAGE}?sent={change_id}#change-{change_id}", 303)


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        return None


def _page(
    request: Request,
    prefs: Preferences,
    principal: Principal,
    views: PermitViews,
    typed: dict[str, str],
    errors: dict[str, str],
    status_code: int = 200,
) -> Response:
    duties = views.rule_change_duties(principal)
    if not duties.may_read:
        return _officials_only(request, prefs)
    page = views.rule_changes(principal, PAGE_SIZE, _offset(request))
    context = {
        "page": page,
        "duties": duties,
        "typed": typed,
        "errors": errors,
        "recorded": request.query_params.get("recorded"),
        "sent": request.query_params.get("sent"),
        "desk_words": desk_words,
        "max_identifier": MAX_IDENTIFIER,
        "max_summary": MAX_SUMMARY,
        "older": f"{PAGE}?page={_number(request) + 1}"
        if _offset(request) + PAGE_SIZE < page.total
        else None,
        "newer": f"{PAGE}?page={_number(request) - 1}" if _number(request) > 1 else None,
    }
    return render(request, prefs, "desk_rule_changes.html", context, status_code)


def _number(request: Request) -> int:
    text = request.query_params.get("page", "1")
    return min(max(int(text), 1), 10_000) if text.isdigit() else 1


def _offset(request: Request) -> int:
    return (_number(request) - 1) * PAGE_SIZE


def _officials_only(request: Request, prefs: Preferences) -> Response:
    return render(request, prefs, "desk_complaint_officials_only.html", status_code=403)
