"""What makes a day a day off, and the interface every holiday source offers."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol


class DayOffKind(enum.StrEnum):
    """Why a weekday-or-weekend date is not worked."""

    HOLIDAY = "holiday"
    """A holiday named by the Law «О праздниках в Республике Казахстан»."""
    OBSERVED = "observed"
    """The working day after a holiday that fell on a weekend (Labour Code art. 85)."""
    TRANSFER = "transfer"
    """A rest day moved here by the Government or the Ministry of Labour."""
    WEEKEND = "weekend"
    """Saturday or Sunday of the five-day week."""


@dataclass(frozen=True, slots=True)
class DayOff:
    """A non-working day with its name and the legal reason for it."""

    day: date
    name: str
    kind: DayOffKind
    source: str = ""


class HolidaySchedule(Protocol):
    """The non-working days of a country, year by year."""

    def days_off(self, year: int) -> dict[date, DayOff]:
        """Holidays, observed days and transferred rest days of the year (weekends excluded)."""
        ...

    def working_weekend_days(self, year: int) -> dict[date, str]:
        """Saturdays and Sundays made working days by a transfer, with the transfer's source."""
        ...
