"""`/api/v1/rule-changes`: versions of the Rules and the notices of §12 they owe."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kepil.domain.permits import NotificationRecipient
from kepil.entrypoints.api.bounds import Offset
from kepil.entrypoints.api.dependencies import BusDep, SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.schemas.rule_changes import (
    RuleChangeIn,
    RuleChangeOut,
    RuleChangePageOut,
)
from kepil.services.permits.rule_changes import MarkNoticeSent, RecordRuleChange

router = APIRouter(prefix="/api/v1/rule-changes", tags=["rule changes"])

MAX_PAGE_SIZE = 100


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {status: {"model": ErrorResponse} for status in statuses}


@router.post(
    "", response_model=RuleChangeOut, status_code=201, responses=_errors(401, 403, 409, 422)
)
def record(
    body: RuleChangeIn, signed_in: SessionDep, bus: BusDep, views: ViewsDep
) -> RuleChangeOut:
    """Record a version (the head only); its two notices are created at once."""
    command = RecordRuleChange(
        signed_in.principal, body.identifier, body.adopted_on, body.effective_on, body.summary
    )
    view = views.rule_change(bus.handle(command))
    return RuleChangeOut.model_validate(view, from_attributes=True)


@router.get("", response_model=RuleChangePageOut, responses=_errors(401, 403))
def list_changes(
    signed_in: SessionDep,
    views: ViewsDep,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
    offset: Offset = 0,
) -> RuleChangePageOut:
    """Versions with their notices, for officials; `overdue` lists every unsent late notice."""
    page = views.rule_changes(signed_in.principal, limit, offset)
    return RuleChangePageOut.model_validate(page, from_attributes=True)


@router.post(
    "/{change_id}/tasks/{recipient}/sent",
    response_model=RuleChangeOut,
    responses=_errors(401, 403, 404, 422),
)
def mark_sent(
    change_id: str,
    recipient: NotificationRecipient,
    signed_in: SessionDep,
    bus: BusDep,
    views: ViewsDep,
) -> RuleChangeOut:
    """Confirm the notice went out (clerk or head); confirming again keeps the first moment."""
    changed = bus.handle(MarkNoticeSent(signed_in.principal, change_id, recipient))
    return RuleChangeOut.model_validate(views.rule_change(changed), from_attributes=True)
