"""Views of the Rules' versions and the §12 notices they owe, judged at the moment read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.permits import NotificationRecipient
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.rule_changes import OverdueNotice


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice owed to one recipient, due 3 working days after adoption."""

    recipient: NotificationRecipient
    due: datetime
    sent_at: datetime | None
    sent_late: bool
    overdue: bool


@dataclass(frozen=True, slots=True)
class RuleChangeView:
    """A recorded version and its notices."""

    id: str
    identifier: str
    adopted_on: date
    effective_on: date
    summary: str
    recorded_at: datetime
    recorded_by: str
    tasks: list[NoticeView]


@dataclass(frozen=True, slots=True)
class OverdueNoticeView:
    """A notice not sent by its deadline."""

    change_id: str
    identifier: str
    recipient: NotificationRecipient
    due: datetime


@dataclass(frozen=True, slots=True)
class RuleChangePage:
    """A page of versions, the count of all, and every notice now overdue."""

    items: list[RuleChangeView]
    total: int
    limit: int
    offset: int
    overdue: list[OverdueNoticeView]


def rule_change_view(change: RuleChange, now: datetime) -> RuleChangeView:
    """The version with each notice's state at `now`."""
    version = change.version
    return RuleChangeView(
        id=change.id,
        identifier=version.identifier,
        adopted_on=version.adopted_on,
        effective_on=version.effective_on,
        summary=version.summary,
        recorded_at=change.recorded_at,
        recorded_by=change.recorded_by,
        tasks=[
            NoticeView(task.recipient, task.due, task.sent_at, task.sent_late, task.is_overdue(now))
            for task in change.tasks
        ],
    )


def overdue_view(notice: OverdueNotice) -> OverdueNoticeView:
    """An unsent late notice."""
    task = notice.task
    return OverdueNoticeView(notice.change_id, task.rule_version, task.recipient, task.due)
