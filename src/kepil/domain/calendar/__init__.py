"""The Kazakh working calendar: Asia/Almaty time, holidays, transfers, working hours."""

from kepil.domain.calendar.almaty import ALMATY, to_almaty
from kepil.domain.calendar.kz_schedule import KazakhstanHolidaySchedule, load_kazakhstan_schedule
from kepil.domain.calendar.schedule import DayOff, DayOffKind, HolidaySchedule
from kepil.domain.calendar.working_calendar import (
    FIRST_YEAR,
    LAST_YEAR,
    OutsideCalendarError,
    WorkingCalendar,
    WorkingHours,
    kazakhstan_calendar,
)

__all__ = [
    "ALMATY",
    "FIRST_YEAR",
    "LAST_YEAR",
    "DayOff",
    "DayOffKind",
    "HolidaySchedule",
    "KazakhstanHolidaySchedule",
    "OutsideCalendarError",
    "WorkingCalendar",
    "WorkingHours",
    "kazakhstan_calendar",
    "load_kazakhstan_schedule",
    "to_almaty",
]
