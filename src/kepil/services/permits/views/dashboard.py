"""The SLA dashboard of Rules §10: where cases stand, what is late now, how long stages take in
working time, and the last weeks at a glance, with the stage log's verification state.

The database counts (per status, per stage, per week); the arithmetic the database cannot do
the same way on SQLite and PostgreSQL (working time on the Kazakh calendar, medians, Almaty
weeks) is done here, on the rows of the window only.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final

from kepil.domain.calendar import ALMATY, WorkingCalendar, to_almaty
from kepil.domain.monitoring import ChainCheck
from kepil.domain.permits import ApplicationStatus, PermitRole, Stage, StageDeadline
from kepil.services.permits.ports import SettledStage
from kepil.services.permits.sweeper import RESPONSIBLE
from kepil.services.unit_of_work import UnitOfWork

WEEKS: Final = 12
"""How many weeks the dashboard looks back, the current one included."""
OVERDUE_SHOWN: Final = 100
"""The oldest overdue stages listed one by one; the counts cover all of them."""

# When a stage's work begins: the moment the stage before it was settled, or, for the first
# stage and for the whole term, the moment the application was received (the working-time
# measure makes an application received at night begin the next working morning).
STARTS_AFTER: Final[dict[Stage, Stage | None]] = {
    Stage.REGISTRATION: None,
    Stage.COMPLETENESS_CHECK: Stage.REGISTRATION,
    Stage.REVIEW: Stage.COMPLETENESS_CHECK,
    Stage.HEARING_NOTICE: Stage.REVIEW,
    Stage.HEARING: Stage.HEARING_NOTICE,
    Stage.SERVICE_TERM: None,
}

# The outcomes that end the service, as the weekly series names them.
DECISIONS: Final = (
    ApplicationStatus.PERMIT_ISSUED,
    ApplicationStatus.REFUSED,
    ApplicationStatus.REFUSED_FURTHER_CONSIDERATION,
    ApplicationStatus.WITHDRAWN,
)


@dataclass(frozen=True, slots=True)
class StatusCount:
    """How many applications stand in one status."""

    status: ApplicationStatus
    count: int


@dataclass(frozen=True, slots=True)
class StageNow:
    """One stage now: how many run, how many of those are past their deadline."""

    stage: Stage
    open: int
    overdue: int
    most_working_days_late: int
    """The longest lateness among the overdue, in working days begun since the due day."""


@dataclass(frozen=True, slots=True)
class OverdueStage:
    """An open stage past its deadline."""

    application_number: str
    stage: Stage
    due: datetime
    responsible: PermitRole
    working_days_late: int
    """Working days begun since the due day; 0 while the lateness is within the due day."""


@dataclass(frozen=True, slots=True)
class StageTiming:
    """How long one stage took, in working hours, over the stages met in the window."""

    stage: Stage
    settled: int
    late: int
    median_hours: float | None
    p90_hours: float | None
    """The 90th percentile by nearest rank: 9 in 10 of the stages took no longer."""


@dataclass(frozen=True, slots=True)
class Week:
    """One Monday-to-Sunday week on Almaty's calendar."""

    starts: date
    received: int
    permits: int
    refusals: int
    further_consideration_refused: int
    withdrawn: int
    stages_late: int
    """Stages met in the week after their deadline."""

    @property
    def ends(self) -> date:
        """The week's Sunday."""
        return self.starts + timedelta(days=6)

    @property
    def decided(self) -> int:
        """Applications whose service ended in the week, in any of the four ways."""
        return self.permits + self.refusals + self.further_consideration_refused + self.withdrawn


@dataclass(frozen=True, slots=True)
class ChainState:
    """The stage log's hash chain as verified, and when."""

    check: ChainCheck
    checked_at: datetime


@dataclass(frozen=True, slots=True)
class Dashboard:
    """The figures of one moment."""

    at: datetime
    statuses: tuple[StatusCount, ...]
    stages: tuple[StageNow, ...]
    overdue: tuple[OverdueStage, ...]
    """The oldest deadlines first, at most OVERDUE_SHOWN."""
    overdue_total: int
    timings: tuple[StageTiming, ...]
    weeks: tuple[Week, ...]
    """Oldest first; the last is the current week, so far."""
    chain: ChainState

    @property
    def total(self) -> int:
        """Applications in any status."""
        return sum(count.count for count in self.statuses)

    @property
    def window_starts(self) -> date:
        """The Monday the window of the timings and the weekly series begins."""
        return self.weeks[0].starts


def dashboard(
    uow: UnitOfWork, now: datetime, calendar: WorkingCalendar, chain: ChainState
) -> Dashboard:
    """The dashboard as of `now`, read in the open unit of work."""
    starts = week_starts(now, WEEKS)
    bounds = week_bounds(starts)
    counts = uow.applications.stage_counts()
    running = uow.applications.open_stage_counts()
    late_now = [
        OverdueStage(
            d.application_number,
            d.stage,
            d.due,
            RESPONSIBLE[d.stage],
            working_days_late(calendar, d.due, now),
        )
        for d in uow.applications.open_deadlines(now)
    ]
    settled = uow.applications.settled_stages(bounds[0], bounds[-1])
    earlier = uow.applications.deadlines_of(sorted({s.application_number for s in settled}))
    received = uow.applications.received_per_period(bounds)
    decided = uow.applications.events_per_period(bounds, [str(status) for status in DECISIONS])
    return Dashboard(
        at=now,
        statuses=tuple(StatusCount(status, counts.get(status, 0)) for status in ApplicationStatus),
        stages=tuple(_stage_now(stage, running.get(stage, 0), late_now) for stage in Stage),
        overdue=tuple(late_now[:OVERDUE_SHOWN]),
        overdue_total=len(late_now),
        timings=tuple(_timing(stage, settled, earlier, calendar) for stage in Stage),
        weeks=_weeks(starts, bounds, received, decided, settled),
        chain=chain,
    )


def week_starts(now: datetime, weeks: int = WEEKS) -> list[date]:
    """The Mondays of the last `weeks` weeks on Almaty's calendar, oldest first, the current
    week's last."""
    today = to_almaty(now).date()
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]


def week_bounds(starts: Sequence[date]) -> list[datetime]:
    """Midnight in Almaty at each Monday, and at the Monday after the last week."""
    days = [*starts, starts[-1] + timedelta(weeks=1)] if starts else []
    return [datetime.combine(day, time(0), tzinfo=ALMATY) for day in days]


def week_of(moment: datetime, bounds: Sequence[datetime]) -> int | None:
    """Which period `bounds[i] <= moment < bounds[i + 1]` holds the moment, or None."""
    for index in range(len(bounds) - 1):
        if bounds[index] <= moment < bounds[index + 1]:
            return index
    return None


def working_seconds(calendar: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Office time between two moments: working days, 9:00–13:00 and 14:30–18:30 in Almaty."""
    if end <= start:
        return 0.0
    first, last = to_almaty(start), to_almaty(end)
    hours = calendar.hours
    total, day = 0.0, first.date()
    while day <= last.date():
        if calendar.is_working_day(day):
            for opens, closes in (
                (hours.opens, hours.lunch_starts),
                (hours.lunch_ends, hours.closes),
            ):
                lower = max(first, datetime.combine(day, opens, tzinfo=ALMATY))
                upper = min(last, datetime.combine(day, closes, tzinfo=ALMATY))
                if upper > lower:
                    total += (upper - lower).total_seconds()
        day += timedelta(days=1)
    return total


def working_days_late(calendar: WorkingCalendar, due: datetime, now: datetime) -> int:
    """Working days begun since the due day (deadlines end a working day at 18:30)."""
    days = calendar.working_days_between(to_almaty(due).date(), to_almaty(now).date())
    return max(days, 0)


def median(values: Sequence[float]) -> float | None:
    """The middle value (the mean of the two middle ones for an even count); None if empty."""
    return float(statistics.median(values)) if values else None


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile: the smallest value that `share` of the values do not
    exceed; None if empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return float(ordered[rank - 1])


def _stage_now(stage: Stage, running: int, late_now: Sequence[OverdueStage]) -> StageNow:
    late = [item for item in late_now if item.stage is stage]
    return StageNow(
        stage, running, len(late), max((item.working_days_late for item in late), default=0)
    )


def _timing(
    stage: Stage,
    settled: Sequence[SettledStage],
    earlier: dict[str, list[StageDeadline]],
    calendar: WorkingCalendar,
) -> StageTiming:
    hours: list[float] = []
    mine = [item for item in settled if item.stage is stage]
    for item in mine:
        began = _began(item, earlier.get(item.application_number, []))
        if began is not None:
            hours.append(working_seconds(calendar, began, item.settled_at) / 3600)
    median_hours, p90_hours = median(hours), percentile(hours, 0.9)
    return StageTiming(
        stage,
        settled=len(mine),
        late=sum(item.settled_at > item.due for item in mine),
        median_hours=None if median_hours is None else round(median_hours, 2),
        p90_hours=None if p90_hours is None else round(p90_hours, 2),
    )


def _began(item: SettledStage, deadlines: Sequence[StageDeadline]) -> datetime | None:
    before = STARTS_AFTER.get(item.stage)
    if before is None:
        return item.received_at
    for deadline in deadlines:
        if deadline.stage is before:
            return deadline.settled_at
    return None


def _weeks(
    starts: Sequence[date],
    bounds: Sequence[datetime],
    received: Sequence[int],
    decided: dict[str, list[int]],
    settled: Sequence[SettledStage],
) -> tuple[Week, ...]:
    late = [0] * len(starts)
    for item in settled:
        index = week_of(item.settled_at, bounds)
        if index is not None and item.settled_at > item.due:
            late[index] += 1
    none = [0] * len(starts)

    def of(status: ApplicationStatus, index: int) -> int:
        return decided.get(str(status), none)[index]

    return tuple(
        Week(
            starts=monday,
            received=received[index] if index < len(received) else 0,
            permits=of(ApplicationStatus.PERMIT_ISSUED, index),
            refusals=of(ApplicationStatus.REFUSED, index),
            further_consideration_refused=of(
                ApplicationStatus.REFUSED_FURTHER_CONSIDERATION, index
            ),
            withdrawn=of(ApplicationStatus.WITHDRAWN, index),
            stages_late=late[index],
        )
        for index, monday in enumerate(starts)
    )
