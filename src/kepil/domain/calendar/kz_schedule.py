"""Kazakhstan's non-working days: the `holidays` package corrected by the shipped data file."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib import resources
from typing import Any

import holidays

from kepil.domain.calendar.schedule import DayOff, DayOffKind

_DATA_FILE = "kz_days_off.toml"
_LAW = "Закон РК от 13 декабря 2001 года № 267-II «О праздниках в Республике Казахстан»"
_SHIFT_RULE = "Трудовой кодекс РК, ст. 85 п. 2: праздник в выходной день — следующий рабочий день"
# Religious holidays are not moved off a weekend (Labour Code art. 85 p. 2).
_NEVER_SHIFTED = ("Orthodox Christmas", "Eid al-Adha")
_KURBAN_AIT = "Eid al-Adha"
_SATURDAY = 5
_SUBSTITUTED = re.compile(r"substituted from (\d{2})/(\d{2})/(\d{4})")


@dataclass(frozen=True, slots=True)
class _Holiday:
    day: date
    name: str
    shifts: bool
    source: str


@dataclass(frozen=True, slots=True)
class Corrections:
    """The data file, parsed: transfers, Kurban Ait dates, added and removed holidays."""

    transfers: tuple[tuple[date, date, str, str], ...] = ()
    years_without_transfers: frozenset[int] = frozenset()
    kurban_ait: dict[int, tuple[date, str]] = field(default_factory=dict)
    added: tuple[_Holiday, ...] = ()
    removed: dict[date, str] = field(default_factory=dict)

    def overrides_transfers(self, year: int) -> bool:
        """Whether the data file, not the package, is the authority on this year's transfers."""
        return year in self.years_without_transfers or any(
            year in (moved_to.year, moved_from.year)
            for moved_from, moved_to, _, _ in self.transfers
        )


def parse_corrections(text: str) -> Corrections:
    """Parse the TOML data file; a malformed entry raises ValueError naming it."""
    raw: dict[str, Any] = tomllib.loads(text)
    try:
        transfers = tuple(
            (_as_date(t["from"]), _as_date(t["to"]), str(t["name"]), _source(t))
            for t in raw.get("transfer", [])
        )
        no_transfers = frozenset(int(t["year"]) for t in raw.get("no_transfers", []) if _source(t))
        kurban = {
            _as_date(k["date"]).year: (_as_date(k["date"]), _source(k))
            for k in raw.get("kurban_ait", [])
        }
        added = tuple(
            _Holiday(_as_date(h["date"]), str(h["name"]), bool(h.get("shifts", True)), _source(h))
            for h in raw.get("holiday", [])
        )
        removed = {_as_date(h["date"]): _source(h) for h in raw.get("not_holiday", [])}
    except KeyError as missing:
        raise ValueError(f"{_DATA_FILE}: an entry lacks the field {missing}") from None
    return Corrections(transfers, no_transfers, kurban, added, removed)


def _as_date(value: object) -> date:
    if not isinstance(value, date):
        raise ValueError(f"{_DATA_FILE}: {value!r} is not a TOML date")
    return value


def _source(entry: dict[str, Any]) -> str:
    source = str(entry.get("source", "")).strip()
    if not source:
        raise ValueError(f"{_DATA_FILE}: entry {entry!r} has no legal source")
    return source


class KazakhstanHolidaySchedule:
    """Holidays of Kazakhstan with the weekend-shift rule, transfers and corrections applied."""

    def __init__(self, corrections: Corrections) -> None:
        self._corrections = corrections
        self._days_off: dict[int, dict[date, DayOff]] = {}
        self._working_weekends: dict[int, dict[date, str]] = {}

    def days_off(self, year: int) -> dict[date, DayOff]:
        """Holidays, observed days and transferred rest days of the year (weekends excluded)."""
        if year not in self._days_off:
            self._build(year)
        return self._days_off[year]

    def working_weekend_days(self, year: int) -> dict[date, str]:
        """Saturdays and Sundays made working days by a transfer, with the transfer's source."""
        if year not in self._working_weekends:
            self._build(year)
        return self._working_weekends[year]

    def _build(self, year: int) -> None:
        package = holidays.country_holidays("KZ", years=year, observed=False, language="en_US")
        statutory = self._statutory(year, package)
        days = _with_weekend_shift(statutory)
        rest_days, working_days = self._transfers(year)
        for rest_day in rest_days:
            days[rest_day.day] = rest_day
        working_weekends: dict[date, str] = {}
        for working_day, source in working_days:
            days.pop(working_day, None)
            if working_day.weekday() >= _SATURDAY:
                working_weekends[working_day] = source
        self._days_off[year] = dict(sorted(days.items()))
        self._working_weekends[year] = working_weekends

    def _statutory(self, year: int, package: holidays.HolidayBase) -> list[_Holiday]:
        found: list[_Holiday] = []
        official_kurban = self._corrections.kurban_ait.get(year)
        for day, names in sorted(package.items()):
            for name in str(names).split("; "):
                if "substituted" in name:
                    continue  # a transfer: handled by _transfers
                if name.startswith(_KURBAN_AIT) and official_kurban is not None:
                    continue  # the announced date below replaces the package's
                if day in self._corrections.removed:
                    continue
                shifts = not name.startswith(_NEVER_SHIFTED)
                found.append(_Holiday(day, name, shifts, _LAW))
        if official_kurban is not None:
            found.append(_Holiday(official_kurban[0], "Kurban Ait", False, official_kurban[1]))
        found.extend(h for h in self._corrections.added if h.day.year == year)
        return sorted(found, key=lambda h: h.day)

    def _transfers(self, year: int) -> tuple[list[DayOff], list[tuple[date, str]]]:
        """The year's transferred rest days and the days worked in exchange."""
        if self._corrections.overrides_transfers(year):
            transfers = self._corrections.transfers
            rest = [
                DayOff(to, name, DayOffKind.TRANSFER, source)
                for _, to, name, source in transfers
                if to.year == year
            ]
            worked = [(frm, source) for frm, _, _, source in transfers if frm.year == year]
            return rest, worked
        # Years the data file is silent on: the package's record, "Day off (substituted from
        # MM/DD/YYYY)". The day worked instead may be a weekday (an observed day moved), so it is
        # read from the name rather than from the package's weekend workdays.
        source = "holidays package (KZ special holidays)"
        # A transfer may cross New Year (2014-01-03 for 2013-12-28), so neighbours are read too.
        around = holidays.country_holidays("KZ", years=range(year - 1, year + 2), language="en_US")
        rest, worked = [], []
        for day, name in around.items():
            moved = _SUBSTITUTED.search(str(name))
            if moved is None:
                continue
            if day.year == year:
                rest.append(DayOff(day, str(name), DayOffKind.TRANSFER, source))
            month, dom, from_year = (int(part) for part in moved.groups())
            if from_year == year:
                worked.append((date(from_year, month, dom), source))
        return rest, worked


def _with_weekend_shift(statutory: list[_Holiday]) -> dict[date, DayOff]:
    days = {h.day: DayOff(h.day, h.name, DayOffKind.HOLIDAY, h.source) for h in statutory}
    for holiday in statutory:
        if holiday.day.weekday() < _SATURDAY or not holiday.shifts:
            continue
        observed = holiday.day + timedelta(days=1)
        while observed.weekday() >= _SATURDAY or observed in days:
            observed += timedelta(days=1)
        days[observed] = DayOff(
            observed, f"{holiday.name} (observed)", DayOffKind.OBSERVED, _SHIFT_RULE
        )
    return days


def load_kazakhstan_schedule() -> KazakhstanHolidaySchedule:
    """The schedule with the data file shipped in this package."""
    text = resources.files("kepil.domain.calendar").joinpath("data", _DATA_FILE).read_text("utf-8")
    return KazakhstanHolidaySchedule(parse_corrections(text))
