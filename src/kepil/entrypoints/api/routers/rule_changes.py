"""`/api/v1/rule-changes`: versions of the Rules and the notices of §12 they owe."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from kepil.domain.permits import NotificationRecipient, NotificationTask
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.services.permits import rule_changes
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.rule_changes import MAX_IDENTIFIER, MAX_SUMMARY, OverdueNotice

router = APIRouter(prefix="/api/v1/rule-changes", tags=["rule changes"])

MAX_PAGE_SIZE = 100


class RuleChangeIn(BaseModel):
    """An adopted version of the Rules."""

    identifier: str = Field(min_length=1, max_length=MAX_IDENTIFIER, examples=["130/НҚ-2026-1"])
    adopted_on: date
    effective_on: date
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY)


class NoticeOut(BaseModel):
    """A notice owed to one recipient, due 3 working days after adoption."""

    recipient: NotificationRecipient
    due: datetime
    sent_at: datetime | None
    sent_late: bool
    overdue: bool


class RuleChangeOut(BaseModel):
    """A recorded version and its notices."""

    id: str
    identifier: str
    adopted_on: date
    effective_on: date
    summary: str
    recorded_at: datetime
    recorded_by: str
    tasks: list[NoticeOut]


class OverdueNoticeOut(BaseModel):
    """A notice not sent by its deadline."""

    change_id: str
    identifier: str
    recipient: NotificationRecipient
    due: datetime


class RuleChangePageOut(BaseModel):
    """A page of versions, the count of all, and every notice now overdue."""

    items: list[RuleChangeOut]
    total: int
    limit: int
    offset: int
    overdue: list[OverdueNoticeOut]


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse} for status in statuses}


@router.post(
    "", response_model=RuleChangeOut, status_code=201, responses=_errors(401, 403, 409, 422)
)
def record(body: RuleChangeIn, signed_in: SessionDep, app: ContainerDep) -> RuleChangeOut:
    """Record a version (the head only); its two notices are created at once."""
    command = rule_changes.RecordRuleChange(
        signed_in[1].principal, body.identifier, body.adopted_on, body.effective_on, body.summary
    )
    return _out(rule_changes.record_rule_change(command, app.uow(), app.permits), app.clock.now())


@router.get("", response_model=RuleChangePageOut, responses=_errors(401, 403))
def list_changes(
    signed_in: SessionDep,
    app: ContainerDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> RuleChangePageOut:
    """Versions with their notices, for officials; `overdue` lists every unsent late notice."""
    principal = signed_in[1].principal
    found, total = rule_changes.list_rule_changes(principal, limit, offset, app.uow())
    late = rule_changes.overdue_notices(principal, app.uow(), app.permits)
    return RuleChangePageOut(
        items=[_out(change, app.clock.now()) for change in found],
        total=total,
        limit=limit,
        offset=offset,
        overdue=[_overdue(notice) for notice in late],
    )


@router.post(
    "/{change_id}/tasks/{recipient}/sent",
    response_model=RuleChangeOut,
    responses=_errors(401, 403, 404, 422),
)
def mark_sent(
    change_id: str, recipient: NotificationRecipient, signed_in: SessionDep, app: ContainerDep
) -> RuleChangeOut:
    """Confirm the notice went out (clerk or head); confirming again keeps the first moment."""
    command = rule_changes.MarkNoticeSent(signed_in[1].principal, change_id, recipient)
    return _out(rule_changes.mark_notice_sent(command, app.uow(), app.permits), app.clock.now())


def _notice(task: NotificationTask, now: datetime) -> NoticeOut:
    return NoticeOut(
        recipient=task.recipient,
        due=task.due,
        sent_at=task.sent_at,
        sent_late=task.sent_late,
        overdue=task.is_overdue(now),
    )


def _out(change: RuleChange, now: datetime) -> RuleChangeOut:
    version = change.version
    return RuleChangeOut(
        id=change.id,
        identifier=version.identifier,
        adopted_on=version.adopted_on,
        effective_on=version.effective_on,
        summary=version.summary,
        recorded_at=change.recorded_at,
        recorded_by=change.recorded_by,
        tasks=[_notice(task, now) for task in change.tasks],
    )


def _overdue(notice: OverdueNotice) -> OverdueNoticeOut:
    return OverdueNoticeOut(
        change_id=notice.change_id,
        identifier=notice.task.rule_version,
        recipient=notice.task.recipient,
        due=notice.task.due,
    )
