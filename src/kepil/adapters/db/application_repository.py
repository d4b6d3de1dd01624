"""Applications in SQL: the aggregate's state, its history, deadlines and attachments."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    and_,
    case,
    func,
    insert,
    select,
    update,
)

from kepil.adapters.db.paging import page
from kepil.adapters.db.permit_tables import (
    permit_application_events as events_t,
)
from kepil.adapters.db.permit_tables import (
    permit_applications as apps_t,
)
from kepil.adapters.db.permit_tables import (
    permit_attachments as files_t,
)
from kepil.adapters.db.permit_tables import (
    permit_stage_deadlines as deadlines_t,
)
from kepil.adapters.db.types import json_text
from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits import (
    Application,
    ApplicationEvent,
    ApplicationStatus,
    Stage,
    StageBook,
    StageDeadline,
    StageOutcome,
)
from kepil.domain.permits.codec import (
    EventRecord,
    clearances_from_list,
    clearances_to_list,
    event_record,
    form_from_dict,
    form_to_dict,
    reasons_from_dict,
    reasons_to_dict,
    schedule_from_dict,
    schedule_to_dict,
)
from kepil.services.errors import ConflictError
from kepil.services.permits.ports import (
    ApplicationSummary,
    OpenCase,
    OpenDeadline,
    SettledStage,
    StoredApplication,
    StoredFile,
)


class SqlApplicationRepository:
    """Reads and writes within the unit of work's transaction."""

    def __init__(self, connection: Connection, calendar: WorkingCalendar) -> None:
        self._connection = connection
        self._calendar = calendar

    def add(self, stored: StoredApplication, files: Sequence[StoredFile]) -> None:
        """Store a new application, its deadlines and its attachments."""
        application = stored.application
        self._connection.execute(
            insert(apps_t).values(
                number=application.number,
                applicant_id=application.form.applicant_identifier,
                applicant_name=application.form.applicant_name,
                platform_name=application.form.platform_name,
                form=json_text(form_to_dict(application.form)),
                schedule=json_text(schedule_to_dict(application.schedule)),
                received_at=application.schedule.received_at,
                registration_day=application.schedule.registration_day,
                state_facts=json_text(stored.state_facts),
                signed_form=stored.signed_form,
                version=stored.version,
                **self._state(application),
            )
        )
        self._save_deadlines(application)
        if files:
            self._connection.execute(
                insert(files_t),
                [
                    {
                        "application_number": application.number,
                        "sha256": f.sha256,
                        "kind": f.kind,
                        "file_name": f.file_name,
                        "media_type": f.media_type,
                        "size": len(f.content),
                        "content": f.content,
                    }
                    for f in files
                ],
            )

    def get(self, number: str) -> StoredApplication | None:
        """The application rebuilt from its stored state, or None."""
        row = self._connection.execute(select(apps_t).where(apps_t.c.number == number)).first()
        if row is None:
            return None
        deadlines = [
            StageDeadline(
                stage=Stage(d.stage),
                due=d.due,
                settled_at=d.settled_at,
                outcome=StageOutcome(d.outcome) if d.outcome else None,
            )
            for d in self._connection.execute(
                select(deadlines_t).where(deadlines_t.c.application_number == number)
            )
        ]
        application = Application.restore(
            row.number,
            form_from_dict(json.loads(row.form)),
            schedule_from_dict(json.loads(row.schedule)),
            self._calendar,
            status=ApplicationStatus(row.status),
            deadlines=StageBook(deadlines),
            preliminary_reasons=(
                reasons_from_dict(json.loads(row.preliminary_reasons))
                if row.preliminary_reasons
                else None
            ),
            hearing_at=row.hearing_at,
            last_event_at=row.last_event_at,
            hearing_moves=row.hearing_moves,
            ground_clearances=clearances_from_list(json.loads(row.ground_clearances)),
        )
        return StoredApplication(
            application, json.loads(row.state_facts), bytes(row.signed_form), row.version
        )

    def save(
        self,
        application: Application,
        expected_version: int,
        state_facts: dict[str, Any] | None = None,
    ) -> int:
        """Write the new state (and the state systems' answers, when given) if nobody changed
        it since it was read."""
        facts = {} if state_facts is None else {"state_facts": json_text(state_facts)}
        changed = self._connection.execute(
            update(apps_t)
            .where(
                and_(apps_t.c.number == application.number, apps_t.c.version == expected_version)
            )
            .values(version=expected_version + 1, **self._state(application), **facts)
        ).rowcount
        if changed != 1:
            raise ConflictError(
                "concurrent_change",
                f"application {application.number} was changed by someone else; reload it",
            )
        self._save_deadlines(application)
        return expected_version + 1

    def record_events(
        self, events: Sequence[ApplicationEvent], signature: bytes | None
    ) -> list[EventRecord]:
        """Append the events to the application's history."""
        records = [event_record(event) for event in events]
        for event, record in zip(events, records, strict=True):
            self._connection.execute(
                insert(events_t).values(
                    application_number=event.application_number,
                    kind=record.kind,
                    at=record.at,
                    status=record.status,
                    actor_role=record.actor_role,
                    actor_name=record.actor_name,
                    actor_iin=record.actor_iin,
                    stage_deadline=record.stage_deadline,
                    late=record.late,
                    details=json_text(record.details),
                    signature=signature,
                )
            )
        return records

    def history(self, number: str) -> list[EventRecord]:
        """Every event, oldest first."""
        rows = self._connection.execute(
            select(events_t).where(events_t.c.application_number == number).order_by(events_t.c.id)
        )
        return [_record(row) for row in rows]

    def summaries(
        self,
        *,
        applicant_ids: frozenset[str] | None,
        status: str | None,
        limit: int,
        offset: int,
    ) -> tuple[list[ApplicationSummary], int]:
        """A page of applications, newest first."""
        conditions: list[ColumnElement[bool]] = []
        if applicant_ids is not None:
            conditions.append(apps_t.c.applicant_id.in_(sorted(applicant_ids)))
        if status is not None:
            conditions.append(apps_t.c.status == status)
        rows, total = page(
            self._connection,
            apps_t,
            conditions,
            (apps_t.c.received_at.desc(), apps_t.c.number.desc()),
            limit,
            offset,
        )
        return [
            ApplicationSummary(
                number=row.number,
                applicant_id=row.applicant_id,
                applicant_name=row.applicant_name,
                platform_name=row.platform_name,
                status=row.status,
                received_at=row.received_at,
                last_event_at=row.last_event_at,
            )
            for row in rows
        ], total

    def attachment(self, number: str, sha256: str) -> StoredFile | None:
        """One attachment's bytes, or None."""
        row = self._connection.execute(
            select(files_t).where(
                and_(files_t.c.application_number == number, files_t.c.sha256 == sha256)
            )
        ).first()
        if row is None:
            return None
        return StoredFile(row.sha256, row.kind, row.file_name, row.media_type, bytes(row.content))

    def deadlines_of(self, numbers: Sequence[str]) -> dict[str, list[StageDeadline]]:
        """Every listed application's deadlines in one query, earliest due first."""
        found: dict[str, list[StageDeadline]] = defaultdict(list)
        if not numbers:
            return {}
        rows = self._connection.execute(
            select(deadlines_t)
            .where(deadlines_t.c.application_number.in_(sorted(set(numbers))))
            .order_by(deadlines_t.c.due, deadlines_t.c.stage)
        )
        for d in rows:
            found[d.application_number].append(
                StageDeadline(
                    stage=Stage(d.stage),
                    due=d.due,
                    settled_at=d.settled_at,
                    outcome=StageOutcome(d.outcome) if d.outcome else None,
                )
            )
        return dict(found)

    def overdue(self, now: datetime, limit: int) -> list[OpenDeadline]:
        """Open, unreported stages past their deadline, oldest deadline first."""
        rows = self._connection.execute(
            select(deadlines_t)
            .where(
                and_(
                    deadlines_t.c.settled_at.is_(None),
                    deadlines_t.c.overdue_marked_at.is_(None),
                    deadlines_t.c.due < now,
                )
            )
            .order_by(deadlines_t.c.due)
            .limit(limit)
        )
        return [OpenDeadline(r.application_number, Stage(r.stage), r.due) for r in rows]

    def mark_overdue(self, deadline: OpenDeadline, at: datetime) -> bool:
        """Mark once; a second sweeper racing for the same stage gets False."""
        changed = self._connection.execute(
            update(deadlines_t)
            .where(
                and_(
                    deadlines_t.c.application_number == deadline.application_number,
                    deadlines_t.c.stage == str(deadline.stage),
                    deadlines_t.c.overdue_marked_at.is_(None),
                    deadlines_t.c.settled_at.is_(None),
                )
            )
            .values(overdue_marked_at=at)
        ).rowcount
        return changed == 1

    def stage_counts(self) -> dict[str, int]:
        """Applications per status."""
        rows = self._connection.execute(
            select(apps_t.c.status, func.count()).group_by(apps_t.c.status)
        )
        return {str(status): int(count) for status, count in rows}

    def open_deadlines(self, now: datetime) -> list[OpenDeadline]:
        """Every open stage past its deadline."""
        rows = self._connection.execute(
            select(deadlines_t)
            .where(and_(deadlines_t.c.settled_at.is_(None), deadlines_t.c.due < now))
            .order_by(deadlines_t.c.due)
        )
        return [OpenDeadline(r.application_number, Stage(r.stage), r.due) for r in rows]

    def settled_durations(self) -> dict[str, list[float]]:
        """Seconds each application spent in each status it has left."""
        rows = self._connection.execute(
            select(events_t.c.application_number, events_t.c.status, events_t.c.at).order_by(
                events_t.c.application_number, events_t.c.id
            )
        )
        durations: dict[str, list[float]] = defaultdict(list)
        previous: Any = None
        for row in rows:
            if previous is not None and previous.application_number == row.application_number:
                durations[previous.status].append((row.at - previous.at).total_seconds())
            previous = row
        return dict(durations)

    def open_cases(self, statuses: frozenset[str]) -> list[OpenCase]:
        """Applications in the statuses joined to their running stages, in one query; a case
        whose stages are all settled still comes, with none."""
        if not statuses:
            return []
        running = and_(
            deadlines_t.c.application_number == apps_t.c.number,
            deadlines_t.c.settled_at.is_(None),
        )
        rows = self._connection.execute(
            select(
                apps_t.c.number,
                apps_t.c.applicant_id,
                apps_t.c.applicant_name,
                apps_t.c.platform_name,
                apps_t.c.status,
                apps_t.c.received_at,
                deadlines_t.c.stage,
                deadlines_t.c.due,
            )
            .select_from(apps_t.outerjoin(deadlines_t, running))
            .where(apps_t.c.status.in_(sorted(statuses)))
            .order_by(apps_t.c.number, deadlines_t.c.due, deadlines_t.c.stage)
        )
        cases: dict[str, tuple[Any, list[StageDeadline]]] = {}
        for row in rows:
            _, stages = cases.setdefault(row.number, (row, []))
            if row.stage is not None:
                stages.append(StageDeadline(stage=Stage(row.stage), due=row.due))
        return [
            OpenCase(
                number=row.number,
                applicant_id=row.applicant_id,
                applicant_name=row.applicant_name,
                platform_name=row.platform_name,
                status=row.status,
                received_at=row.received_at,
                deadlines=tuple(stages),
            )
            for row, stages in cases.values()
        ]

    def act_signatures(self, number: str) -> list[bytes | None]:
        """The CMS stored with each event, in the order of `history`."""
        rows = self._connection.execute(
            select(events_t.c.signature)
            .where(events_t.c.application_number == number)
            .order_by(events_t.c.id)
        )
        return [bytes(row.signature) if row.signature is not None else None for row in rows]

    def open_stage_counts(self) -> dict[str, int]:
        """Running stages per stage."""
        rows = self._connection.execute(
            select(deadlines_t.c.stage, func.count())
            .where(deadlines_t.c.settled_at.is_(None))
            .group_by(deadlines_t.c.stage)
        )
        return {str(stage): int(count) for stage, count in rows}

    def settled_stages(self, start: datetime, end: datetime) -> list[SettledStage]:
        """Stages met in the period, with their application's receipt, oldest first."""
        rows = self._connection.execute(
            select(
                deadlines_t.c.application_number,
                deadlines_t.c.stage,
                deadlines_t.c.due,
                deadlines_t.c.settled_at,
                apps_t.c.received_at,
            )
            .select_from(
                deadlines_t.join(apps_t, apps_t.c.number == deadlines_t.c.application_number)
            )
            .where(
                and_(
                    deadlines_t.c.outcome == str(StageOutcome.MET),
                    deadlines_t.c.settled_at >= start,
                    deadlines_t.c.settled_at < end,
                )
            )
            .order_by(deadlines_t.c.settled_at, deadlines_t.c.application_number)
        )
        return [
            SettledStage(r.application_number, Stage(r.stage), r.due, r.settled_at, r.received_at)
            for r in rows
        ]

    def received_per_period(self, bounds: Sequence[datetime]) -> list[int]:
        """Applications received per period, counted by the database in one pass."""
        if len(bounds) < 2:
            return []
        column = apps_t.c.received_at
        row = self._connection.execute(
            select(*_per_period(column, bounds)).where(
                and_(column >= bounds[0], column < bounds[-1])
            )
        ).one()
        return [int(count or 0) for count in row]

    def events_per_period(
        self, bounds: Sequence[datetime], statuses: Collection[str]
    ) -> dict[str, list[int]]:
        """Events into each named status per period, counted by the database in one pass."""
        if len(bounds) < 2 or not statuses:
            return {}
        column = events_t.c.at
        rows = self._connection.execute(
            select(events_t.c.status, *_per_period(column, bounds))
            .where(
                and_(
                    events_t.c.status.in_(sorted(statuses)),
                    column >= bounds[0],
                    column < bounds[-1],
                )
            )
            .group_by(events_t.c.status)
        )
        return {str(row[0]): [int(count or 0) for count in row[1:]] for row in rows}

    def _state(self, application: Application) -> dict[str, Any]:
        reasons = application.preliminary_reasons
        return {
            "status": str(application.status),
            "preliminary_reasons": json_text(reasons_to_dict(reasons)) if reasons else None,
            "hearing_at": application.hearing_at,
            "hearing_moves": application.hearing_moves,
            "ground_clearances": json_text(clearances_to_list(application.ground_clearances)),
            "last_event_at": application.last_event_at,
        }

    def _save_deadlines(self, application: Application) -> None:
        # A fixed order (by stage) so a decision and the sweeper lock rows alike, never crosswise.
        for deadline in sorted(application.deadlines.all(), key=lambda d: str(d.stage)):
            key = and_(
                deadlines_t.c.application_number == application.number,
                deadlines_t.c.stage == str(deadline.stage),
            )
            values = {
                "due": deadline.due,
                "settled_at": deadline.settled_at,
                "outcome": str(deadline.outcome) if deadline.outcome else None,
            }
            # A stage reopened with a new due moment (a moved hearing) may be overdue again:
            # the sweeper's mark of the old moment no longer holds.
            remark = case(
                (deadlines_t.c.due != deadline.due, None), else_=deadlines_t.c.overdue_marked_at
            )
            changed = update(deadlines_t).where(key).values(**values, overdue_marked_at=remark)
            if self._connection.execute(changed).rowcount:
                continue
            self._connection.execute(
                insert(deadlines_t).values(
                    application_number=application.number, stage=str(deadline.stage), **values
                )
            )


def _per_period(column: Any, bounds: Sequence[datetime]) -> list[ColumnElement[Any]]:
    # Conditional sums rather than GROUP BY an expression: one row, the same SQL on SQLite and
    # PostgreSQL, and no time-zone arithmetic in the database (the bounds carry Almaty's).
    return [
        func.sum(case((and_(column >= lower, column < upper), 1), else_=0))
        for lower, upper in pairwise(bounds)
    ]


def _record(row: Row[Any]) -> EventRecord:
    return EventRecord(
        kind=row.kind,
        at=row.at,
        status=row.status,
        actor_role=row.actor_role,
        actor_name=row.actor_name,
        actor_iin=row.actor_iin,
        stage_deadline=row.stage_deadline,
        late=bool(row.late),
        details=json.loads(row.details),
    )
