"""The SLA summary of Rules §10: where applications stand, what is late, how long stages take."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from statistics import median

from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar, to_almaty
from kepil.domain.clock import Clock
from kepil.domain.permits import PermitRole, Stage
from kepil.services.permits.ports import OpenDeadline
from kepil.services.permits.sweeper import RESPONSIBLE
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class OverdueItem:
    """An open stage past its deadline and how late it is."""

    application_number: str
    stage: Stage
    due: datetime
    responsible: PermitRole
    working_days_late: int
    """Working days begun since the due day; 0 while the lateness is within the due day."""
    hours_late: float
    """Clock hours since the deadline passed."""


@dataclass(frozen=True, slots=True)
class SlaSummary:
    """The service level at one moment."""

    at: datetime
    total: int
    counts: dict[str, int]
    """Applications per status."""
    overdue: tuple[OverdueItem, ...]
    median_seconds: dict[str, float]
    """Per status, the median time applications spent in it before moving on."""


def sla_summary(
    uow: UnitOfWork, clock: Clock, calendar: WorkingCalendar | None = None
) -> SlaSummary:
    """Counts per status, overdue stages (oldest deadline first), median durations, now."""
    calendar = calendar or kazakhstan_calendar()
    now = clock.now()
    with uow:
        counts = uow.applications.stage_counts()
        late = uow.applications.open_deadlines(now)
        durations = uow.applications.settled_durations()
    return SlaSummary(
        at=now,
        total=sum(counts.values()),
        counts=dict(sorted(counts.items())),
        overdue=tuple(_item(deadline, now, calendar) for deadline in late),
        median_seconds={
            status: float(median(spans)) for status, spans in sorted(durations.items()) if spans
        },
    )


def _item(deadline: OpenDeadline, now: datetime, calendar: WorkingCalendar) -> OverdueItem:
    # Deadlines end a working day (18:30), so the first day of lateness is the next working day.
    days = calendar.working_days_between(to_almaty(deadline.due).date(), to_almaty(now).date())
    return OverdueItem(
        application_number=deadline.application_number,
        stage=deadline.stage,
        due=deadline.due,
        responsible=RESPONSIBLE[deadline.stage],
        working_days_late=max(days, 0),
        hours_late=round((now - deadline.due).total_seconds() / 3600, 2),
    )
