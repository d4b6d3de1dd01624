"""Who acts for the head (Rules §9): a deputy's acting period, in whole Almaty days.

The result of the service is signed with the EDS of the head "or the person acting for him".
An administrator records that a person acts for the head from one day to another (both
included, on Almaty's calendar) on a stated basis (the order that appoints them); during those
days the person may do what the head does, and the documents they sign say that they act for
the head. Before the first day, after the last one, or after the period is ended early, they
may not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Final

from kepil.domain.calendar import ALMATY, to_almaty
from kepil.domain.permits.roles import PermitRole

ACTING_HEAD_POSITION: Final = "Исполняющий обязанности руководителя"
"""What a document says of its signer when the period names no position of its own."""

MAX_ACTING_DAYS: Final = 366
"""The longest period one record may cover: a year's absence of the head at most."""


class ActingRuleError(ValueError):
    """A period the rules do not allow; `code` names the rule it breaks."""

    def __init__(self, code: str, message: str) -> None:
        """Keep the machine code beside the human message."""
        super().__init__(message)
        self.code = code
        self.message = message


class ActingState(StrEnum):
    """Where a period stands at a moment."""

    UPCOMING = "upcoming"
    ACTIVE = "active"
    OVER = "over"
    ENDED_EARLY = "ended_early"
    CANCELLED = "cancelled"
    """Ended before its first day: it never took effect."""


@dataclass(frozen=True, slots=True)
class ActingPeriod:
    """A person acting for the holder of `role` (the head) on the days first_day..last_day."""

    iin: str
    name: str
    position: str
    """How documents signed during the period name the signer's position."""
    first_day: date
    last_day: date
    basis: str
    """The order (number and date) that appoints the person, as the administrator wrote it."""
    recorded_at: datetime
    recorded_by: str
    role: PermitRole = PermitRole.HEAD
    id: int | None = None
    ended_at: datetime | None = None
    ended_by: str | None = None

    @property
    def ends(self) -> datetime:
        """The first moment the period no longer covers: the end of its last day in Almaty,
        or the moment it was ended early, whichever is first."""
        end_of_last_day = _start_of(self.last_day + timedelta(days=1))
        if self.ended_at is None:
            return end_of_last_day
        return min(end_of_last_day, self.ended_at)

    @property
    def starts(self) -> datetime:
        """The first moment the period covers: the start of its first day in Almaty."""
        return _start_of(self.first_day)

    def covers(self, at: datetime) -> bool:
        """Whether the person acts for the head at this moment."""
        return self.starts <= at < self.ends

    def state(self, at: datetime) -> ActingState:
        """Upcoming, active, over, ended early or cancelled, at the moment."""
        if self.ended_at is not None and self.ended_at <= self.starts:
            return ActingState.CANCELLED
        if at < self.starts:
            return ActingState.UPCOMING
        if at < self.ends:
            return ActingState.ACTIVE
        if self.ends < _start_of(self.last_day + timedelta(days=1)):
            return ActingState.ENDED_EARLY
        return ActingState.OVER

    def overlaps(self, other: ActingPeriod) -> bool:
        """Whether the two periods cover a common moment."""
        return self.starts < other.ends and other.starts < self.ends

    def ended(self, at: datetime, by: str) -> ActingPeriod:
        """The period ended at this moment: cancelled if it had not begun. Refused when it is
        over already, or was ended before."""
        state = self.state(at)
        if state in (ActingState.CANCELLED, ActingState.ENDED_EARLY):
            raise ActingRuleError("acting_already_ended", "this acting period was ended already")
        if state is ActingState.OVER:
            raise ActingRuleError(
                "acting_already_over",
                f"this acting period is over: its last day was {self.last_day}",
            )
        return replace(self, ended_at=at, ended_by=by)

    def described(self) -> str:
        """The period in words, for refusals: its days and basis."""
        return f"from {self.first_day} to {self.last_day} ({self.basis})"


def _start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=ALMATY)


def almaty_day(at: datetime) -> date:
    """The calendar day in Almaty at the moment."""
    return to_almaty(at).date()


def new_acting_period(
    period: ActingPeriod, others: list[ActingPeriod], now: datetime
) -> ActingPeriod:
    """The period as it will be recorded, or ActingRuleError: it must end no earlier than it
    begins and no earlier than today, last at most a year, state its basis and not overlap
    another period of the same person that still stands."""
    if period.role is not PermitRole.HEAD:
        raise ActingRuleError("acting_role", "one acts only for the head (Rules §9)")
    if period.last_day < period.first_day:
        raise ActingRuleError(
            "acting_ends_before_it_starts",
            f"the last day {period.last_day} is before the first day {period.first_day}",
        )
    today = almaty_day(now)
    if period.last_day < today:
        raise ActingRuleError(
            "acting_in_the_past",
            f"the last day {period.last_day} has passed (today is {today}): nothing would change",
        )
    if (period.last_day - period.first_day).days + 1 > MAX_ACTING_DAYS:
        raise ActingRuleError(
            "acting_too_long", f"one acting period covers at most {MAX_ACTING_DAYS} days"
        )
    if not period.basis.strip():
        raise ActingRuleError(
            "acting_basis_required", "state the basis: the number and date of the order"
        )
    for other in others:
        if other.iin == period.iin and other.overlaps(period):
            raise ActingRuleError(
                "acting_overlaps",
                f"{period.iin} acts for the head {other.described()} already; "
                "periods of one person may not overlap",
            )
    return replace(
        period,
        name=period.name.strip(),
        position=period.position.strip() or ACTING_HEAD_POSITION,
        basis=period.basis.strip(),
        id=None,
        ended_at=None,
        ended_by=None,
    )


def acting_at(periods: list[ActingPeriod], at: datetime) -> ActingPeriod | None:
    """The period that covers the moment, if any."""
    return next((period for period in periods if period.covers(at)), None)


def nearest(periods: list[ActingPeriod], at: datetime) -> ActingPeriod | None:
    """The period to name when none covers the moment: the next one to begin, else the one
    that ended last; cancelled periods are not named."""
    standing = [p for p in periods if p.state(at) is not ActingState.CANCELLED]
    upcoming = sorted((p for p in standing if p.starts > at), key=lambda p: p.starts)
    if upcoming:
        return upcoming[0]
    past = sorted(standing, key=lambda p: p.ends)
    return past[-1] if past else None
