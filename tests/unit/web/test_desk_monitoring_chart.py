"""The monitoring page's weekly chart, measured on the server: a round value axis, bars in
proportion to their values and standing on the zero line, week labels in the language."""

from __future__ import annotations

from datetime import date, timedelta

from kepil.entrypoints.web.desk_monitoring_chart import BASELINE, TOP, chart, scale_top
from kepil.entrypoints.web.i18n import Language
from kepil.services.permits.views.dashboard import Week


def _week(starts: date, received: int, permits: int = 0, late: int = 0) -> Week:
    return Week(starts, received, permits, 0, 0, 0, late)


def test_the_value_axis_ends_on_a_round_number_in_at_most_five_steps() -> None:
    assert scale_top(0) == (1, 1)
    assert scale_top(3) == (3, 1)
    assert scale_top(5) == (5, 1)
    assert scale_top(7) == (8, 2)
    assert scale_top(23) == (25, 5)
    assert scale_top(480) == (500, 100)


def test_bars_stand_on_the_zero_line_in_proportion_to_their_values() -> None:
    weeks = [_week(date(2025, 12, 29), 4, permits=2), _week(date(2026, 1, 5), 0, late=1)]
    drawn = chart(weeks, Language.RU)
    assert [bar.series for bar in drawn.bars[:3]] == ["received", "decided", "late"]
    received, decided, late = drawn.bars[:3]
    assert received.y + received.height == BASELINE
    assert received.height == BASELINE - TOP  # the peak reaches the top of the axis
    assert decided.height == received.height / 2
    assert late.height == 0
    assert [tick.value for tick in drawn.ticks] == [0, 1, 2, 3, 4]
    assert drawn.weeks[0].x < drawn.weeks[1].x
    assert all(bar.x >= drawn.left for bar in drawn.bars)
    assert max(bar.x + bar.width for bar in drawn.bars) <= drawn.width - drawn.right


def test_week_labels_are_the_mondays_in_the_language_across_the_year_end() -> None:
    mondays = [date(2025, 12, 22) + timedelta(weeks=n) for n in range(3)]
    weeks = [_week(day, 1) for day in mondays]
    russian = chart(weeks, Language.RU).weeks
    kazakh = chart(weeks, Language.KK).weeks
    assert [(label.day, label.month) for label in russian] == [
        ("22", "дек."),
        ("29", "дек."),
        ("5", "янв."),
    ]
    assert [label.day for label in kazakh] == ["22", "29", "5"]
    assert kazakh[0].month != russian[0].month
