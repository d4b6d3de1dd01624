"""Stage deadlines of the permit service in working days (Rules §5-§8, App.1 §4)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from kepil.domain.calendar import ALMATY, WorkingCalendar, to_almaty

COMPLETENESS_CHECK_DAYS: Final = 2  # Rules §6
REVIEW_DAYS: Final = 3  # Rules §7
SERVICE_TERM_DAYS: Final = 5  # App.1 §4
HEARING_NOTICE_LEAD_DAYS: Final = 3  # Rules §8, second paragraph
HEARING_DAYS: Final = 2  # Rules §8, third paragraph


class Stage(StrEnum):
    """A stage of the service that has a deadline of its own."""

    REGISTRATION = "registration"
    COMPLETENESS_CHECK = "completeness_check"
    REVIEW = "review"
    HEARING_NOTICE = "hearing_notice"
    HEARING = "hearing"
    SERVICE_TERM = "service_term"


class StageOutcome(StrEnum):
    """How a stage's obligation ended."""

    MET = "met"
    CANCELLED = "cancelled"


def end_of_working_day(calendar: WorkingCalendar, day: date) -> datetime:
    """18:30 Almaty time on the day: when the provider's working day ends (App.1 §8)."""
    return datetime.combine(day, calendar.hours.closes, tzinfo=ALMATY)


def registration_due(calendar: WorkingCalendar, received_at: datetime) -> datetime:
    """Registration happens on the registration day itself (Rules §5)."""
    return end_of_working_day(calendar, calendar.registration_day(received_at))


def completeness_check_due(calendar: WorkingCalendar, registration_day: date) -> datetime:
    """The completeness check ends 2 working days after registration (Rules §6)."""
    return calendar.deadline(registration_day, COMPLETENESS_CHECK_DAYS)


def service_term_due(calendar: WorkingCalendar, registration_day: date) -> datetime:
    """The whole service ends 5 working days after registration (App.1 §4)."""
    return calendar.deadline(registration_day, SERVICE_TERM_DAYS)


def review_due(
    calendar: WorkingCalendar, completeness_established_at: datetime, registration_day: date
) -> datetime:
    """The review ends 3 working days after completeness is established (Rules §7).

    Capped by the 5-day term of App.1 §4: a late completeness check eats the review's days,
    it does not lengthen the service.
    """
    established_day = to_almaty(completeness_established_at).date()
    own = calendar.deadline(established_day, REVIEW_DAYS)
    return min(own, service_term_due(calendar, registration_day))


def hearing_notice_due(calendar: WorkingCalendar, registration_day: date) -> datetime:
    """The latest moment to notify a preliminary refusal: 3 working days before the term ends."""
    term_end_day = calendar.add_working_days(registration_day, SERVICE_TERM_DAYS)
    notice_day = calendar.subtract_working_days(term_end_day, HEARING_NOTICE_LEAD_DAYS)
    return end_of_working_day(calendar, notice_day)


def hearing_due(calendar: WorkingCalendar, notice_at: datetime) -> datetime:
    """The hearing is held no later than 2 working days from the notice (Rules §8).

    Not capped by the service term: cutting the applicant's time to be heard would shift a
    late notice onto the applicant; the overrun of the term is flagged on its own stage.
    """
    return calendar.deadline(to_almaty(notice_at).date(), HEARING_DAYS)


@dataclass(frozen=True, slots=True)
class StageDeadline:
    """A stage's due moment and, once settled, when and how it ended."""

    stage: Stage
    due: datetime
    settled_at: datetime | None = None
    outcome: StageOutcome | None = None

    @property
    def is_open(self) -> bool:
        """Whether the stage's obligation is still running."""
        return self.settled_at is None

    def is_overdue(self, now: datetime) -> bool:
        """Whether the stage was not settled by its due moment, judged at `now`."""
        reference = self.settled_at if self.settled_at is not None else now
        return reference > self.due

    def settle(self, at: datetime, outcome: StageOutcome = StageOutcome.MET) -> StageDeadline:
        """The same stage, ended at the moment with the outcome."""
        return replace(self, settled_at=at, outcome=outcome)


@dataclass(frozen=True, slots=True)
class ServiceSchedule:
    """The deadlines fixed by the moment an application arrives."""

    received_at: datetime
    registration_day: date
    registration_due: datetime
    completeness_check_due: datetime
    hearing_notice_due: datetime
    service_term_due: datetime

    @classmethod
    def compute(cls, calendar: WorkingCalendar, received_at: datetime) -> ServiceSchedule:
        """Every deadline that depends only on the moment of receipt."""
        day = calendar.registration_day(received_at)
        return cls(
            received_at=received_at,
            registration_day=day,
            registration_due=end_of_working_day(calendar, day),
            completeness_check_due=completeness_check_due(calendar, day),
            hearing_notice_due=hearing_notice_due(calendar, day),
            service_term_due=service_term_due(calendar, day),
        )


class StageBook:
    """The stage deadlines of one application: opened, settled, cancelled, queried."""

    def __init__(self, stages: Iterable[StageDeadline] = ()) -> None:
        """Start empty, or from stored deadlines."""
        self._stages = {deadline.stage: deadline for deadline in stages}

    def open(self, stage: Stage, due: datetime) -> None:
        """Start the clock of a stage."""
        self._stages[stage] = StageDeadline(stage, due)

    def settle(self, stage: Stage, at: datetime) -> bool:
        """Mark an open stage met at the moment; True when that was after its deadline."""
        deadline = self._stages.get(stage)
        if deadline is None or not deadline.is_open:
            return False
        self._stages[stage] = deadline.settle(at)
        return at > deadline.due

    def cancel_open(self, at: datetime) -> None:
        """Stop every running clock, as when the applicant withdraws."""
        for stage, deadline in list(self._stages.items()):
            if deadline.is_open:
                self._stages[stage] = deadline.settle(at, StageOutcome.CANCELLED)

    def get(self, stage: Stage) -> StageDeadline | None:
        """The deadline of one stage, or None when the stage never started."""
        return self._stages.get(stage)

    def all(self) -> tuple[StageDeadline, ...]:
        """Every deadline opened so far, in the order the stages started."""
        return tuple(self._stages.values())

    def is_overdue(self, stage: Stage, now: datetime) -> bool:
        """Whether the stage was (or, still open, is) past its deadline at `now`."""
        deadline = self._stages.get(stage)
        return deadline is not None and deadline.is_overdue(now)

    def overdue(self, now: datetime) -> tuple[Stage, ...]:
        """The stages past their deadline at `now`."""
        return tuple(stage for stage, d in self._stages.items() if d.is_overdue(now))
