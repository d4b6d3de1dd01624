"""Changes to the Rules (§12): the e-gov operator and the contact centre are told in 3 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from kepil.domain.auth import Principal
from kepil.domain.calendar import to_almaty
from kepil.domain.permits import (
    NotificationRecipient,
    NotificationTask,
    PermitRole,
    RuleVersion,
    notification_tasks,
)
from kepil.services.errors import ConflictError, InvalidInputError, NotFoundError
from kepil.services.messagebus import Command
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.context import PermitContext
from kepil.services.permits.officials import READING_ROLES, actor_for
from kepil.services.permits.ports import AlreadyStored
from kepil.services.unit_of_work import UnitOfWork

RECORDERS = frozenset({PermitRole.HEAD})
# The office dispatches outgoing letters; the head may confirm a notice went out too.
SENDERS = frozenset({PermitRole.HEAD, PermitRole.CLERK})
MAX_IDENTIFIER = 64
MAX_SUMMARY = 4_000


@dataclass(frozen=True, slots=True)
class RecordRuleChange(Command[RuleChange]):
    """Record an adopted version of the Rules; its two notices fall due in 3 working days."""

    principal: Principal
    identifier: str
    adopted_on: date
    effective_on: date
    summary: str


@dataclass(frozen=True, slots=True)
class MarkNoticeSent(Command[RuleChange]):
    """Confirm that the notice of a change went out to one recipient."""

    principal: Principal
    change_id: str
    recipient: NotificationRecipient


@dataclass(frozen=True, slots=True)
class OverdueNotice:
    """A notice of §12 not sent by its deadline."""

    change_id: str
    task: NotificationTask


def record_rule_change(
    command: RecordRuleChange, uow: UnitOfWork, context: PermitContext
) -> RuleChange:
    """Store the version with a notification task per recipient of §12."""
    now = context.clock.now()
    identifier, summary = command.identifier.strip(), command.summary.strip()
    if not identifier or len(identifier) > MAX_IDENTIFIER:
        raise InvalidInputError(
            "invalid_identifier", f"identifier: 1 to {MAX_IDENTIFIER} characters"
        )
    if not summary or len(summary) > MAX_SUMMARY:
        raise InvalidInputError("invalid_summary", f"summary: 1 to {MAX_SUMMARY} characters")
    if command.adopted_on > to_almaty(now).date():
        raise InvalidInputError("adopted_in_future", "a change is recorded once it is adopted")
    if command.effective_on < command.adopted_on:
        raise InvalidInputError(
            "effective_before_adoption", "a change cannot take effect before it is adopted"
        )
    with uow:
        actor = actor_for(command.principal, RECORDERS, uow, now)
        if uow.rule_changes.exists(identifier):
            raise ConflictError("rule_version_exists", f"{identifier} is recorded already")
        year = to_almaty(now).year
        change_id = f"RCH-{year}-{uow.numbers.next(f'rule-change-{year}'):06d}"
        version = RuleVersion(identifier, command.adopted_on, command.effective_on, summary)
        change = RuleChange(
            id=change_id,
            version=version,
            recorded_at=now,
            recorded_by=actor.iin,
            tasks=notification_tasks(version, context.calendar),
        )
        try:
            uow.rule_changes.add(change)
        except AlreadyStored:
            # Another head recorded the same version while we did: the same answer as above.
            raise ConflictError(
                "rule_version_exists", f"{identifier} is recorded already"
            ) from None
        uow.commit()
        return change


def mark_notice_sent(
    command: MarkNoticeSent, uow: UnitOfWork, context: PermitContext
) -> RuleChange:
    """Record the sending; confirming it again keeps the first moment."""
    now = context.clock.now()
    with uow:
        actor = actor_for(command.principal, SENDERS, uow, now)
        found = uow.rule_changes.get(command.change_id)
        if found is None:
            raise NotFoundError("rule_change_not_found", f"no rule change {command.change_id}")
        uow.rule_changes.mark_sent(command.change_id, command.recipient, now, actor.iin)
        change = uow.rule_changes.get(command.change_id) or found
        uow.commit()
        return change


def list_rule_changes(
    principal: Principal, limit: int, offset: int, uow: UnitOfWork
) -> tuple[list[RuleChange], int]:
    """A page of versions with their notices, for the Ministry's officials."""
    with uow:
        actor_for(principal, READING_ROLES, uow)
        return uow.rule_changes.page(limit, offset)


def overdue_notices(
    principal: Principal, uow: UnitOfWork, context: PermitContext
) -> list[OverdueNotice]:
    """Notices still unsent after their deadline, oldest deadline first."""
    now = context.clock.now()
    with uow:
        actor_for(principal, READING_ROLES, uow)
        return [OverdueNotice(cid, task) for cid, task in uow.rule_changes.overdue(now)]
