"""Changes to the Rules and their notices of §12 in SQL, within the unit of work's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, insert, select, update

from kepil.adapters.db.complaint_tables import rule_change_notices, rule_changes
from kepil.adapters.db.permit_repositories import insert_once
from kepil.domain.permits import NotificationRecipient, NotificationTask, RuleVersion
from kepil.services.permits.complaint_ports import RuleChange
from kepil.services.permits.ports import AlreadyStored


class SqlRuleChangeRepository:
    """Versions of the Rules and the notices of §12 each one owes."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def add(self, change: RuleChange) -> None:
        """Store the version and its tasks; AlreadyStored if the identifier is taken (by a
        twin recorded meanwhile, whose check ran beside ours)."""
        version = change.version
        row = {
            "id": change.id,
            "identifier": version.identifier,
            "adopted_on": version.adopted_on,
            "effective_on": version.effective_on,
            "summary": version.summary,
            "recorded_at": change.recorded_at,
            "recorded_by": change.recorded_by,
        }
        if not insert_once(self._connection, rule_changes, row):
            raise AlreadyStored(f"rule version {version.identifier}")
        self._connection.execute(
            insert(rule_change_notices),
            [
                {
                    "rule_change_id": change.id,
                    "recipient": str(task.recipient),
                    "due": task.due,
                    "sent_at": task.sent_at,
                }
                for task in change.tasks
            ],
        )

    def get(self, change_id: str) -> RuleChange | None:
        """The change with its tasks."""
        row = self._connection.execute(
            select(rule_changes).where(rule_changes.c.id == change_id)
        ).first()
        return self._change(row) if row is not None else None

    def exists(self, identifier: str) -> bool:
        """Whether the identifier is taken."""
        found = self._connection.execute(
            select(rule_changes.c.id).where(rule_changes.c.identifier == identifier)
        ).first()
        return found is not None

    def mark_sent(
        self, change_id: str, recipient: NotificationRecipient, at: datetime, by: str
    ) -> bool:
        """Set the sending moment once; a second sending keeps the first (as the domain does)."""
        changed = self._connection.execute(
            update(rule_change_notices)
            .where(
                and_(
                    rule_change_notices.c.rule_change_id == change_id,
                    rule_change_notices.c.recipient == str(recipient),
                    rule_change_notices.c.sent_at.is_(None),
                )
            )
            .values(sent_at=at, sent_by=by)
        ).rowcount
        return changed == 1

    def page(self, limit: int, offset: int) -> tuple[list[RuleChange], int]:
        """Newest adoption first."""
        total = self._connection.execute(
            select(func.count()).select_from(rule_changes)
        ).scalar_one()
        rows = self._connection.execute(
            select(rule_changes)
            .order_by(rule_changes.c.adopted_on.desc(), rule_changes.c.id.desc())
            .limit(limit)
            .offset(offset)
        )
        return [self._change(row) for row in rows], int(total)

    def overdue(self, now: datetime) -> list[tuple[str, NotificationTask]]:
        """Unsent notices past their deadline; those sent late show in the change itself."""
        rows = self._connection.execute(
            select(rule_change_notices, rule_changes.c.identifier)
            .join(rule_changes, rule_changes.c.id == rule_change_notices.c.rule_change_id)
            .where(and_(rule_change_notices.c.sent_at.is_(None), rule_change_notices.c.due < now))
            .order_by(rule_change_notices.c.due, rule_change_notices.c.rule_change_id)
        )
        return [(row.rule_change_id, _task(row.identifier, row)) for row in rows]

    def _change(self, row: Row[Any]) -> RuleChange:
        notices = self._connection.execute(
            select(rule_change_notices)
            .where(rule_change_notices.c.rule_change_id == row.id)
            .order_by(rule_change_notices.c.recipient)
        )
        return RuleChange(
            id=row.id,
            version=RuleVersion(row.identifier, row.adopted_on, row.effective_on, row.summary),
            recorded_at=row.recorded_at,
            recorded_by=row.recorded_by,
            tasks=tuple(_task(row.identifier, notice) for notice in notices),
        )


def _task(identifier: str, row: Row[Any]) -> NotificationTask:
    return NotificationTask(
        identifier,
        NotificationRecipient(row.recipient),
        row.due,
        sent_at=row.sent_at,
        sent_by=row.sent_by,
    )
