"""The `kepil calendar` contract that other tools script against."""

from __future__ import annotations

from collections.abc import Callable
from subprocess import CompletedProcess

import pytest

Kepil = Callable[..., CompletedProcess[str]]


def test_registration_day_after_hours_prints_the_next_working_day(kepil: Kepil) -> None:
    done = kepil("calendar", "registration-day", "2026-04-10T19:05:00+05:00")
    assert (done.returncode, done.stdout, done.stderr) == (0, "2026-04-13\n", "")


def test_registration_day_without_offset_is_almaty_time(kepil: Kepil) -> None:
    assert kepil("calendar", "registration-day", "2026-04-10T18:00").stdout == "2026-04-10\n"


def test_deadline_prints_1830_with_the_almaty_offset(kepil: Kepil) -> None:
    done = kepil("calendar", "deadline", "2026-04-10", "--working-days", "2")
    assert (done.returncode, done.stdout) == (0, "2026-04-14T18:30:00+05:00\n")


@pytest.mark.parametrize(("day", "answer"), [("2026-04-13", "true"), ("2026-03-23", "false")])
def test_is_working_day_prints_true_or_false_and_exits_zero(
    kepil: Kepil, day: str, answer: str
) -> None:
    done = kepil("calendar", "is-working-day", day)
    assert (done.returncode, done.stdout) == (0, f"{answer}\n")


def test_holidays_prints_one_named_line_per_day_off(kepil: Kepil) -> None:
    done = kepil("calendar", "holidays", "2026")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert "2026-03-24\tNowruz Holiday (observed)" in lines
    assert "2026-05-27\tKurban Ait" in lines
    assert all("\t" in line for line in lines)
    assert [line[:10] for line in lines] == sorted(line[:10] for line in lines)


def test_working_days_between_counts_working_days(kepil: Kepil) -> None:
    assert kepil("calendar", "working-days-between", "2026-04-10", "2026-04-14").stdout == "2\n"


@pytest.mark.parametrize(
    "args",
    [
        ("calendar", "registration-day", "yesterday"),
        ("calendar", "deadline", "2026-13-01", "--working-days", "2"),
        ("calendar", "deadline", "2026-04-10", "--working-days", "two"),
        ("calendar", "deadline", "2026-04-10"),
        ("calendar", "is-working-day", "2026-02-30"),
        ("calendar", "holidays", "twenty"),
        ("calendar", "no-such-command"),
    ],
)
def test_unreadable_input_exits_2_with_one_line_and_no_traceback(
    kepil: Kepil, args: tuple[str, ...]
) -> None:
    done = kepil(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("kepil: error: ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_help_describes_every_calendar_command(kepil: Kepil) -> None:
    done = kepil("calendar", "--help")
    assert done.returncode == 0
    for command in ("registration-day", "deadline", "is-working-day", "holidays"):
        assert command in done.stdout
