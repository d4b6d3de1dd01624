"""Working days, working hours and legal deadlines as the Rules count them (App. 1 §8)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from kepil.domain.calendar.almaty import ALMATY, to_almaty
from kepil.domain.calendar.kz_schedule import load_kazakhstan_schedule
from kepil.domain.calendar.schedule import DayOff, DayOffKind, HolidaySchedule

_SATURDAY = 5
# No legal term in the Rules exceeds a few weeks; a bound turns a corrupt schedule (every day
# off) into an error instead of an endless loop.
_MAX_SEARCH_DAYS = 3660
# The years the holiday law and its data cover: from independence to as far as anyone plans.
FIRST_YEAR = 1991
LAST_YEAR = 2200
_WORKDAYS_PER_WEEK = 5


class OutsideCalendarError(ValueError):
    """A day outside the years the working calendar knows (FIRST_YEAR..LAST_YEAR)."""

    def __init__(self, day: date) -> None:
        """Name the day and the range it falls outside of."""
        super().__init__(
            f"{day.isoformat()} is outside the working calendar (years {FIRST_YEAR}-{LAST_YEAR})"
        )


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """The provider's office hours (Appendix 1 §8): 9:00–18:30 with lunch 13:00–14:30."""

    opens: time = time(9, 0)
    closes: time = time(18, 30)
    lunch_starts: time = time(13, 0)
    lunch_ends: time = time(14, 30)


class WorkingCalendar:
    """Answers which days are worked and when a term of N working days ends, in Almaty time."""

    def __init__(self, schedule: HolidaySchedule, hours: WorkingHours | None = None) -> None:
        self._schedule = schedule
        self.hours = hours or WorkingHours()

    def day_off(self, day: date) -> DayOff | None:
        """Why the day is not worked, or None when it is a working day."""
        _require_known(day)
        if day in self._schedule.working_weekend_days(day.year):
            return None
        named = self._schedule.days_off(day.year).get(day)
        if named is not None:
            return named
        if day.weekday() >= _SATURDAY:
            return DayOff(day, day.strftime("%A"), DayOffKind.WEEKEND)
        return None

    def is_working_day(self, day: date) -> bool:
        """Whether the provider works on this date."""
        return self.day_off(day) is None

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after the given date."""
        return self.add_working_days(day, 1)

    def add_working_days(self, start: date, working_days: int) -> date:
        """The N-th working day after the start day (the start day itself is never counted)."""
        if working_days < 1:
            raise ValueError(f"a term counts at least 1 working day, not {working_days}")
        _require_known(start)
        day, counted = start, 0
        for _ in range(_MAX_SEARCH_DAYS):
            day += timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == working_days:
                    return day
        raise ValueError(f"no {working_days} working days within ten years after {start}")

    def subtract_working_days(self, end: date, working_days: int) -> date:
        """The working day that lies N working days before the end day."""
        if working_days < 1:
            raise ValueError(f"a term counts at least 1 working day, not {working_days}")
        _require_known(end)
        day, counted = end, 0
        for _ in range(_MAX_SEARCH_DAYS):
            day -= timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
                if counted == working_days:
                    return day
        raise ValueError(f"no {working_days} working days within ten years before {end}")

    def registration_day(self, received_at: datetime) -> date:
        """The day an application received at this moment is registered (Rules §5).

        That day if it is a working day and the moment is before the end of working hours;
        otherwise the next working day. A naive moment is taken as Almaty local time.
        """
        local = to_almaty(received_at)
        day = local.date()
        if self.is_working_day(day) and local.time() < self.hours.closes:
            return day
        return self.next_working_day(day)

    def deadline(self, start: date, working_days: int) -> datetime:
        """The end of a term of N working days after the start day: 18:30 Almaty time."""
        last_day = self.add_working_days(start, working_days)
        return datetime.combine(last_day, self.hours.closes, tzinfo=ALMATY)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days d with start < d <= end; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        _require_known(start)
        _require_known(end)
        # Weekdays are counted by arithmetic and each year's exceptions looked up, so a span of
        # centuries costs one schedule per year, not one lookup per day.
        count = _weekdays_through(end) - _weekdays_through(start)
        for year in range(start.year, end.year + 1):
            days_off = self._schedule.days_off(year)
            worked = self._schedule.working_weekend_days(year)
            for day in days_off:
                if day.year == year and start < day <= end and day.weekday() < _SATURDAY:
                    count -= day not in worked
            for day in worked:
                if day.year == year and start < day <= end:
                    count += day.weekday() >= _SATURDAY or day in days_off
        return count

    def is_working_time(self, moment: datetime) -> bool:
        """Whether the office is open at this moment (working day, office hours, not lunch)."""
        local = to_almaty(moment)
        now, hours = local.time(), self.hours
        if not self.is_working_day(local.date()):
            return False
        in_hours = hours.opens <= now < hours.closes
        return in_hours and not (hours.lunch_starts <= now < hours.lunch_ends)


def _require_known(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise OutsideCalendarError(day)


def _weekdays_through(day: date) -> int:
    """Monday-to-Friday days from 0001-01-01 (a Monday) up to and including `day`."""
    weeks, rest = divmod(day.toordinal(), 7)
    return weeks * _WORKDAYS_PER_WEEK + min(rest, _WORKDAYS_PER_WEEK)


def kazakhstan_calendar() -> WorkingCalendar:
    """The provider's calendar: Kazakhstan's holidays and transfers, standard office hours."""
    return WorkingCalendar(load_kazakhstan_schedule())
