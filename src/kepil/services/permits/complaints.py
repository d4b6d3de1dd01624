"""Complaints against the provider (Rules §13-§15): filed, registered, settled, all EDS-signed."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, TypeVar

from kepil.domain.auth import Principal
from kepil.domain.calendar import to_almaty
from kepil.domain.permits import (
    Actor,
    Complaint,
    ComplaintAction,
    ComplaintSubject,
    FiledWith,
    PermitRole,
)
from kepil.domain.permits.complaints import TRANSITIONS
from kepil.domain.permits.deadlines import registration_due
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.complaint_ports import ComplaintRecord, StoredComplaint
from kepil.services.permits.context import PermitContext
from kepil.services.permits.events import ComplaintStepRecorded
from kepil.services.permits.officials import actor_for, may_see, require_signing_right
from kepil.services.permits.ports import AlreadyStored
from kepil.services.permits.signed_acts import json_object, use_act, verify_act
from kepil.services.unit_of_work import UnitOfWork

_E = TypeVar("_E", ComplaintSubject, FiledWith)
REGISTER = "register"
MAX_TEXT = 20_000
# Who registers an arriving complaint: the Ministry's office, or the agency's own reviewers.
REGISTRARS = {
    FiledWith.PROVIDER: frozenset({PermitRole.CLERK}),
    FiledWith.QUALITY_CONTROL_AGENCY: frozenset({PermitRole.COMPLAINT_REVIEWER}),
}


@dataclass(frozen=True, slots=True)
class Filing:
    """The complaint's number; `created` is False when the same signed complaint came again."""

    number: str
    created: bool


@dataclass(frozen=True, slots=True)
class FileComplaint(Command[Filing]):
    """File a complaint the applicant signed against a decision, action or inaction (§13)."""

    principal: Principal
    signed_complaint: bytes


@dataclass(frozen=True, slots=True)
class ComplaintDecision:
    """What a step did: the new status, the history line it wrote."""

    number: str
    status: str
    event: str
    late: bool


@dataclass(frozen=True, slots=True)
class DecideOnComplaint(Command[ComplaintDecision]):
    """Apply a step the caller signed: register, satisfy, forward, uphold or reject."""

    principal: Principal
    complaint_number: str
    signed_decision: bytes


def file_complaint(command: FileComplaint, uow: UnitOfWork, context: PermitContext) -> Filing:
    """Verify the complainant's signature, check the application is theirs, register arrival."""
    now = context.clock.now()
    act = verify_act(
        command.signed_complaint,
        command.principal,
        context.verifier,
        now,
        read_complaint,
        "document",
    )
    filed_text = act.payload
    application_number, subject = filed_text.application_number, filed_text.subject
    complainant = Actor.from_principal(act.signer, PermitRole.APPLICANT)
    with uow:
        known = uow.complaints.find_by_signature(_sha256(command.signed_complaint))
        if known is not None:
            return Filing(known, created=False)
        application = uow.applications.get(application_number)
        # Only the applicant may complain about its case; anyone else learns nothing of it.
        applicant_id = application.application.form.applicant_identifier if application else ""
        if application is None or not complainant.identifies(applicant_id):
            raise NotFoundError("application_not_found", f"no application {application_number}")
        require_signing_right(act.signer, applicant_id)
        year = to_almaty(now).year
        number = f"CMP-{year}-{uow.numbers.next(f'complaint-{year}'):06d}"
        complaint = Complaint(
            number,
            applicant_id,
            subject,
            filed_text.filed_with,
            now,
            context.calendar,
            application_number,
        )
        stored = StoredComplaint(
            complaint,
            complainant.iin,
            complainant.name,
            filed_text.target,
            filed_text.text,
            command.signed_complaint,
            version=1,
        )
        try:
            uow.complaints.add(stored)
        except AlreadyStored:
            # The same signed complaint came twice at once and the twin committed first.
            twin = uow.complaints.find_by_signature(_sha256(command.signed_complaint))
            return Filing(twin or number, created=False)
        filed = _line("complaint_filed", "received", complainant, now, None, False, "", complaint)
        uow.complaints.record(number, [filed], command.signed_complaint)
        use_act(uow, act, "complaint", number, now)
        uow.emit(ComplaintStepRecorded(complaint, filed))
        uow.commit()
        return Filing(number, created=True)


def decide_on_complaint(
    command: DecideOnComplaint, uow: UnitOfWork, context: PermitContext
) -> ComplaintDecision:
    """Verify the official's signature and apply the signed step within the complaint's terms."""
    now = context.clock.now()
    act = verify_act(
        command.signed_decision,
        command.principal,
        context.verifier,
        now,
        read_complaint_step,
        "document",
    )
    step, signer = act.payload, act.signer
    if step.complaint_number != command.complaint_number:
        raise InvalidInputError(
            "decision_for_another_complaint",
            f"the signed decision is about {step.complaint_number!r}, "
            f"not {command.complaint_number}",
        )
    decision = step.decision()
    with uow:
        stored = uow.complaints.get(command.complaint_number)
        # A complaint one may not see answers exactly as a missing one.
        if stored is None or not may_see(signer, stored.complaint.complainant, uow):
            raise NotFoundError("complaint_not_found", f"no complaint {command.complaint_number}")
        if step.registers:
            stored, line = _register(stored, signer, uow, context, now)
        else:
            line = _settle(stored, step.action(), decision, signer, uow, now)
        uow.complaints.save(stored, stored.version)
        uow.complaints.record(stored.complaint.number, [line], command.signed_decision)
        use_act(uow, act, "decision", f"{stored.complaint.number} {line.kind}", now)
        uow.emit(ComplaintStepRecorded(stored.complaint, line))
        uow.commit()
        return ComplaintDecision(stored.complaint.number, line.status, line.kind, line.late)


def _register(
    stored: StoredComplaint,
    principal: Principal,
    uow: UnitOfWork,
    context: PermitContext,
    now: datetime,
) -> tuple[StoredComplaint, ComplaintRecord]:
    complaint = stored.complaint
    actor = actor_for(principal, REGISTRARS[complaint.filed_with], uow, now)
    if stored.registered_at is not None:
        raise ConflictError(
            "already_registered", f"complaint {complaint.number} was registered already"
        )
    # Registered the day it arrives, like an application (§5, App.1 §8).
    due = registration_due(context.calendar, complaint.received_at)
    line = _line("complaint_registered", "registered", actor, now, due, now > due, "", complaint)
    return replace(stored, registered_at=now, registered_by=actor.iin), line


def _settle(
    stored: StoredComplaint,
    action: ComplaintAction,
    decision: str,
    principal: Principal,
    uow: UnitOfWork,
    now: datetime,
) -> ComplaintRecord:
    complaint = stored.complaint
    declared = TRANSITIONS.get((complaint.status, action, complaint.filed_with))
    # An undeclared move is refused by the aggregate with the state named; any role will do.
    roles = declared[1] if declared else _roles_of(action)
    actor = actor_for(principal, roles, uow, now)
    if stored.registered_at is None:
        raise ConflictError(
            "complaint_not_registered", f"complaint {complaint.number} is not registered yet"
        )
    if declared is not None and action is not ComplaintAction.FORWARD and not decision.strip():
        raise InvalidInputError("decision_required", f"{action}: state the decision taken")
    steps = {
        ComplaintAction.SATISFY: complaint.satisfy,
        ComplaintAction.UPHOLD: complaint.uphold,
        ComplaintAction.REJECT: complaint.reject,
    }
    event = (
        complaint.forward(actor, now)
        if action is ComplaintAction.FORWARD
        else steps[action](actor, now, decision)
    )
    return _line(
        f"complaint_{event.status}",
        str(event.status),
        actor,
        now,
        event.stage_deadline,
        event.late,
        event.decision,
        complaint,
    )


def _roles_of(action: ComplaintAction) -> frozenset[PermitRole]:
    return frozenset().union(
        *(roles for (_, a, _), (_, roles) in TRANSITIONS.items() if a is action)
    )


def _line(
    kind: str,
    status: str,
    actor: Actor,
    at: datetime,
    due: datetime | None,
    late: bool,
    decision: str,
    complaint: Complaint,
) -> ComplaintRecord:
    return ComplaintRecord(
        kind=kind,
        at=at,
        status=status,
        actor_role=str(actor.role),
        actor_name=actor.name,
        actor_iin=actor.iin,
        stage_deadline=due,
        late=late,
        decision=decision,
        # §15: once the reviewing body has decided, the way to court is open.
        details={"pre_trial_appeal_exhausted": complaint.pre_trial_appeal_exhausted},
    )


@dataclass(frozen=True, slots=True)
class ComplaintText:
    """What a signed complaint says (§13)."""

    application_number: str
    subject: ComplaintSubject
    filed_with: FiledWith
    target: str
    text: str


@dataclass(frozen=True, slots=True)
class ComplaintStep:
    """A signed step on a complaint as read: a JSON object, whose parts are checked in the order
    the service answers (the complaint named, the decision text, the complaint, the action)."""

    payload: dict[str, Any]

    @property
    def complaint_number(self) -> object:
        """The complaint the signer named (any JSON value: compared, then quoted if wrong)."""
        return self.payload.get("complaint_number")

    @property
    def registers(self) -> bool:
        """Whether the step registers the complaint."""
        return self.payload.get("action") == REGISTER

    def decision(self) -> str:
        """The decision taken, in words (may be empty for registering and forwarding)."""
        decision = self.payload.get("decision", "")
        if not isinstance(decision, str) or len(decision) > MAX_TEXT:
            raise InvalidInputError(
                "invalid_decision", f"decision: a string of <= {MAX_TEXT} chars"
            )
        return decision

    def action(self) -> ComplaintAction:
        """The settling action: satisfy, forward, uphold or reject."""
        return _action(self.payload)


def read_complaint(content: bytes) -> ComplaintText:
    """The signed bytes as a complaint, or InvalidInputError naming the field."""
    payload = json_object(content, "invalid_complaint")
    return ComplaintText(
        application_number=_text(payload, "application_number", "invalid_complaint", limit=32),
        subject=_choice(payload, "subject", ComplaintSubject),
        filed_with=_choice(payload, "filed_with", FiledWith),
        target=_text(payload, "target", "invalid_complaint", limit=1_000),
        text=_text(payload, "text", "invalid_complaint", limit=MAX_TEXT),
    )


def read_complaint_step(content: bytes) -> ComplaintStep:
    """The signed bytes as a step on a complaint: a JSON object, or InvalidInputError."""
    return ComplaintStep(json_object(content, "invalid_decision"))


def _text(payload: dict[str, Any], key: str, code: str, *, limit: int) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise InvalidInputError(code, f"{key}: a non-empty string of at most {limit} characters")
    return value.strip()


def _choice(payload: dict[str, Any], key: str, kind: type[_E]) -> _E:
    try:
        return kind(str(payload.get(key)))
    except ValueError:
        allowed = ", ".join(str(member) for member in kind)
        raise InvalidInputError("invalid_complaint", f"{key}: one of {allowed}") from None


def _action(payload: dict[str, Any]) -> ComplaintAction:
    try:
        return ComplaintAction(str(payload.get("action")))
    except ValueError:
        allowed = ", ".join([REGISTER, *(str(a) for a in ComplaintAction)])
        raise InvalidInputError("unknown_action", f"action must be one of {allowed}") from None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
