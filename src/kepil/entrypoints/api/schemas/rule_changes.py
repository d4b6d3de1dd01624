"""Versions of the Rules and their notices (§12)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from kepil.domain.permits import NotificationRecipient
from kepil.entrypoints.api.schemas.base import AlmatyModel
from kepil.services.permits.rule_changes import MAX_IDENTIFIER, MAX_SUMMARY


class RuleChangeIn(BaseModel):
    """An adopted version of the Rules."""

    identifier: str = Field(min_length=1, max_length=MAX_IDENTIFIER, examples=["130/НҚ-2026-1"])
    adopted_on: date
    effective_on: date
    summary: str = Field(min_length=1, max_length=MAX_SUMMARY)


class NoticeOut(AlmatyModel):
    """A notice owed to one recipient, due 3 working days after adoption."""

    recipient: NotificationRecipient
    due: datetime
    sent_at: datetime | None
    sent_late: bool
    overdue: bool


class RuleChangeOut(AlmatyModel):
    """A recorded version and its notices."""

    id: str
    identifier: str
    adopted_on: date
    effective_on: date
    summary: str
    recorded_at: datetime
    recorded_by: str
    tasks: list[NoticeOut]


class OverdueNoticeOut(AlmatyModel):
    """A notice not sent by its deadline."""

    change_id: str
    identifier: str
    recipient: NotificationRecipient
    due: datetime


class RuleChangePageOut(AlmatyModel):
    """A page of versions, the count of all, and every notice now overdue."""

    items: list[RuleChangeOut]
    total: int
    limit: int
    offset: int
    overdue: list[OverdueNoticeOut]
