"""An official's signed action on a case (Rules §5-§9), one page per declared action:
`/desk/applications/{number}/actions/{action}`.

A step (register, start the review, the preliminary decision, the hearing) is an act the official
signs as JSON, shown exactly as signed; a result (the permit, the reasoned refusal, the §6 notice)
is the document itself, shown as the applicant will read it, and the head signs its very bytes
(`DocumentDraft`). Both are signed with NCALayer's signing key (sign-and-send.js) and applied with
`DecideOnApplication`; the page decides nothing the service does not decide again.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, Final

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.datastructures import FormData

from kepil.domain.calendar import ALMATY
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import PermitRole
from kepil.domain.permits.errors import (
    ActionForbiddenError,
    InvalidRefusalError,
    TransitionNotAllowedError,
)
from kepil.domain.permits.grounds import RefusalGround
from kepil.domain.permits.status import TRANSITIONS, ApplicationAction, ApplicationStatus
from kepil.entrypoints.api.dependencies import BusDep, CurrentSession, ViewsDep
from kepil.entrypoints.web import words
from kepil.entrypoints.web.document_pages import document_body
from kepil.entrypoints.web.hearing_words import hearing_refusal
from kepil.entrypoints.web.i18n import N_, Translator, translator
from kepil.entrypoints.web.preferences import Preferences, PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.entrypoints.web.session import PersonDep
from kepil.entrypoints.web.signing_pages import (
    FORM,
    REFUSALS,
    PostedDep,
    check_script_csrf,
    cms_of,
    malformed_cms,
    refusal_problems,
    refusal_status,
    texts,
)
from kepil.services.errors import ForbiddenError, NotFoundError, ServiceError
from kepil.services.permits.decisions import DecideOnApplication, DocumentDraft
from kepil.services.permits.views.applications import ApplicationView
from kepil.services.permits.views.reader import PermitViews

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

PAGE = "/desk/applications/{number}/actions/{action}"
_A = ApplicationAction
MAX_TEXT = 5000


@dataclass(frozen=True, slots=True)
class ActionPage:
    """How one action's page is titled, what its button says and, for a result, which
    document the head signs."""

    title: str
    button: str
    document_type: str | None = None


ACTIONS: Final[dict[ApplicationAction, ActionPage]] = {
    _A.REGISTER: ActionPage(
        N_("Register application %(number)s"), N_("Sign with EDS and register")
    ),
    _A.START_REVIEW: ActionPage(
        N_("Start the review of application %(number)s"),
        N_("Sign with EDS and start the review"),
    ),
    _A.ISSUE_PRELIMINARY_REFUSAL: ActionPage(
        N_("Preliminary decision to refuse on application %(number)s"),
        N_("Sign with EDS and notify the applicant"),
    ),
    _A.SCHEDULE_HEARING: ActionPage(
        N_("Schedule the hearing on application %(number)s"),
        N_("Sign with EDS and schedule the hearing"),
    ),
    _A.HOLD_HEARING: ActionPage(
        N_("Record the hearing on application %(number)s"),
        N_("Sign with EDS and record the hearing"),
    ),
    _A.CLEAR_REPORTED_GROUND: ActionPage(
        N_("Why a reported court decision does not concern application %(number)s"),
        N_("Sign the record with EDS"),
    ),
    _A.ISSUE_PERMIT: ActionPage(
        N_("Issue the permit on application %(number)s"),
        N_("Sign the permit with EDS and issue it"),
        "permit",
    ),
    _A.REFUSE: ActionPage(
        N_("Reasoned refusal on application %(number)s"),
        N_("Sign the refusal with EDS and issue it"),
        "motivated_refusal",
    ),
    _A.REFUSE_FURTHER_CONSIDERATION: ActionPage(
        N_("Refuse further consideration of application %(number)s"),
        N_("Sign the notice with EDS and issue it"),
        "refusal_of_further_consideration",
    ),
}

# THE table of what each action's act carries beyond its action and case, in the order the page
# asks for them (README "Steps"; decisions.step_of reads them). An action not listed carries
# nothing more. Each name is a key of the signed JSON and has a reader below and controls in
# templates/desk_action_fields.html.
ARGUMENTS: Final[dict[ApplicationAction, tuple[str, ...]]] = {
    # Rules §8: the notice of the preliminary decision carries the hearing's time and place.
    _A.ISSUE_PRELIMINARY_REFUSAL: ("grounds", "motivation", "hearing_at", "place"),
    _A.SCHEDULE_HEARING: ("hearing_at", "place"),
    _A.HOLD_HEARING: ("applicant_attended", "applicant_position"),
    _A.REFUSE: ("grounds", "motivation"),
    # App.1 §10 items 3-4: which reported ground, and why it does not concern the activity.
    _A.CLEAR_REPORTED_GROUND: ("ground", "reason"),
}

# The result documents, by the kind the document store and words.DOCUMENT_KIND_NAMES use.
DOCUMENT_KINDS: Final = {
    "permit": "permit_issued",
    "motivated_refusal": "permit_refused",
    "refusal_of_further_consideration": "further_consideration_refused",
}

# Problems with what was typed, each beside its control.
GROUNDS_REQUIRED = N_("Choose at least one ground of App.1 §10.")
GROUNDS_NOT_HEARD = N_(
    "Only the grounds of the preliminary decision can be cited: the applicant was heard on "
    "them and on no other."
)
MOTIVATION_REQUIRED = N_("Write the motivation.")
TEXT_TOO_LONG = N_("The text may be at most 5,000 characters long.")
HEARING_MOMENT_REQUIRED = N_("Give the date and the time of the hearing (Almaty time).")
HEARING_IN_PAST = N_("The hearing cannot be set in the past.")
PLACE_REQUIRED = N_(
    "Give the place of the hearing or the way it is held (for example, a video call and its "
    "address)."
)
ATTENDED_REQUIRED = N_("Say whether the applicant attended the hearing.")
GROUND_REQUIRED = N_("Choose the ground the reported court decision concerns.")
REASON_REQUIRED = N_("Say why the court decision does not concern this activity.")
NOTHING_REPORTED = N_(
    "the state systems report no court decision on grounds 3–4 that is not recorded already"
)

# Refusals of the action itself, in words an official can act on.
STATUS_FORBIDS = N_(
    "This action cannot be taken while the application's status is “%(status)s”. Open the "
    "case page to see what can be done now."
)
RULES_FORBID = N_("The Rules do not allow this now, in the status “%(status)s”: %(reason)s.")
ROLE_NEEDED = N_(
    "This action needs the duty “%(role)s” in the Ministry's staff table, which you do not hold."
)
ACT_USED = N_(
    "This signed act has already taken effect: a signed act takes effect once. Reload the page "
    "to see the case's new status."
)
DRAFT_CHANGED = N_(
    "The document has changed since it was shown (a new day, or another signer). Nothing was "
    "signed. Reload the page, check the document shown now and sign it."
)
ANOTHER_CASE = N_("The signed act is about another application. Sign the act this page shows.")
REASON_UNKNOWN = N_("its conditions are not met")

# What the domain's guards say (TransitionNotAllowedError.reason), by how it begins.
GUARD_REASONS: Final = (
    ("the package is incomplete", N_("the package of documents is incomplete")),
    ("the package is complete", N_("the package of documents is complete")),
    ("the hearing was set for", N_("the time set for the hearing has not come yet")),
    ("App.1 §10", N_("a ground for refusal of App.1 §10 applies to the application")),
    ("ground(s)", N_("a ground was not in the preliminary decision")),
    (
        "the state systems report a court decision",
        N_(
            "the state systems report a court decision (App.1 §10 items 3–4) that the "
            "responsible officer has not yet recorded as not concerning this activity"
        ),
    ),
    (
        "the state systems report no court decision",
        N_("the state systems report no court decision on this ground"),
    ),
    ("already recorded for ground", N_("this ground is already recorded")),
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A problem to show: the control it concerns, its msgid and the words put into it."""

    field: str
    message: str
    values: dict[str, tuple[str, ...]] = dataclasses.field(default_factory=dict)
    moment: datetime | None = None
    """A moment the message names (`%(moment)s`), written as the pages write moments."""

    def said(self, gettext: Translator) -> str:
        """The message in the person's language, its placeholders filled with words (msgids,
        translated too; several are listed)."""
        message = gettext.gettext(self.message)
        if not self.values and self.moment is None:
            return message
        filled = {
            key: ", ".join(gettext.gettext(word) for word in said)
            for key, said in self.values.items()
        }
        if self.moment is not None:
            filled["moment"] = gettext.moment(self.moment)
        return message % filled


class ActionRefusedError(Exception):
    """The action may not be taken on this case by this person: a page says why."""

    def __init__(self, problem: Problem, status_code: int) -> None:
        super().__init__(problem.message)
        self.problem = problem
        self.status_code = status_code


@dataclass(slots=True)
class Typed:
    """What the official typed or chose, and what the act is read from it."""

    values: dict[str, str]
    grounds: list[int]
    arguments: dict[str, Any] = dataclasses.field(default_factory=dict)
    problems: list[Problem] = dataclasses.field(default_factory=list)


def _typed(posted: FormData | None) -> Typed:
    if posted is None:
        return Typed({}, [])
    chosen = posted.getlist("grounds")
    grounds = sorted({int(g) for g in chosen if isinstance(g, str) and g.isdigit() and len(g) < 3})
    # Line ends as HTML keeps them in a hidden field, so the document drafted from what was
    # typed and the one drafted again from the signing form are the same bytes.
    values = {k: _lines(v)[: MAX_TEXT + 1] for k, v in texts(posted).items()}
    return Typed(values, grounds)


def _lines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _read_grounds(typed: Typed, case: CaseAction) -> None:
    typed.arguments["grounds"] = typed.grounds
    if not typed.grounds:
        typed.problems.append(Problem("grounds", GROUNDS_REQUIRED))
    elif any(g not in case.allowed_grounds for g in typed.grounds):
        typed.problems.append(Problem("grounds", GROUNDS_NOT_HEARD))


def _read_text(typed: Typed, name: str, required: str | None) -> None:
    text = typed.values.get(name, "").strip()
    typed.arguments[name] = text
    if len(text) > MAX_TEXT:
        typed.problems.append(Problem(name, TEXT_TOO_LONG))
    elif required and not text:
        typed.problems.append(Problem(name, required))


def _read_hearing_at(typed: Typed, case: CaseAction) -> None:
    day, clock = typed.values.get("hearing_date", ""), typed.values.get("hearing_time", "")
    try:
        moment = datetime.combine(date.fromisoformat(day), time.fromisoformat(clock), ALMATY)
    except ValueError:
        typed.arguments["hearing_at"] = ""
        typed.problems.append(Problem("hearing_date", HEARING_MOMENT_REQUIRED))
        return
    typed.arguments["hearing_at"] = moment.isoformat()
    if moment < case.now:
        typed.problems.append(Problem("hearing_date", HEARING_IN_PAST))


def _read_ground(typed: Typed, case: CaseAction) -> None:
    said = typed.values.get("ground", "")
    ground = int(said) if said.isdigit() and len(said) < 3 else None
    typed.arguments["ground"] = ground
    if ground is None or ground not in case.allowed_grounds:
        typed.problems.append(Problem("ground", GROUND_REQUIRED))


def _read_attended(typed: Typed) -> None:
    said = typed.values.get("applicant_attended")
    typed.arguments["applicant_attended"] = {"yes": True, "no": False}.get(said or "")
    if said not in ("yes", "no"):
        typed.problems.append(Problem("applicant_attended", ATTENDED_REQUIRED))


def read_arguments(action: ApplicationAction, typed: Typed, case: CaseAction) -> Typed:
    """Read the action's arguments (ARGUMENTS) from what was typed, with every problem."""
    for name in ARGUMENTS.get(action, ()):
        match name:
            case "grounds":
                _read_grounds(typed, case)
            case "motivation":
                _read_text(typed, name, MOTIVATION_REQUIRED)
            case "hearing_at":
                _read_hearing_at(typed, case)
            case "place":
                _read_text(typed, name, PLACE_REQUIRED)
            case "applicant_attended":
                _read_attended(typed)
            case "ground":
                _read_ground(typed, case)
            case "reason":
                _read_text(typed, name, REASON_REQUIRED)
            case _:
                _read_text(typed, name, None)
    return typed


def step_act(number: str, action: ApplicationAction, arguments: dict[str, Any]) -> bytes:
    """The act the official signs, as DecideOnApplication reads it (README, "Steps")."""
    return canonical_bytes({"action": str(action), "application_number": number, **arguments})


@dataclass(frozen=True, slots=True)
class CaseAction:
    """The case, the action asked and what the page needs to know about them."""

    case: ApplicationView
    action: ApplicationAction
    page: ActionPage
    allowed_grounds: tuple[int, ...]
    now: datetime


def _action(action: str) -> ApplicationAction:
    try:
        found = ApplicationAction(action)
    except ValueError:
        raise HTTPException(404) from None
    if found not in ACTIONS:
        raise HTTPException(404)
    return found


def _needed(status: ApplicationStatus, action: ApplicationAction) -> frozenset[PermitRole]:
    # As the service asks (decisions._actor): the declared move's roles, else the action's.
    transition = TRANSITIONS.get((status, action))
    return transition.roles if transition is not None else _roles_of(action)


def _role_problem(roles: frozenset[PermitRole]) -> Problem:
    names = tuple(words.ROLE_NAMES.get(role, str(role)) for role in sorted(roles))
    return Problem(FORM, ROLE_NEEDED, {"role": names})


def _status_name(status: str) -> tuple[str]:
    return (words.APPLICATION_STATUS_NAMES.get(status, status),)


def _case_action(
    views: PermitViews, person: CurrentSession, number: str, action: str
) -> CaseAction:
    """The case and the action, if this official may take it now; otherwise
    ActionRefusedError naming the duty needed (403) or the status that forbids it (409)."""
    asked = _action(action)
    try:
        case = views.application(person.principal, number)
    except NotFoundError:
        raise HTTPException(404) from None
    status = ApplicationStatus(case.status)
    needed = _needed(status, asked)
    if not needed & views.duties(person.principal):
        raise ActionRefusedError(_role_problem(needed), 403)
    if (status, asked) not in TRANSITIONS:
        problem = Problem(FORM, STATUS_FORBIDS, {"status": _status_name(case.status)})
        raise ActionRefusedError(problem, 409)
    allowed = _grounds_allowed(case, asked)
    if asked is _A.CLEAR_REPORTED_GROUND and not allowed:
        # Nothing reported (or every report recorded already): say so before anything is typed.
        said: dict[str, tuple[str, ...]] = {
            "status": _status_name(case.status),
            "reason": (NOTHING_REPORTED,),
        }
        raise ActionRefusedError(Problem(FORM, RULES_FORBID, said), 409)
    return CaseAction(case, asked, ACTIONS[asked], allowed, views.clock.now())


def _grounds_allowed(case: ApplicationView, action: ApplicationAction) -> tuple[int, ...]:
    """Every ground of App.1 §10; for the reasoned refusal only those of the preliminary
    decision, on which the applicant was heard (APPC art. 73; Application.refuse)."""
    if action is _A.CLEAR_REPORTED_GROUND:
        return _reported_not_cleared(case)
    if action is not _A.REFUSE:
        return tuple(int(ground) for ground in RefusalGround)
    for line in reversed(case.history):
        if line.kind == "preliminary_refusal_issued":
            reasons = line.details.get("reasons", {})
            return tuple(int(g) for g in reasons.get("grounds", []))
    return ()


def _reported_not_cleared(case: ApplicationView) -> tuple[int, ...]:
    # App.1 §10 items 3-4 the state systems' answers suggested, less those the aggregate holds
    # as cleared: one source of truth with the check the permit itself makes.
    facts = case.state_facts or {}
    reported = {g for g in facts.get("suggested_grounds", ()) if g in (3, 4)}
    cleared = {c.get("ground") for c in case.ground_clearances}
    return tuple(sorted(reported - cleared))


def refusal(error: Exception, action: ApplicationAction) -> Problem:
    """A refusal of the service or the domain, in words that name the status or the duty."""
    if isinstance(error, TransitionNotAllowedError):
        return _transition_refused(error)
    if isinstance(error, ActionForbiddenError) or (
        isinstance(error, ForbiddenError) and error.code == "role_required"
    ):
        return _role_problem(_roles_of(action))
    if isinstance(error, InvalidRefusalError):
        return Problem(FORM, GROUNDS_REQUIRED)
    if isinstance(error, ServiceError):
        known = {
            "signed_act_used": ACT_USED,
            "decision_for_another_application": ANOTHER_CASE,
        }.get(error.code)
        if known is not None:
            return Problem(FORM, known)
    field_name, message = refusal_problems(error)[0]
    return Problem(field_name, message)


def _transition_refused(error: TransitionNotAllowedError) -> Problem:
    status = _status_name(error.state)
    if error.reason is None:
        return Problem(FORM, STATUS_FORBIDS, {"status": status})
    hearing = hearing_refusal(error.reason)
    if hearing is not None:
        # A §8 limit is said beside the hearing's date, with the limit's moment.
        return Problem("hearing_date", hearing.message, moment=hearing.moment)
    reason = next((m for start, m in GUARD_REASONS if error.reason.startswith(start)), None)
    said = (reason or REASON_UNKNOWN,)
    return Problem(FORM, RULES_FORBID, {"status": status, "reason": said})


def _roles_of(action: ApplicationAction) -> frozenset[PermitRole]:
    return frozenset().union(*(t.roles for t in TRANSITIONS.values() if t.action is action))


def _answer(gettext: Translator, problems: list[Problem], status_code: int = 422) -> JSONResponse:
    return JSONResponse(
        {"problems": [{"field": p.field, "message": p.said(gettext)} for p in problems]},
        status_code=status_code,
    )


@router.get(PAGE)
def action_page(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
) -> Response:
    """What will be signed: the act as JSON, or the result document as the applicant reads it."""
    try:
        found = _case_action(views, person, number, action)
    except ActionRefusedError as refused:
        return _refused_page(request, prefs, number, action, refused)
    return _page(request, prefs, views, person, found, _typed(None), shown=False)


@router.post(PAGE)
def action_without_script(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> Response:
    """Without JavaScript nothing can be signed: the page again with what was typed, and for a
    result the document drafted from the chosen grounds and motivation ("Show the document")."""
    check_script_csrf(request, posted)
    try:
        found = _case_action(views, person, number, action)
    except ActionRefusedError as refused:
        return _refused_page(request, prefs, number, action, refused)
    return _page(request, prefs, views, person, found, _typed(posted), shown=True)


@router.post(PAGE + "/prepare", response_class=JSONResponse)
def prepare(
    number: str,
    action: str,
    request: Request,
    prefs: PreferencesDep,
    person: PersonDep,
    views: ViewsDep,
    posted: PostedDep,
) -> JSONResponse:
    """The exact bytes to sign, as base64: the act, or the result document as drafted now."""
    check_script_csrf(request, posted)
    gettext = translator(prefs.language)
    try:
        found = _case_action(views, person, number, action)
    except ActionRefusedError as refused:
        return _answer(gettext, [refused.problem], refused.status_code)
    typed = read_arguments(found.action, _typed(posted), found)
    if typed.problems:
        return _answer(gettext, typed.problems)
    if found.page.document_type is None:
        content = step_act(found.case.number, found.action, typed.arguments)
    else:
        try:
            content = _draft(views, person, found, typed)
        except REFUSALS as error:
            return _answer(gettext, [refusal(error, found.action)], refusal_status(error))
        shown = texts(posted).get("sha256", "")
        if shown != hashlib.sha256(content).hexdigest():
            return _answer(gettext, [Problem(FORM, DRAFT_CHANGED)], 409)
    return JSONResponse({"data_b64": base64.b64encode(content).decode("ascii"), "warnings": []})


@router.post(PAGE + "/send", response_class=JSONResponse)
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
    """Apply the signed act or document; back to the case page, which says what was done.
    The page's own refusals come first (the duty, the status), so an act sent from a page
    that does not apply to this official or this status is said in the page's words; the
    service decides again, and a change made meanwhile is refused there."""
    check_script_csrf(request, posted)
    gettext = translator(prefs.language)
    try:
        asked = _case_action(views, person, number, action).action
    except ActionRefusedError as refused:
        return _answer(gettext, [refused.problem], refused.status_code)
    cms = cms_of(posted)
    if cms is None:
        field_name, message = malformed_cms()[0]
        return _answer(gettext, [Problem(field_name, message)])
    try:
        bus.handle(DecideOnApplication(person.principal, number, cms))
    except REFUSALS as error:
        return _answer(gettext, [refusal(error, asked)], refusal_status(error))
    return JSONResponse({"location": f"/desk/applications/{number}?done={asked}"})


def _draft(views: PermitViews, person: CurrentSession, found: CaseAction, typed: Typed) -> bytes:
    return views.draft(
        DocumentDraft(
            person.principal,
            found.case.number,
            str(found.page.document_type),
            tuple(typed.arguments.get("grounds", ())),
            str(typed.arguments.get("motivation", "")),
        )
    )


def _page(
    request: Request,
    prefs: Preferences,
    views: PermitViews,
    person: CurrentSession,
    found: CaseAction,
    typed: Typed,
    *,
    shown: bool,
) -> Response:
    """The action's page; `shown` when the official posted the form (errors are then said)."""
    read_arguments(found.action, typed, found)
    errors: dict[str, list[str]] = {}
    gettext = translator(prefs.language)
    limits = (
        views.hearing_limits(person.principal, found.case.number)
        if found.action in (_A.ISSUE_PRELIMINARY_REFUSAL, _A.SCHEDULE_HEARING)
        else None
    )
    if shown:
        for problem in typed.problems:
            errors.setdefault(problem.field, []).append(problem.said(gettext))
    context: dict[str, Any] = {
        "case": found.case,
        "action": str(found.action),
        "page": found.page,
        "arguments": ARGUMENTS.get(found.action, ()),
        "values": typed.values,
        "chosen": typed.grounds,
        "allowed_grounds": found.allowed_grounds,
        "errors": errors,
        "warnings": {},
        "words": words,
        "status_name": words.APPLICATION_STATUS_NAMES.get(found.case.status, found.case.status),
        "document": None,
        "limits": limits,
        # The latest moment the Rules allow, said beside the date (the limits explain it).
        "hearing_due": limits.latest if limits is not None and limits.allowed else None,
    }
    status_code = 422 if errors else 200
    if found.page.document_type is None:
        act = step_act(found.case.number, found.action, typed.arguments)
        context["act"] = json.dumps(json.loads(act), ensure_ascii=False, indent=2)
        return render(request, prefs, "desk_action.html", context, status_code)
    needs_arguments = bool(ARGUMENTS.get(found.action))
    if not typed.problems or not needs_arguments:
        try:
            content = _draft(views, person, found, typed)
        except REFUSALS as error:
            problem = refusal(error, found.action)
            errors.setdefault(problem.field, []).append(problem.said(gettext))
            status_code = refusal_status(error)
        else:
            kind = DOCUMENT_KINDS[str(found.page.document_type)]
            context["document"] = {
                **document_body(json.loads(content), kind, prefs.language, None),
                "sha256": hashlib.sha256(content).hexdigest(),
                "json": json.dumps(json.loads(content), ensure_ascii=False, indent=2),
            }
    return render(request, prefs, "desk_action_document.html", context, status_code)


def _refused_page(
    request: Request, prefs: Preferences, number: str, action: str, refused: ActionRefusedError
) -> Response:
    context = {
        "number": number,
        "action": action,
        "message": refused.problem.said(translator(prefs.language)),
    }
    return render(request, prefs, "desk_action_refused.html", context, refused.status_code)
