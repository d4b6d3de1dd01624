"""`/desk/staff`: the administrator keeps the staff table (issue 18 item 7) and records who acts
for the head (Rules §9): grant and revoke duties, record and end acting periods.

Every change is a CSRF-protected POST that sends a command carrying the administrator's session
principal; the service checks the duty and records the administrator's IIN. A revocation and the
end of an acting period are confirmed on a page of their own first. After a change the browser
is sent back to the table (`?done=...`), so a reload repeats nothing; a refused change shows the
table again with the reason beside the control, in the person's language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kepil.domain.identity import InvalidIdentifierError, InvalidReason, parse_iin
from kepil.domain.permits import PermitRole
from kepil.domain.permits.acting import ACTING_HEAD_POSITION, ActingPeriod, ActingState
from kepil.entrypoints.api.dependencies import BusDep, ViewsDep
from kepil.entrypoints.web import words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep, check_csrf
from kepil.services.errors import ForbiddenError, NotFoundError, ServiceError
from kepil.services.messagebus import Command
from kepil.services.permits.officials import (
    OFFICIAL_ROLES,
    READING_ROLES,
    EndActingPeriod,
    GrantDuty,
    RecordActingPeriod,
    RevokeDuty,
    StaffTable,
)
from kepil.services.permits.ports import StaffMember

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/desk/staff"
GRANT = f"{PAGE}/duties"
REVOKE = f"{PAGE}/duties/revoke"
ACTING = f"{PAGE}/acting"
FORM = "form"
"""The key of a message about the whole form rather than one control."""

_TEXT = 200

# Duties in the order the grant form offers them: the procedure's, then the others.
DUTIES = (
    PermitRole.CLERK,
    PermitRole.EXAMINER,
    PermitRole.HEAD,
    PermitRole.COMPLAINT_REVIEWER,
    PermitRole.AUDITOR,
    PermitRole.CONTACT_CENTRE,
    PermitRole.ADMINISTRATOR,
)

ACTING_STATES: dict[str, str] = {
    ActingState.UPCOMING: N_("Not begun yet"),
    ActingState.ACTIVE: N_("In force now"),
    ActingState.OVER: N_("Over"),
    ActingState.ENDED_EARLY: N_("Ended early"),
    ActingState.CANCELLED: N_("Cancelled before it began"),
}

DONE: dict[str, str] = {
    "granted": N_("The duty was granted."),
    "already_held": N_("Nothing changed: the official already holds this duty."),
    "revoked": N_("The duty was revoked."),
    "not_held": N_("Nothing changed: the official no longer held this duty."),
    "recorded": N_("The acting period was recorded."),
    "ended": N_("The acting period was ended."),
}

# Where each refusal of the service is shown, and what it says there.
REFUSALS: dict[str, tuple[str, str]] = {
    "invalid_iin": ("iin", N_("This is not a valid IIN: check the 12 digits.")),
    "invalid_role": ("role", N_("Choose a duty from the list.")),
    "name_required": ("name", N_("Enter the official's full name as on their certificate.")),
    "last_administrator": (
        FORM,
        N_(
            "You are the only administrator: without your duty nobody could keep the staff "
            "table. Grant the duty to another official first."
        ),
    ),
    "acting_not_staff": (
        "acting_iin",
        N_("This official holds no duty that reads cases. Grant one first."),
    ),
    "acting_holds_head": (
        "acting_iin",
        N_("This official holds the head's duty and acts for nobody."),
    ),
    "acting_ends_before_it_starts": ("last_day", N_("The last day is before the first day.")),
    "acting_in_the_past": (
        "last_day",
        N_("The last day has passed: such a period would change nothing."),
    ),
    "acting_too_long": ("last_day", N_("One acting period covers at most 366 days.")),
    "acting_basis_required": (
        "basis",
        N_("State the basis: the number and date of the order."),
    ),
    "acting_overlaps": (
        "first_day",
        N_(
            "This official already acts for the head on some of these days. Periods of one "
            "person may not overlap: end the other period first or choose other days."
        ),
    ),
    "acting_already_ended": (FORM, N_("This acting period was ended already.")),
    "acting_already_over": (FORM, N_("This acting period is over already.")),
    "acting_period_not_found": (FORM, N_("There is no such acting period.")),
}
_UNKNOWN_REFUSAL = N_("The service refused the change. Reload the page and try again.")

_IIN_REASONS = {
    InvalidReason.NOT_12_DIGITS: N_("An IIN is 12 digits."),
    InvalidReason.BAD_CHECK_DIGIT: N_(
        "The last digit of this IIN does not match the others: check the number."
    ),
}


@dataclass
class Typed:
    """What the administrator typed into the two forms, kept when the page comes back."""

    values: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, name: str) -> str:
        return self.values.get(name, "")


@router.get(PAGE)
def staff_page(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    done: str = "",
) -> HTMLResponse:
    """The staff table, the acting periods and the forms, for administrators only."""
    try:
        table = views.staff_table(person.principal)
    except ForbiddenError:
        return _not_yours(request, prefs)
    return _page(request, prefs, table, done=DONE.get(done, ""))


@router.get(GRANT)
@router.get(REVOKE)
@router.get(ACTING)
@router.get(ACTING + "/{period_id}/end")
def back_to_the_table(request: Request) -> RedirectResponse:
    """The forms' addresses opened directly (a language switch on a refused form): the table."""
    query = request.url.query
    return RedirectResponse(PAGE + (f"?{query}" if query else ""), status_code=303)


@router.post(GRANT)
def grant(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    iin: Annotated[str, Form(max_length=_TEXT)] = "",
    role: Annotated[str, Form(max_length=_TEXT)] = "",
    name: Annotated[str, Form(max_length=_TEXT)] = "",
    position: Annotated[str, Form(max_length=_TEXT)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Give an official a duty."""
    check_csrf(request, csrf_token)
    typed = Typed({"iin": iin.strip(), "role": role, "name": name.strip(), "position": position})
    errors: dict[str, list[str]] = {}
    _check_iin(typed["iin"], "iin", errors)
    duty = _duty(role)
    if duty is None:
        errors["role"] = [N_("Choose a duty from the list.")]
    if not typed["name"]:
        errors["name"] = [N_("Enter the official's full name as on their certificate.")]
    if errors or duty is None:
        return _again(request, prefs, person, views, typed, errors)
    command = GrantDuty(person.principal, typed["iin"], duty, typed["name"], position.strip())
    return _send(request, prefs, person, views, bus, command, typed, ("granted", "already_held"))


@router.post(REVOKE)
def revoke(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    iin: Annotated[str, Form(max_length=_TEXT)] = "",
    role: Annotated[str, Form(max_length=_TEXT)] = "",
    confirmed: Annotated[str, Form(max_length=_TEXT)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """First the confirmation page; with `confirmed`, take the duty away."""
    check_csrf(request, csrf_token)
    try:
        table = views.staff_table(person.principal)
    except ForbiddenError:
        return _not_yours(request, prefs)
    duty = _duty(role)
    member = next((m for m in table.members if m.iin == iin.strip() and m.role is duty), None)
    if duty is None or member is None:
        return _redirect("not_held")
    if confirmed != "yes":
        context = {"member": member, "table": table, "words": words}
        return render(request, prefs, "desk_staff_revoke.html", context)
    command = RevokeDuty(person.principal, member.iin, duty)
    return _send(request, prefs, person, views, bus, command, Typed(), ("revoked", "not_held"))


@router.post(ACTING)
def record_acting(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    acting_iin: Annotated[str, Form(max_length=_TEXT)] = "",
    first_day: Annotated[str, Form(max_length=_TEXT)] = "",
    last_day: Annotated[str, Form(max_length=_TEXT)] = "",
    basis: Annotated[str, Form(max_length=_TEXT)] = "",
    acting_position: Annotated[str, Form(max_length=_TEXT)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """Record that an official acts for the head on the days given."""
    check_csrf(request, csrf_token)
    typed = Typed(
        {
            "acting_iin": acting_iin.strip(),
            "first_day": first_day.strip(),
            "last_day": last_day.strip(),
            "basis": basis.strip(),
            "acting_position": acting_position.strip(),
        }
    )
    errors: dict[str, list[str]] = {}
    if not typed["acting_iin"]:
        errors["acting_iin"] = [N_("Choose the official who will act for the head.")]
    else:
        _check_iin(typed["acting_iin"], "acting_iin", errors)
    first = _day(typed["first_day"], "first_day", errors)
    last = _day(typed["last_day"], "last_day", errors)
    if not typed["basis"]:
        errors["basis"] = [N_("State the basis: the number and date of the order.")]
    if errors or first is None or last is None:
        return _again(request, prefs, person, views, typed, errors)
    command = RecordActingPeriod(
        person.principal, typed["acting_iin"], first, last, typed["basis"], typed["acting_position"]
    )
    return _send(request, prefs, person, views, bus, command, typed, ("recorded", "recorded"))


@router.post(ACTING + "/{period_id}/end")
def end_acting(
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    period_id: int,
    confirmed: Annotated[str, Form(max_length=_TEXT)] = "",
    csrf_token: Annotated[str, Form()] = "",
) -> Response:
    """First the confirmation page; with `confirmed`, end the period now."""
    check_csrf(request, csrf_token)
    try:
        table = views.staff_table(person.principal)
    except ForbiddenError:
        return _not_yours(request, prefs)
    period = next((p for p in table.periods if p.id == period_id), None)
    if period is None:
        return _again(request, prefs, person, views, Typed(), _refusal("acting_period_not_found"))
    if confirmed != "yes":
        context = {"period": period, "table": table, "states": ACTING_STATES}
        return render(request, prefs, "desk_staff_end_acting.html", context)
    command = EndActingPeriod(person.principal, period_id)
    return _send(request, prefs, person, views, bus, command, Typed(), ("ended", "ended"))


def _send(
    request: Request,
    prefs: Preferences,
    person: PersonDep,
    views: ViewsDep,
    bus: BusDep,
    command: Command[Any],
    typed: Typed,
    outcomes: tuple[str, str],
) -> Response:
    """Send the command; back to the table with what was done, or the table with the reason."""
    try:
        result = bus.handle(command)
    except ForbiddenError:
        return _not_yours(request, prefs)
    except ServiceError as refused:
        status = 404 if isinstance(refused, NotFoundError) else 409
        if refused.code in REFUSALS and REFUSALS[refused.code][0] != FORM:
            status = 422
        return _again(request, prefs, person, views, typed, _refusal(refused.code), status)
    return _redirect(outcomes[0] if result is not False else outcomes[1])


def _again(
    request: Request,
    prefs: Preferences,
    person: PersonDep,
    views: ViewsDep,
    typed: Typed,
    errors: dict[str, list[str]],
    status_code: int = 422,
) -> HTMLResponse:
    try:
        table = views.staff_table(person.principal)
    except ForbiddenError:
        return _not_yours(request, prefs)
    return _page(request, prefs, table, typed=typed, errors=errors, status_code=status_code)


def _page(
    request: Request,
    prefs: Preferences,
    table: StaffTable,
    *,
    typed: Typed | None = None,
    errors: dict[str, list[str]] | None = None,
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "table": table,
        "typed": Typed({"acting_position": ACTING_HEAD_POSITION, **(typed or Typed()).values}),
        "errors": errors or {},
        "warnings": {},
        "done": done,
        "duties": DUTIES,
        "deputies": _deputies(table),
        "states": ACTING_STATES,
        "words": words,
        "who": lambda recorded_by: _who(table, recorded_by),
        "sole_administrator": _sole_administrator(table),
        "may_end": lambda period: _may_end(table, period),
    }
    return render(request, prefs, "desk_staff.html", context, status_code)


def _not_yours(request: Request, prefs: Preferences) -> HTMLResponse:
    return render(request, prefs, "desk_staff_only.html", status_code=403)


def _redirect(done: str) -> RedirectResponse:
    return RedirectResponse(f"{PAGE}?done={done}", status_code=303)


def _refusal(code: str) -> dict[str, list[str]]:
    where, message = REFUSALS.get(code, (FORM, _UNKNOWN_REFUSAL))
    return {where: [message]}


def _check_iin(text: str, control: str, errors: dict[str, list[str]]) -> None:
    try:
        parse_iin(text)
    except InvalidIdentifierError as error:
        reason = _IIN_REASONS.get(error.reason, N_("This is not a valid IIN: check the 12 digits."))
        errors[control] = [reason]


def _duty(text: str) -> PermitRole | None:
    try:
        role = PermitRole(text)
    except ValueError:
        return None
    return role if role in OFFICIAL_ROLES else None


def _day(text: str, control: str, errors: dict[str, list[str]]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[control] = [N_("Enter a date, for example 2026-12-07.")]
        return None


def _deputies(table: StaffTable) -> list[StaffMember]:
    """Officials who may be recorded as acting for the head: one line each, by name."""
    holds_head = {m.iin for m in table.members if m.role is PermitRole.HEAD}
    chosen: dict[str, StaffMember] = {}
    for member in table.members:
        if member.role in READING_ROLES and member.iin not in holds_head:
            chosen.setdefault(member.iin, member)
    return sorted(chosen.values(), key=lambda m: (m.name, m.iin))


def _sole_administrator(table: StaffTable) -> bool:
    administrators = {m.iin for m in table.members if m.role is PermitRole.ADMINISTRATOR}
    return administrators == {table.administrator_iin}


def _may_end(table: StaffTable, period: ActingPeriod) -> bool:
    return period.state(table.now) in (ActingState.UPCOMING, ActingState.ACTIVE)


def _who(table: StaffTable, recorded_by: str) -> dict[str, str]:
    """Who granted or recorded something: a word to translate (the operator), or a name with
    an IIN when the staff table knows the person, or what was recorded as it stands."""
    if recorded_by.startswith("cli"):
        return {"word": N_("The operator, from a terminal"), "name": "", "iin": ""}
    return {"word": "", "name": table.names.get(recorded_by, recorded_by), "iin": recorded_by}
