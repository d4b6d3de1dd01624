"""Notices of changes to the Rules to the e-gov operator and the contact centre (Rules §12)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from kepil.domain.calendar import WorkingCalendar

NOTIFICATION_DAYS: Final = 3  # Rules §12


class NotificationRecipient(StrEnum):
    """Who must learn of a change to the Rules (§12)."""

    EGOV_INFRASTRUCTURE_OPERATOR = "egov_infrastructure_operator"
    UNIFIED_CONTACT_CENTRE = "unified_contact_centre"


@dataclass(frozen=True, slots=True)
class RuleVersion:
    """A version of the Rules: when it was adopted, when it takes effect, what changed."""

    identifier: str
    adopted_on: date
    effective_on: date
    summary: str


@dataclass(frozen=True, slots=True)
class NotificationTask:
    """One notice owed under §12, due 3 working days after the change was adopted."""

    rule_version: str
    recipient: NotificationRecipient
    due: datetime
    sent_at: datetime | None = None
    sent_by: str | None = None
    """The IIN of the official who confirmed the sending."""

    def mark_sent(self, at: datetime, by: str | None = None) -> NotificationTask:
        """The same task, sent at the moment (a second sending keeps the first moment)."""
        if self.sent_at is not None:
            return self
        return replace(self, sent_at=at, sent_by=by)

    @property
    def sent_late(self) -> bool:
        """Whether the notice went out after its deadline."""
        return self.sent_at is not None and self.sent_at > self.due

    def is_overdue(self, now: datetime) -> bool:
        """Whether the notice was not sent by its deadline, judged at `now`."""
        reference = self.sent_at if self.sent_at is not None else now
        return reference > self.due


def notification_tasks(
    version: RuleVersion, calendar: WorkingCalendar
) -> tuple[NotificationTask, ...]:
    """The two notices a change to the Rules creates, one per recipient of §12."""
    # §12 counts from «внесение изменений»: the day the change is adopted, not when it takes
    # effect, since the portal and the contact centre must be ready before it does.
    due = calendar.deadline(version.adopted_on, NOTIFICATION_DAYS)
    return tuple(
        NotificationTask(version.identifier, recipient, due) for recipient in NotificationRecipient
    )
