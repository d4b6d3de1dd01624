"""Officials' and applicants' EDS-signed decisions on an application (Rules §5-§9)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kepil.domain.auth import Principal
from kepil.domain.calendar import to_almaty
from kepil.domain.canonical import canonical_bytes
from kepil.domain.permits import (
    Actor,
    Application,
    ApplicationAction,
    ApplicationEvent,
    PermitRole,
    Step,
)
from kepil.domain.permits.codec import event_kind
from kepil.domain.permits.errors import TransitionNotAllowedError
from kepil.domain.permits.events import ResultDocument
from kepil.domain.permits.status import TRANSITIONS
from kepil.domain.permits.steps import StepArgumentError
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.context import PermitContext
from kepil.services.permits.court_checks import (
    DRAFT,
    SIGNING,
    ask_courts,
    keep_answer,
    record_answer,
    with_check,
)
from kepil.services.permits.court_checks import reported_grounds as court_reported_grounds
from kepil.services.permits.officials import actor_for, may_see, require_signing_right
from kepil.services.permits.ports import IssuedDocument, StoredApplication
from kepil.services.permits.signed_acts import (
    SignedAct,
    json_object,
    use_act,
    verify_act,
)
from kepil.services.unit_of_work import UnitOfWork

_A = ApplicationAction
# A result document is signed itself; its type names the action it performs.
DOCUMENT_ACTIONS = {
    "permit": _A.ISSUE_PERMIT,
    "motivated_refusal": _A.REFUSE,
    "refusal_of_further_consideration": _A.REFUSE_FURTHER_CONSIDERATION,
}


@dataclass(frozen=True, slots=True)
class Decision:
    """What a decision did: the new status, the event, the document issued if any."""

    application_number: str
    status: str
    event: str
    document_number: str | None


@dataclass(frozen=True, slots=True)
class DecideOnApplication(Command[Decision]):
    """Apply a decision the caller signed: a step of the procedure or a result document."""

    principal: Principal
    application_number: str
    signed_decision: bytes


@dataclass(frozen=True, slots=True)
class DocumentDraft:
    """A query: the exact bytes of a result document, for the head to sign with EDS."""

    principal: Principal
    application_number: str
    document_type: str
    grounds: tuple[int, ...] = ()
    motivation: str = ""


@dataclass(frozen=True, slots=True)
class DecisionAct:
    """A signed decision as read: a JSON object. What it asks is read against the case it names,
    in the order the service has always answered (the case first, then the action, the role,
    and only then the action's own arguments)."""

    payload: dict[str, Any]

    @property
    def application_number(self) -> object:
        """The case the signer named (any JSON value: it is compared, then quoted if wrong)."""
        return self.payload.get("application_number")

    def action(self) -> tuple[ApplicationAction, dict[str, Any], str | None]:
        """The action, the arguments it is read from, and the result document type if any."""
        document_type = self.payload.get("document_type")
        if document_type is not None:
            action = DOCUMENT_ACTIONS.get(document_type) if isinstance(document_type, str) else None
            if action is None:
                raise InvalidInputError("unknown_document_type", f"{document_type!r} is not known")
            cited = self.payload.get("grounds", [])
            arguments = {
                "grounds": [g.get("number") for g in cited if isinstance(g, dict)],
                "motivation": self.payload.get("motivation", ""),
            }
            return action, arguments, document_type
        try:
            action = ApplicationAction(str(self.payload.get("action")))
        except ValueError:
            allowed = ", ".join(str(a) for a in ApplicationAction if a is not _A.SUBMIT)
            raise InvalidInputError("unknown_action", f"action must be one of {allowed}") from None
        if action in DOCUMENT_ACTIONS.values():
            raise InvalidInputError(
                "document_required", f"{action} is decided by signing the result document itself"
            )
        return action, self.payload, None


def draft_document(command: DocumentDraft, uow: UnitOfWork, context: PermitContext) -> bytes:
    """The canonical JSON the head must sign now. Nothing of the document is stored; for a
    permit, the court records' answer as of the draft is (Rules §4)."""
    action = DOCUMENT_ACTIONS.get(command.document_type)
    if action is None:
        raise InvalidInputError(
            "unknown_document_type", f"one of {', '.join(DOCUMENT_ACTIONS)} is required"
        )
    now = context.clock.now()
    arguments = {"grounds": list(command.grounds), "motivation": command.motivation}
    with uow:
        stored = _load(uow, command.application_number, command.principal)
        _actor(stored.application, action, command.principal, uow, now)
        step = step_of(action, arguments)
        subject = stored.application.form.applicant_identifier
    # App.1 §10 items 3-4 as of the draft, asked outside any transaction (a slow gateway
    # holds no lock); the answer is kept even when it refuses the draft, so the examiner
    # sees the new ban and may record why it does not concern the activity.
    check = None
    if action is _A.ISSUE_PERMIT:
        check = ask_courts(subject, DRAFT, now, to_almaty(now).date(), context)
    with uow:
        stored = _load(uow, command.application_number, command.principal)
        if check is not None:
            stored = record_answer(uow, stored, check)
            uow.commit()
        actor = _actor(stored.application, action, command.principal, uow, now)
        return _document_bytes(_perform(stored, step, actor, now, context))


def decide(command: DecideOnApplication, uow: UnitOfWork, context: PermitContext) -> Decision:
    """Verify the signature, apply the decision, store the result document, tell everyone."""
    now = context.clock.now()
    act = verify_act(
        command.signed_decision, command.principal, context.verifier, now, read_decision, "decision"
    )
    number = command.application_number
    check = _ask_before_signing(uow, number, act, now, context)
    try:
        return _decide(uow, act, check, now, context, command)
    except TransitionNotAllowedError:
        # The decision is rolled back whole; a ban the courts report now is still kept, so
        # the examiner can weigh it (one unit of its own, after the refused one).
        if check is not None and check["grounds"]:
            keep_answer(uow, number, check)
        raise


def _ask_before_signing(
    uow: UnitOfWork,
    number: str,
    act: SignedAct[DecisionAct],
    now: datetime,
    context: PermitContext,
) -> dict[str, Any] | None:
    """The court records as of the head's signing of a permit (App.1 §10 items 3-4), asked
    outside any transaction; None for any other decision or a case the signer cannot see
    (the decision itself then answers why)."""
    if act.payload.payload.get("document_type") != "permit":
        return None
    with uow:
        stored = uow.applications.get(number)
        if stored is None or not may_see(
            act.signer, stored.application.form.applicant_identifier, uow
        ):
            return None
        subject = stored.application.form.applicant_identifier
    return ask_courts(subject, SIGNING, now, to_almaty(now).date(), context)


def _decide(
    uow: UnitOfWork,
    act: SignedAct[DecisionAct],
    check: dict[str, Any] | None,
    now: datetime,
    context: PermitContext,
    command: DecideOnApplication,
) -> Decision:
    number = command.application_number
    with uow:
        stored = _load(uow, number, act.signer)
        application = stored.application
        if act.payload.application_number != number:
            raise InvalidInputError(
                "decision_for_another_application",
                f"the signed decision is about {act.payload.application_number!r}, not {number}",
            )
        action, arguments, document_type = act.payload.action()
        if action is _A.WITHDRAW:
            require_signing_right(act.signer, application.form.applicant_identifier)
        actor = _actor(application, action, act.signer, uow, now)
        facts = None
        if check is not None and action is _A.ISSUE_PERMIT:
            # Judged on every answer so far, this one included; kept with the permit or not
            # at all (one unit of work).
            facts = with_check(stored.state_facts, check)
            stored = replace(stored, state_facts=facts)
        event = _perform(stored, step_of(action, arguments), actor, now, context)
        document_number = None
        if document_type is not None:
            document_number = _store_document(uow, application, event, act, now)
        uow.applications.save(application, stored.version, state_facts=facts)
        use_act(uow, act, "decision", f"{number} {event_kind(event)}", now)
        events = application.pull_events()
        uow.applications.record_events(events, command.signed_decision)
        uow.emit(*events)
        uow.commit()
        return Decision(
            application.number, str(application.status), event_kind(event), document_number
        )


def read_decision(content: bytes) -> DecisionAct:
    """A signed decision's content: a JSON object, or InvalidInputError."""
    return DecisionAct(json_object(content, "invalid_decision"))


def step_of(  # noqa: PLR0911 (one return per action with arguments)
    action: ApplicationAction, arguments: dict[str, Any]
) -> Step:
    """The step with exactly the arguments its action takes, each checked for its kind."""
    match action:
        case _A.REFUSE:
            grounds, motivation = _grounds(arguments), _text(arguments, "motivation")
            return Step(action, grounds=grounds, motivation=motivation)
        case _A.ISSUE_PRELIMINARY_REFUSAL:
            # Rules §8: the notice of the preliminary decision carries the hearing's time and
            # place (or way), so the act that issues it names them.
            grounds, motivation = _grounds(arguments), _text(arguments, "motivation")
            moment, place = _moment(arguments, "hearing_at"), _text(arguments, "place")
            return Step(action, grounds, motivation, hearing_at=moment, place=place)
        case _A.SCHEDULE_HEARING:
            moment = _moment(arguments, "hearing_at")
            return Step(action, hearing_at=moment, place=_text(arguments, "place"))
        case _A.HOLD_HEARING:
            attended = arguments.get("applicant_attended")
            if not isinstance(attended, bool):
                raise InvalidInputError("invalid_decision", "applicant_attended: true or false")
            position = _text(arguments, "applicant_position", required=False)
            return Step(action, applicant_attended=attended, applicant_position=position)
        case _A.WITHDRAW:
            return Step(action, reason=_text(arguments, "reason", required=False))
        case _A.CLEAR_REPORTED_GROUND:
            ground = arguments.get("ground")
            if not isinstance(ground, int) or isinstance(ground, bool):
                raise InvalidInputError("invalid_decision", "ground: App.1 §10 item 3 or 4")
            return Step(action, ground=ground, reason=_text(arguments, "reason"))
        case _A.SUBMIT:
            raise InvalidInputError("unknown_action", f"{action} cannot be decided here")
        case _:
            return Step(action)


def _load(uow: UnitOfWork, number: str, principal: Principal) -> StoredApplication:
    # A case one may not see answers exactly as a missing one: no owner, no status leaks.
    stored = uow.applications.get(number)
    if stored is None or not may_see(principal, stored.application.form.applicant_identifier, uow):
        raise NotFoundError("application_not_found", f"no application {number}")
    return stored


def _actor(
    application: Application,
    action: ApplicationAction,
    principal: Principal,
    uow: UnitOfWork,
    at: datetime,
) -> Actor:
    transition = TRANSITIONS.get((application.status, action))
    # An undeclared move is refused by the aggregate with the state named; any role will do.
    roles = transition.roles if transition else _roles_of(action)
    # The moment lets a deputy act for the head during their acting period (Rules §9).
    return actor_for(principal, roles, uow, at)


def _roles_of(action: ApplicationAction) -> frozenset[PermitRole]:
    return frozenset().union(*(t.roles for t in TRANSITIONS.values() if t.action is action))


def reported_grounds(stored: StoredApplication) -> tuple[int, ...]:
    """App.1 §10 items the state systems' answers suggested so far (Rules §4)."""
    return court_reported_grounds(stored.state_facts)


def _perform(
    stored: StoredApplication, step: Step, actor: Actor, at: datetime, context: PermitContext
) -> ApplicationEvent:
    # Only the domain's own refusal of a step's arguments is the caller's fault; any other
    # TypeError or ValueError is a bug here and must surface as one, not as a 422.
    try:
        return stored.application.perform(
            step, actor, at, provider=context.provider, reported_grounds=reported_grounds(stored)
        )
    except StepArgumentError as error:
        raise InvalidInputError("invalid_decision", str(error)) from None


def _grounds(arguments: dict[str, Any]) -> tuple[int, ...]:
    grounds = arguments.get("grounds")
    if not isinstance(grounds, list) or not all(
        isinstance(g, int) and not isinstance(g, bool) for g in grounds
    ):
        raise InvalidInputError("invalid_decision", "grounds: a list of App.1 §10 item numbers")
    return tuple(grounds)


def _text(payload: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = payload.get(key, None if required else "")
    if not isinstance(value, str):
        raise InvalidInputError("invalid_decision", f"{key}: a string is required")
    return value


def _moment(payload: dict[str, Any], key: str) -> datetime:
    value = _text(payload, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInputError("invalid_decision", f"{key}: an ISO moment with its UTC offset")
    return moment


def _document(event: ApplicationEvent) -> ResultDocument:
    document = event.result_document()
    if document is None:
        raise AssertionError(f"{type(event).__name__} carries no document")
    return document


def _document_bytes(event: ApplicationEvent) -> bytes:
    return canonical_bytes(_document(event).to_canonical_dict())


def _store_document(
    uow: UnitOfWork,
    application: Application,
    event: ApplicationEvent,
    act: SignedAct[DecisionAct],
    now: datetime,
) -> str:
    expected = _document_bytes(event)
    if act.content != expected:
        raise ConflictError(
            "document_mismatch",
            "the signed document differs from the one the service would issue now "
            "(another day, signer or number); request a fresh draft and sign it",
        )
    document = _document(event)
    uow.documents.add(
        IssuedDocument(
            number=document.number,
            application_number=application.number,
            kind=event_kind(event),
            issued_at=now,
            recipient_id=application.form.applicant_identifier,
            content=expected,
            signature=act.cms,
            signer_iin=act.signer.iin,
            sha256=hashlib.sha256(expected).hexdigest(),
        )
    )
    return document.number
