"""The officials' workspace: each duty's queue ordered by deadline, and a case as an official
reads it (the form in full, what the state systems said, who signed each act, the actions this
official may take now).

Which statuses a duty works on is read from the domain's declared transitions, not listed here
again: a duty's queue holds the cases in every status where it has a transition of its own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits import ApplicationStatus, ComplaintStatus, FiledWith, PermitRole, Stage
from kepil.domain.permits.deadlines import end_of_working_day
from kepil.domain.permits.status import TRANSITIONS
from kepil.services.errors import ForbiddenError, NotFoundError
from kepil.services.permits.complaint_ports import OpenComplaint
from kepil.services.permits.ports import OpenCase, StaffMember
from kepil.services.permits.sweeper import RESPONSIBLE
from kepil.services.permits.views.applications import (
    ApplicationView,
    application_view,
    visible,
)
from kepil.services.permits.views.cabinet import StageDue, current_stage
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork

_R = PermitRole
# The duties that read cases on the desk; the contact centre reads only a status by number and
# IIN/BIN (App.1 §11 item 3), and a duty added later reads nothing until it is listed here.
DESK_ROLES: Final = frozenset({_R.CLERK, _R.EXAMINER, _R.HEAD, _R.COMPLAINT_REVIEWER, _R.AUDITOR})
# The order of the sections on the page: the order in which the duties meet a case.
DUTY_ORDER: Final = (_R.CLERK, _R.EXAMINER, _R.HEAD, _R.COMPLAINT_REVIEWER, _R.AUDITOR)


def statuses_of(role: PermitRole) -> frozenset[str]:
    """Every status where the role has a declared transition of its own."""
    return frozenset(str(t.source) for t in TRANSITIONS.values() if role in t.roles)


# The examiner also follows a heard case until the head decides on it (§8): the hearing's
# record is theirs, and a late decision eats the term they answer for with the head.
QUEUE_STATUSES: Final[dict[PermitRole, frozenset[str]]] = {
    _R.CLERK: statuses_of(_R.CLERK),
    _R.EXAMINER: statuses_of(_R.EXAMINER) | {str(ApplicationStatus.HEARING_HELD)},
    _R.HEAD: statuses_of(_R.HEAD),
}

# The stages of a complaint as a queue names them (Rules §13-§14).
COMPLAINT_REGISTRATION: Final = "complaint_registration"
COMPLAINT_RESPONSE: Final = "complaint_response"
"""§13: the provider satisfies the complaint or forwards it within 3 working days."""
COMPLAINT_REVIEW: Final = "complaint_review"
"""§14: the reviewing body decides within 5 (or, filed with the agency, 15) working days."""
# Who may answer a complaint for the provider (§13) sees it in their queue; the examiner holds it.
_RESPONDERS: Final = frozenset({_R.EXAMINER, _R.HEAD})


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One case waiting in a queue: what it is, whose it is, when its stage is due."""

    kind: str
    """"application" or "complaint"."""
    number: str
    applicant: str
    status: str
    stage: str
    """A `Stage` of an application, or one of the complaint stages above."""
    due: datetime
    """Almaty time."""
    working_days_left: int
    """Working days after today up to the due day: 0 when due today, negative once past."""
    overdue: bool
    holder: str
    """The role whose action is next."""
    registered: bool = True
    """False for a complaint still to be registered."""


@dataclass(frozen=True, slots=True)
class DutyQueue:
    """A duty's work, soonest (and so overdue) deadline first."""

    role: str
    rows: tuple[QueueRow, ...]

    @property
    def overdue(self) -> int:
        """How many of the rows are past their deadline."""
        return sum(1 for row in self.rows if row.overdue)


@dataclass(frozen=True, slots=True)
class Desk:
    """The signed-in official's workspace at one moment."""

    at: datetime
    roles: frozenset[str]
    queues: tuple[DutyQueue, ...]
    overdue_stages: int | None
    """For the auditor: the applications' stages running past their deadline now."""


@dataclass(frozen=True, slots=True)
class SignedLine:
    """A step of the history with who made it and whether the act's CMS is kept."""

    index: int
    """Its place in the history, oldest first: the address of the act's CMS."""
    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    actor_iin: str
    actor_position: str
    """As the staff table holds it now; empty for the applicant and the service."""
    stage_deadline: datetime | None
    late: bool
    details: dict[str, Any]
    signed: bool


@dataclass(frozen=True, slots=True)
class StageLine:
    """A stage's deadline with working days left while it runs."""

    stage: str
    due: datetime
    settled_at: datetime | None
    outcome: str | None
    overdue: bool
    working_days_left: int | None
    """None once the stage is settled."""


@dataclass(frozen=True, slots=True)
class DeskCase:
    """An application as an official reads it on the desk."""

    case: ApplicationView
    history: tuple[SignedLine, ...]
    stages: tuple[StageLine, ...]
    current: StageDue | None
    holder: str | None
    actions: tuple[str, ...]
    """What this official may do now: the declared transitions from the status for their
    duties, in the order the domain declares them."""
    suggested_grounds: tuple[int, ...]
    """App.1 §10 items 3-4 that the court records suggest (§4); the examiner decides."""


def require_desk(who: Viewer) -> None:
    """ForbiddenError unless the viewer holds a duty that reads cases on the desk."""
    if not who.roles & DESK_ROLES:
        raise ForbiddenError("desk_duty_required", "the workspace is for the Ministry's officials")


def desk(uow: UnitOfWork, who: Viewer, now: datetime, calendar: WorkingCalendar) -> Desk:
    """The viewer's queues, one per duty they hold, read in two queries. Any Ministry duty
    but the contact centre's opens the workspace (a duty without a queue finds its own pages
    linked there); only the duties of DESK_ROLES read cases."""
    if not who.is_official:
        raise ForbiddenError("desk_duty_required", "the workspace is for the Ministry's officials")
    roles = [role for role in DUTY_ORDER if role in who.roles]
    statuses = frozenset().union(*(QUEUE_STATUSES.get(role, frozenset()) for role in roles))
    cases = uow.applications.open_cases(statuses)
    complaints = (
        uow.complaints.open_complaints()
        if who.roles & {_R.CLERK, _R.COMPLAINT_REVIEWER, *_RESPONDERS}
        else []
    )
    overdue = len(uow.applications.open_deadlines(now)) if _R.AUDITOR in who.roles else None
    return Desk(
        at=to_almaty(now),
        roles=frozenset(str(role) for role in who.roles),
        queues=tuple(
            DutyQueue(str(role), queue_rows(role, cases, complaints, now, calendar))
            for role in roles
        ),
        overdue_stages=overdue,
    )


def queue_rows(
    role: PermitRole,
    cases: Iterable[OpenCase],
    complaints: Iterable[OpenComplaint],
    now: datetime,
    calendar: WorkingCalendar,
) -> tuple[QueueRow, ...]:
    """The role's rows among the open cases and complaints, soonest deadline first (so the
    overdue come first), ties by number."""
    statuses = QUEUE_STATUSES.get(role, frozenset())
    rows = [
        row
        for case in cases
        if case.status in statuses
        for row in [_case_row(case, now, calendar)]
        if row is not None
    ]
    rows += [
        row
        for complaint in complaints
        for row in [_complaint_row(complaint, now, calendar)]
        if row is not None and _complaint_duty(row, role)
    ]
    return tuple(sorted(rows, key=lambda row: (row.due, row.number)))


def _case_row(case: OpenCase, now: datetime, calendar: WorkingCalendar) -> QueueRow | None:
    stage = current_stage(case.deadlines, now, calendar)
    if stage is None:
        return None
    return QueueRow(
        kind="application",
        number=case.number,
        applicant=case.applicant_name,
        status=case.status,
        stage=stage.stage,
        due=stage.due,
        working_days_left=stage.working_days_left,
        overdue=stage.overdue,
        holder=str(RESPONSIBLE[Stage(stage.stage)]),
    )


def _complaint_row(
    complaint: OpenComplaint, now: datetime, calendar: WorkingCalendar
) -> QueueRow | None:
    to_provider = complaint.filed_with == FiledWith.PROVIDER
    registered = complaint.registered_at is not None
    if not registered:
        # Registered the day it arrives, as an application is (Rules §5, App.1 §8).
        stage, due = (
            COMPLAINT_REGISTRATION,
            end_of_working_day(calendar, complaint.registration_day),
        )
        holder = _R.CLERK if to_provider else _R.COMPLAINT_REVIEWER
    elif to_provider and complaint.status == ComplaintStatus.REGISTERED:
        if complaint.provider_response_due is None:
            return None
        stage, due, holder = COMPLAINT_RESPONSE, complaint.provider_response_due, _R.EXAMINER
    elif complaint.status in {ComplaintStatus.FORWARDED, ComplaintStatus.REGISTERED}:
        stage, due, holder = COMPLAINT_REVIEW, complaint.review_due, _R.COMPLAINT_REVIEWER
    else:
        return None
    local = to_almaty(due)
    return QueueRow(
        kind="complaint",
        number=complaint.number,
        applicant=complaint.filed_by_name,
        status=complaint.status,
        stage=stage,
        due=local,
        working_days_left=calendar.working_days_between(to_almaty(now).date(), local.date()),
        overdue=now > due,
        holder=str(holder),
        registered=registered,
    )


def _complaint_duty(row: QueueRow, role: PermitRole) -> bool:
    """Whether the complaint's row belongs in this duty's queue."""
    if row.stage == COMPLAINT_RESPONSE:
        return role in _RESPONDERS
    return row.holder == role


def desk_case(
    uow: UnitOfWork, who: Viewer, number: str, now: datetime, calendar: WorkingCalendar
) -> DeskCase:
    """One case for an official of the desk; a missing one is not found."""
    require_desk(who)
    case = application_view(uow, who, number, now)
    records = uow.applications.history(number)
    signatures = uow.applications.act_signatures(number)
    staff = _positions(uow, {record.actor_iin for record in records})
    history = tuple(
        SignedLine(
            index=index,
            kind=line.kind,
            at=line.at,
            status=line.status,
            actor_role=line.actor_role,
            actor_name=line.actor_name,
            actor_iin=record.actor_iin,
            actor_position=staff.get((record.actor_iin, record.actor_role), ""),
            stage_deadline=line.stage_deadline,
            late=line.late,
            details=line.details,
            signed=index < len(signatures) and signatures[index] is not None,
        )
        for index, (line, record) in enumerate(zip(case.history, records, strict=True))
    )
    today = to_almaty(now).date()
    stages = tuple(
        StageLine(
            stage=d.stage,
            due=d.due,
            settled_at=d.settled_at,
            outcome=d.outcome,
            overdue=d.overdue,
            working_days_left=(
                calendar.working_days_between(today, d.due.date()) if d.settled_at is None else None
            ),
        )
        for d in sorted(case.deadlines, key=lambda d: (d.due, d.stage))
    )
    current = current_stage(case.deadlines, now, calendar)
    status = ApplicationStatus(case.status)
    facts = case.state_facts or {}
    return DeskCase(
        case=case,
        history=history,
        stages=stages,
        current=current,
        holder=str(RESPONSIBLE[Stage(current.stage)]) if current else None,
        actions=tuple(
            str(t.action)
            for t in TRANSITIONS.values()
            if t.source is status and t.roles & who.roles
        ),
        suggested_grounds=tuple(int(g) for g in facts.get("suggested_grounds", ())),
    )


def act_signature(uow: UnitOfWork, who: Viewer, number: str, index: int) -> bytes:
    """The CMS of the act behind the history's `index`-th step."""
    require_desk(who)
    visible(uow.applications.get(number), number, who)
    signatures = uow.applications.act_signatures(number)
    found = signatures[index] if 0 <= index < len(signatures) else None
    if found is None:
        raise NotFoundError("act_not_found", f"no signed act at step {index} of {number}")
    return found


def _positions(uow: UnitOfWork, iins: set[str]) -> dict[tuple[str, str], str]:
    """(IIN, role) -> position, for the officials who made the steps."""
    members: list[StaffMember] = [m for iin in sorted(iins) for m in uow.staff.roles_of(iin)]
    return {(m.iin, str(m.role)): m.position for m in members}
