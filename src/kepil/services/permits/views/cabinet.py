"""The applicant's cabinet: each case with the stage it waits on, and how long it has left."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits import ApplicationStatus, Stage
from kepil.domain.permits.status import FINAL_STATUSES
from kepil.services.permits.ports import Notification
from kepil.services.permits.views.applications import cabinet_items
from kepil.services.permits.views.complaints import ComplaintPage, complaint_page
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork


class Deadline(Protocol):
    """A stage's due moment and its settlement: a stored deadline or its flat view."""

    @property
    def stage(self) -> str:
        """The stage's name."""
        ...

    @property
    def due(self) -> datetime:
        """When the stage must be settled."""
        ...

    @property
    def settled_at(self) -> datetime | None:
        """When it was settled, or None while it runs."""
        ...


@dataclass(frozen=True, slots=True)
class StageDue:
    """The stage a case waits on now: when it is due (Almaty time) and working days left."""

    stage: str
    due: datetime
    working_days_left: int
    """Working days after today up to the due day: 0 when due today, negative once past."""
    overdue: bool


@dataclass(frozen=True, slots=True)
class CabinetLine:
    """One of the applicant's applications as the cabinet lists it."""

    number: str
    platform_name: str
    status: str
    final: bool
    received_at: datetime
    last_event_at: datetime
    current: StageDue | None


@dataclass(frozen=True, slots=True)
class CabinetPage:
    """A page of the applicant's applications, newest first, and the count of all."""

    items: list[CabinetLine]
    total: int
    limit: int
    offset: int


@dataclass(frozen=True, slots=True)
class Cabinet:
    """Everything the cabinet's first page shows, read in one transaction."""

    applications: CabinetPage
    messages: list[Notification]
    complaints: ComplaintPage


def current_stage(
    deadlines: Iterable[Deadline], now: datetime, calendar: WorkingCalendar
) -> StageDue | None:
    """The open stage due first; the service term only when no other stage runs.

    The hearing is not capped by the service term (Rules §8), so an overrun term must not hide
    the hearing the applicant is waiting for.
    """
    running = sorted((d for d in deadlines if d.settled_at is None), key=lambda d: d.due)
    if not running:
        return None
    inner = [d for d in running if d.stage != Stage.SERVICE_TERM]
    chosen = (inner or running)[0]
    due = to_almaty(chosen.due)
    left = calendar.working_days_between(to_almaty(now).date(), due.date())
    return StageDue(str(chosen.stage), due, left, now > chosen.due)


def cabinet_page(
    uow: UnitOfWork,
    who: Viewer,
    limit: int,
    offset: int,
    now: datetime,
    calendar: WorkingCalendar,
) -> CabinetPage:
    """The viewer's own applications (never everyone's, even for an official) with the stage
    each waits on; the deadlines of the whole page are read at once."""
    items, total = uow.applications.summaries(
        applicant_ids=who.principal.identifiers, status=None, limit=limit, offset=offset
    )
    deadlines = uow.applications.deadlines_of([item.number for item in items])
    lines = [
        CabinetLine(
            number=item.number,
            platform_name=item.platform_name,
            status=item.status,
            final=ApplicationStatus(item.status) in FINAL_STATUSES,
            received_at=to_almaty(item.received_at),
            last_event_at=to_almaty(item.last_event_at),
            current=current_stage(deadlines.get(item.number, ()), now, calendar),
        )
        for item in items
    ]
    return CabinetPage(lines, total, limit, offset)


def cabinet(
    uow: UnitOfWork,
    who: Viewer,
    page: tuple[int, int],
    shown: tuple[int, int],
    now: datetime,
    calendar: WorkingCalendar,
) -> Cabinet:
    """A page of the viewer's applications (limit, offset), and the newest of their messages
    and of their complaints (how many of each); `who` reads as in their own cabinet."""
    limit, offset = page
    messages, complaints = shown
    return Cabinet(
        cabinet_page(uow, who, limit, offset, now, calendar),
        cabinet_items(uow, who, messages),
        complaint_page(uow, who, None, complaints, 0),
    )
