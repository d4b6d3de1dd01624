"""Views of the Rules' versions and the §12 notices they owe, judged at the moment read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.permits import NotificationRecipient
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.rule_changes import RECORDERS, SENDERS, OverdueNotice
from kepil.services.permits.views.viewer import Viewer


@dataclass(frozen=True, slots=True)
class NoticeView:
    """A notice owed to one recipient, due 3 working days after adoption."""

    recipient: NotificationRecipient
    due: datetime
    sent_at: datetime | None
    sent_late: bool
    overdue: bool
    sent_by: str | None = None
    """The IIN of the official who confirmed the sending."""
    sent_by_name: str = ""


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
    recorded_by_name: str = ""


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


def rule_change_view(
    change: RuleChange, now: datetime, names: Mapping[str, str] | None = None
) -> RuleChangeView:
    """The version with each notice's state at `now`; `names` (IIN -> name, from the staff
    table) says who recorded it and who confirmed each sending."""
    version = change.version
    names = names or {}
    return RuleChangeView(
        id=change.id,
        identifier=version.identifier,
        adopted_on=version.adopted_on,
        effective_on=version.effective_on,
        summary=version.summary,
        recorded_at=change.recorded_at,
        recorded_by=change.recorded_by,
        tasks=[
            NoticeView(
                task.recipient,
                task.due,
                task.sent_at,
                task.sent_late,
                task.is_overdue(now),
                task.sent_by,
                names.get(task.sent_by or "", ""),
            )
            for task in change.tasks
        ],
        recorded_by_name=names.get(change.recorded_by, ""),
    )


def overdue_view(notice: OverdueNotice) -> OverdueNoticeView:
    """An unsent late notice."""
    task = notice.task
    return OverdueNoticeView(notice.change_id, task.rule_version, task.recipient, task.due)


@dataclass(frozen=True, slots=True)
class RuleChangeDuties:
    """What the reader's duties allow on the page of rule changes (as the commands require)."""

    may_read: bool
    may_record: bool
    may_mark_sent: bool


def rule_change_duties(who: Viewer) -> RuleChangeDuties:
    """Reading is for every Ministry duty; recording for the head; confirming a sending for
    the office or the head (services/permits/rule_changes.py)."""
    return RuleChangeDuties(
        may_read=who.is_official,
        may_record=bool(who.roles & RECORDERS),
        may_mark_sent=bool(who.roles & SENDERS),
    )
