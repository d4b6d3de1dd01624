"""An IIN's birth date cannot lie after the day it is checked on."""

from __future__ import annotations

from datetime import date

import pytest

from kepil.domain.identity import InvalidIdentifierError, InvalidReason, parse_identifier, parse_iin

TODAY = date(2026, 4, 10)
BORN_2082 = "820303500000"  # digit 7 = 5: a man born in the 2000s, so 2082-03-03
LEAP_2000 = "000229000006"  # digit 7 = 0: century unknown


def test_an_iin_born_in_2082_is_invalid_when_checked_in_2026() -> None:
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier(BORN_2082, today=TODAY)
    assert raised.value.reason is InvalidReason.BAD_BIRTH_DATE
    assert "2082-03-03" in raised.value.message


def test_parse_iin_applies_the_same_rule() -> None:
    with pytest.raises(InvalidIdentifierError):
        parse_iin(BORN_2082, today=TODAY)


def test_an_iin_born_today_is_valid() -> None:
    born_today = parse_iin("260410500014", today=TODAY)
    assert born_today.birth_date == TODAY


def test_without_a_date_the_domain_cannot_judge_the_future_and_accepts_the_number() -> None:
    # Ledger validation must not depend on a clock: it parses without `today`.
    assert parse_iin(BORN_2082).birth_date == date(2082, 3, 3)


def test_digit_7_zero_needs_some_century_whose_date_has_passed() -> None:
    # 29 February of a year ending 00 exists only in 2000 (1800 and 1900 were not leap years).
    assert parse_identifier(LEAP_2000, today=TODAY).kind == "iin"
    with pytest.raises(InvalidIdentifierError) as raised:
        parse_identifier(LEAP_2000, today=date(1999, 12, 31))
    assert raised.value.reason is InvalidReason.BAD_BIRTH_DATE
