"""Officials' and applicants' EDS-signed decisions on an application (Rules §5-§9)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
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
    FurtherConsiderationRefused,
    PermitIssued,
    PermitRefused,
    PermitRole,
)
from kepil.domain.permits.codec import event_kind
from kepil.domain.permits.status import TRANSITIONS
from kepil.domain.registry import RegistryEntry
from kepil.services.errors import (
    ConflictError,
    InvalidInputError,
    NotFoundError,
    SignatureRefusedError,
)
from kepil.services.permits.context import PermitContext
from kepil.services.permits.officials import actor_for
from kepil.services.permits.ports import IssuedDocument, SignedContent, StoredApplication
from kepil.services.permits.publish import publish
from kepil.services.unit_of_work import UnitOfWork

_A = ApplicationAction
# A result document names the action it performs; its number follows the application's.
DOCUMENT_ACTIONS = {
    "permit": (_A.ISSUE_PERMIT, "PRM"),
    "motivated_refusal": (_A.REFUSE, "REF"),
    "refusal_of_further_consideration": (_A.REFUSE_FURTHER_CONSIDERATION, "RFC"),
}


@dataclass(frozen=True, slots=True)
class DecideOnApplication:
    """Apply a decision the caller signed: a step of the procedure or a result document."""

    principal: Principal
    application_number: str
    signed_decision: bytes


@dataclass(frozen=True, slots=True)
class DraftDocument:
    """Ask for the exact bytes of a result document, to be signed with the head's EDS."""

    principal: Principal
    application_number: str
    document_type: str
    grounds: tuple[int, ...] = ()
    motivation: str = ""


@dataclass(frozen=True, slots=True)
class Decision:
    """What a decision did: the new status, the event, the document issued if any."""

    application_number: str
    status: str
    event: str
    document_number: str | None


def draft_document(command: DraftDocument, uow: UnitOfWork, context: PermitContext) -> bytes:
    """The canonical JSON the head must sign now; nothing is stored."""
    if command.document_type not in DOCUMENT_ACTIONS:
        raise InvalidInputError(
            "unknown_document_type", f"one of {', '.join(DOCUMENT_ACTIONS)} is required"
        )
    now = context.clock.now()
    with uow:
        stored = _load(uow, command.application_number)
        action, _ = DOCUMENT_ACTIONS[command.document_type]
        actor = _actor(stored.application, action, command.principal, uow)
        params = {"grounds": list(command.grounds), "motivation": command.motivation}
        event = _apply(stored.application, action, actor, now, params)
        return _document_bytes(event)


def decide(command: DecideOnApplication, uow: UnitOfWork, context: PermitContext) -> Decision:
    """Verify the signature, apply the decision, store the result document, tell everyone."""
    now = context.clock.now()
    signed = context.verifier.verify(command.signed_decision, now)
    if signed.principal.iin != command.principal.iin:
        raise SignatureRefusedError(
            "signer_mismatch", "the decision is signed by someone other than the signed-in user"
        )
    payload = _payload(signed)
    with uow:
        stored = _load(uow, command.application_number)
        application = stored.application
        action, params = _action(payload, command.application_number)
        actor = _actor(application, action, signed.principal, uow)
        event = _apply(application, action, actor, now, params)
        document_number = None
        if "document_type" in payload:
            document_number = _store_document(
                uow, application, event, signed, command.signed_decision, now
            )
        uow.applications.save(application, stored.version)
        publish(
            uow,
            application.form.applicant_identifier,
            application.pull_events(),
            command.signed_decision,
        )
        if isinstance(event, PermitIssued):
            _enter_registry(uow, event, now)
        uow.commit()
        return Decision(
            application.number, str(application.status), event_kind(event), document_number
        )


def _load(uow: UnitOfWork, number: str) -> StoredApplication:
    stored = uow.applications.get(number)
    if stored is None:
        raise NotFoundError("application_not_found", f"no application {number}")
    return stored


def _payload(signed: SignedContent) -> dict[str, Any]:
    try:
        payload = json.loads(signed.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        payload = None
    if not isinstance(payload, dict):
        raise InvalidInputError("invalid_decision", "the signed content is not a JSON object")
    return payload


def _action(payload: dict[str, Any], number: str) -> tuple[ApplicationAction, dict[str, Any]]:
    if payload.get("application_number") != number:
        raise InvalidInputError(
            "decision_for_another_application",
            f"the signed decision is about {payload.get('application_number')!r}, not {number}",
        )
    document_type = payload.get("document_type")
    if document_type is not None:
        if document_type not in DOCUMENT_ACTIONS:
            raise InvalidInputError("unknown_document_type", f"{document_type!r} is not known")
        grounds = [g.get("number") for g in payload.get("grounds", []) if isinstance(g, dict)]
        params = {"grounds": grounds, "motivation": payload.get("motivation", "")}
        return DOCUMENT_ACTIONS[document_type][0], params
    try:
        action = ApplicationAction(str(payload.get("action")))
    except ValueError:
        allowed = ", ".join(str(a) for a in ApplicationAction if a is not _A.SUBMIT)
        raise InvalidInputError("unknown_action", f"action must be one of {allowed}") from None
    if action in {a for a, _ in DOCUMENT_ACTIONS.values()}:
        raise InvalidInputError(
            "document_required", f"{action} is decided by signing the result document itself"
        )
    return action, payload


def _actor(
    application: Application, action: ApplicationAction, principal: Principal, uow: UnitOfWork
) -> Actor:
    transition = TRANSITIONS.get((application.status, action))
    # An undeclared move is refused by the aggregate with the state named; any role will do.
    roles = transition.roles if transition else _roles_of(action)
    return actor_for(principal, roles, uow)


def _roles_of(action: ApplicationAction) -> frozenset[PermitRole]:
    return frozenset().union(*(t.roles for t in TRANSITIONS.values() if t.action is action))


def _apply(
    application: Application,
    action: ApplicationAction,
    actor: Actor,
    at: datetime,
    params: dict[str, Any],
) -> ApplicationEvent:
    step = _STEPS.get(action)
    if step is None:
        raise InvalidInputError("unknown_action", f"{action} cannot be decided here")
    try:
        return step(application, actor, at, params)
    except (TypeError, ValueError) as error:
        raise InvalidInputError("invalid_decision", str(error)) from None


def _suffix(application: Application) -> str:
    return application.number.removeprefix("APP-")


def _hold_hearing(
    application: Application, actor: Actor, at: datetime, params: dict[str, Any]
) -> ApplicationEvent:
    attended = params.get("applicant_attended")
    if not isinstance(attended, bool):
        raise InvalidInputError("invalid_decision", "applicant_attended: true or false")
    position = _text(params, "applicant_position", required=False)
    return application.hold_hearing(actor, at, attended, position)


_Step = Callable[[Application, Actor, datetime, dict[str, Any]], ApplicationEvent]
_STEPS: dict[ApplicationAction, _Step] = {
    _A.REGISTER: lambda app, actor, at, _p: app.register(actor, at),
    _A.START_REVIEW: lambda app, actor, at, _p: app.start_review(actor, at),
    _A.REFUSE_FURTHER_CONSIDERATION: lambda app, actor, at, _p: app.refuse_further_consideration(
        actor, at, f"RFC-{_suffix(app)}"
    ),
    _A.ISSUE_PRELIMINARY_REFUSAL: lambda app, actor, at, p: app.issue_preliminary_refusal(
        actor, at, _grounds(p), _text(p, "motivation")
    ),
    _A.SCHEDULE_HEARING: lambda app, actor, at, p: app.schedule_hearing(
        actor, at, _moment(p, "hearing_at"), _text(p, "place")
    ),
    _A.HOLD_HEARING: _hold_hearing,
    _A.ISSUE_PERMIT: lambda app, actor, at, _p: app.issue_permit(actor, at, f"PRM-{_suffix(app)}"),
    _A.REFUSE: lambda app, actor, at, p: app.refuse(
        actor, at, f"REF-{_suffix(app)}", _grounds(p), _text(p, "motivation")
    ),
    _A.WITHDRAW: lambda app, actor, at, p: app.withdraw(
        actor, at, _text(p, "reason", required=False)
    ),
}


def _grounds(params: dict[str, Any]) -> list[int]:
    grounds = params.get("grounds")
    if not isinstance(grounds, list) or not all(
        isinstance(g, int) and not isinstance(g, bool) for g in grounds
    ):
        raise InvalidInputError("invalid_decision", "grounds: a list of App.1 §10 item numbers")
    return grounds


def _text(params: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = params.get(key, None if required else "")
    if not isinstance(value, str):
        raise InvalidInputError("invalid_decision", f"{key}: a string is required")
    return value


def _moment(params: dict[str, Any], key: str) -> datetime:
    value = _text(params, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidInputError("invalid_decision", f"{key}: an ISO moment with its UTC offset")
    return moment


def _document_bytes(event: ApplicationEvent) -> bytes:
    if isinstance(event, PermitIssued):
        return canonical_bytes(event.permit.to_canonical_dict())
    if isinstance(event, PermitRefused):
        return canonical_bytes(event.refusal.to_canonical_dict())
    if isinstance(event, FurtherConsiderationRefused):
        return canonical_bytes(event.notice.to_canonical_dict())
    raise AssertionError(f"{type(event).__name__} carries no document")


def _store_document(
    uow: UnitOfWork,
    application: Application,
    event: ApplicationEvent,
    signed: SignedContent,
    cms: bytes,
    now: datetime,
) -> str:
    expected = _document_bytes(event)
    if signed.content != expected:
        raise ConflictError(
            "document_mismatch",
            "the signed document differs from the one the service would issue now "
            "(another day, signer or number); request a fresh draft and sign it",
        )
    number = str(json.loads(expected)["number"])
    uow.documents.add(
        IssuedDocument(
            number=number,
            application_number=application.number,
            kind=event_kind(event),
            issued_at=now,
            recipient_id=application.form.applicant_identifier,
            content=expected,
            signature=cms,
            signer_iin=signed.principal.iin,
            sha256=hashlib.sha256(expected).hexdigest(),
        )
    )
    return number


def _enter_registry(uow: UnitOfWork, event: PermitIssued, now: datetime) -> None:
    """Rules §11: the permit enters the public state registry at issue."""
    permit = event.permit
    year = to_almaty(now).year
    registry_number = f"REG-{year}-{uow.numbers.next(f'registry-{year}'):06d}"
    uow.registry.add(
        RegistryEntry(
            registry_number=registry_number,
            permit_number=permit.number,
            application_number=permit.application_number,
            holder_name=permit.recipient.name,
            holder_iin_bin=permit.recipient.iin_or_bin,
            platform_name=permit.platform_name,
            purpose=permit.purpose,
            addresses=tuple(address.one_line() for address in permit.activity_addresses),
            issued_on=permit.issue_date,
            valid_until=permit.valid_until,
        )
    )
