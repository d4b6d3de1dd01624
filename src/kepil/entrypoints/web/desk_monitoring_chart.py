"""The 12-week chart of the monitoring page, laid out on the server: bars per week for the
applications received, decided and the stages done late, with a value axis and week labels.

The template draws what this module measures, so the page needs no script and the same
numbers stand in the table beside the chart.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from babel.dates import format_date

from kepil.entrypoints.web.i18n import N_, Language
from kepil.services.permits.views.dashboard import Week

# Each series is drawn with its own fill pattern as well as its colour (WCAG 1.4.1).
SERIES: Final = (
    ("received", N_("Applications received")),
    ("decided", N_("Applications decided")),
    ("late", N_("Stages done late")),
)

WIDTH: Final = 760
HEIGHT: Final = 400
LEFT: Final = 56
RIGHT: Final = 12
TOP: Final = 24
BASELINE: Final = 260
"""The y of the value 0; week labels and the legend lie below it."""
_BAR: Final = 16
_GAP: Final = 2
_MAX_TICKS: Final = 5


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: where it stands and what it counts."""

    series: str
    x: float
    y: float
    width: float
    height: float
    value: int
    label_x: float


@dataclass(frozen=True, slots=True)
class WeekLabel:
    """The Monday a week begins on, written under its bars in two lines (day, month)."""

    x: float
    day: str
    month: str


@dataclass(frozen=True, slots=True)
class Tick:
    """A line of the value axis."""

    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    """Everything the template draws."""

    width: int
    height: int
    left: int
    right: int
    baseline: int
    bars: tuple[Bar, ...]
    weeks: tuple[WeekLabel, ...]
    ticks: tuple[Tick, ...]
    legend_y: int


def scale_top(peak: int) -> tuple[int, int]:
    """The top of the value axis and its step: a round step, at most five steps to the top."""
    step = 1
    for magnitude in range(0, 12):
        for factor in (1, 2, 5):
            step = factor * 10**magnitude
            if math.ceil(max(peak, 1) / step) <= _MAX_TICKS:
                return max(math.ceil(peak / step), 1) * step, step
    return peak, step


def values(week: Week) -> dict[str, int]:
    """The week's value of each series."""
    return {"received": week.received, "decided": week.decided, "late": week.stages_late}


def chart(weeks: Sequence[Week], language: Language) -> Chart:
    """The bars, the week labels and the value axis for these weeks."""
    peak = max((max(values(week).values()) for week in weeks), default=0)
    top, step = scale_top(peak)
    plot = BASELINE - TOP
    group = (WIDTH - LEFT - RIGHT) / max(len(weeks), 1)
    bars: list[Bar] = []
    labels: list[WeekLabel] = []
    for index, week in enumerate(weeks):
        centre = LEFT + group * index + group / 2
        first = centre - (len(SERIES) * _BAR + (len(SERIES) - 1) * _GAP) / 2
        for place, (series, _) in enumerate(SERIES):
            value = values(week)[series]
            height = plot * value / top
            x = first + place * (_BAR + _GAP)
            bars.append(
                Bar(
                    series,
                    round(x, 1),
                    round(BASELINE - height, 1),
                    _BAR,
                    round(height, 1),
                    value,
                    round(x + _BAR / 2, 1),
                )
            )
        locale = language.babel_locale
        labels.append(
            WeekLabel(
                round(centre, 1),
                format_date(week.starts, "d", locale=locale),
                format_date(week.starts, "MMM", locale=locale),
            )
        )
    ticks = tuple(
        Tick(round(BASELINE - plot * value / top, 1), value) for value in range(0, top + 1, step)
    )
    return Chart(
        WIDTH, HEIGHT, LEFT, RIGHT, BASELINE, tuple(bars), tuple(labels), ticks, BASELINE + 64
    )
