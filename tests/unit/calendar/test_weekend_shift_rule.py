"""kepil's weekend-shift rule agrees with the `holidays` package where no correction applies."""

from __future__ import annotations

import holidays
import pytest

from kepil.domain.calendar.kz_schedule import Corrections, KazakhstanHolidaySchedule


@pytest.mark.parametrize("year", range(2010, 2026))
def test_shift_rule_reproduces_the_package_observed_days(year: int) -> None:
    package = holidays.country_holidays("KZ", years=year, language="en_US")
    ours = KazakhstanHolidaySchedule(Corrections())
    assert set(ours.days_off(year)) == set(package)
    assert set(ours.working_weekend_days(year)) == set(package.weekend_workdays) & {
        d for d in package.weekend_workdays if d.year == year
    }
