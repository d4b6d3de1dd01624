"""The shipped corrections file: parsed strictly, every entry with a legal source."""

from __future__ import annotations

from datetime import date

import pytest

from kepil.domain.calendar.kz_schedule import (
    Corrections,
    KazakhstanHolidaySchedule,
    parse_corrections,
)


def test_an_entry_without_a_legal_source_is_refused() -> None:
    with pytest.raises(ValueError, match="no legal source"):
        parse_corrections("[[not_holiday]]\ndate = 2026-08-30\n")


def test_an_entry_missing_a_field_names_the_field() -> None:
    with pytest.raises(ValueError, match="'to'"):
        parse_corrections('[[transfer]]\nfrom = 2026-01-03\nname = "x"\nsource = "y"\n')


def test_a_transfer_in_the_file_replaces_the_package_transfers_of_that_year() -> None:
    corrections = parse_corrections(
        '[[transfer]]\nfrom = 2024-05-11\nto = 2024-05-10\nname = "moved"\nsource = "order"\n'
    )
    schedule = KazakhstanHolidaySchedule(corrections)
    assert date(2024, 5, 8) not in schedule.days_off(2024)  # the package's transfer is gone
    assert date(2024, 5, 10) in schedule.days_off(2024)
    assert set(schedule.working_weekend_days(2024)) == {date(2024, 5, 11)}


def test_an_added_holiday_on_a_saturday_shifts_to_monday() -> None:
    corrections = parse_corrections(
        '[[holiday]]\ndate = 2030-06-01\nname = "New Day"\nsource = "law"\n'
    )
    days = KazakhstanHolidaySchedule(corrections).days_off(2030)
    assert days[date(2030, 6, 3)].name == "New Day (observed)"


def test_a_religious_correction_is_not_shifted() -> None:
    corrections = parse_corrections(
        '[[holiday]]\ndate = 2030-06-01\nname = "Feast"\nshifts = false\nsource = "law"\n'
    )
    assert date(2030, 6, 3) not in KazakhstanHolidaySchedule(corrections).days_off(2030)


def test_the_official_kurban_ait_replaces_the_package_estimate() -> None:
    estimated = KazakhstanHolidaySchedule(Corrections()).days_off(2027)
    assert any(off.name.startswith("Eid al-Adha") for off in estimated.values())
    corrections = parse_corrections('[[kurban_ait]]\ndate = 2027-05-17\nsource = "ДУМК"\n')
    days = KazakhstanHolidaySchedule(corrections).days_off(2027)
    assert days[date(2027, 5, 17)].name == "Kurban Ait"
    assert not any(off.name.startswith("Eid al-Adha") for off in days.values())
