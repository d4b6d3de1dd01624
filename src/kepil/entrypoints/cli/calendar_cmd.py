"""`kepil calendar`: the working calendar the Rules' deadlines are counted on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Annotated

import typer

from kepil.domain.calendar import FIRST_YEAR, LAST_YEAR, DayOffKind, kazakhstan_calendar
from kepil.entrypoints.cli.errors import fail, parse_date, parse_moment

calendar_app = typer.Typer(
    help="Kazakh working days (Asia/Almaty): registration days, deadlines, holidays.",
    no_args_is_help=True,
)


@calendar_app.command("registration-day")
def registration_day(
    received_at: Annotated[
        str, typer.Argument(help="When it arrived, ISO 8601; no offset means Almaty time.")
    ],
) -> None:
    """Print the day something received at this moment is registered (Rules §5)."""
    moment = parse_moment(received_at)
    with _refusals():
        typer.echo(kazakhstan_calendar().registration_day(moment).isoformat())


@calendar_app.command("deadline")
def deadline(
    start: Annotated[str, typer.Argument(help="The start day, YYYY-MM-DD (not counted).")],
    working_days: Annotated[
        str,
        typer.Option(
            "--working-days", "-n", metavar="N", help="Length of the term in working days."
        ),
    ],
) -> None:
    """Print when a term of N working days after START ends: 18:30 Almaty time."""
    day = parse_date(start)
    if not working_days.strip().isdigit() or int(working_days) < 1:
        raise fail(f"--working-days must be a whole number of at least 1, not {working_days!r}")
    with _refusals():
        typer.echo(kazakhstan_calendar().deadline(day, int(working_days)).isoformat())


@calendar_app.command("is-working-day")
def is_working_day(
    day: Annotated[str, typer.Argument(help="The day, YYYY-MM-DD.")],
) -> None:
    """Print `true` or `false` (exit status 0 either way)."""
    when = parse_date(day)
    with _refusals():
        typer.echo("true" if kazakhstan_calendar().is_working_day(when) else "false")


@calendar_app.command("working-days-between")
def working_days_between(
    start: Annotated[str, typer.Argument(help="YYYY-MM-DD, not counted.")],
    end: Annotated[str, typer.Argument(help="YYYY-MM-DD, counted.")],
) -> None:
    """Print the number of working days after START up to and including END."""
    first, last = parse_date(start), parse_date(end)
    with _refusals():
        typer.echo(str(kazakhstan_calendar().working_days_between(first, last)))


@calendar_app.command("holidays")
def holidays(
    year: Annotated[str, typer.Argument(help="The year, e.g. 2026.")],
    weekends: Annotated[
        bool, typer.Option("--weekends", help="Also list ordinary Saturdays and Sundays.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="One JSON array instead of lines.")
    ] = False,
) -> None:
    """Print one line per non-working day of the year with its name (tab-separated)."""
    if not (year.strip().isdigit() and FIRST_YEAR <= int(year) <= LAST_YEAR):
        raise fail(f"{year!r} is not a year between {FIRST_YEAR} and {LAST_YEAR}")
    calendar = kazakhstan_calendar()
    first = date(int(year), 1, 1)
    rows = []
    for offset in range((date(int(year) + 1, 1, 1) - first).days):
        off = calendar.day_off(first + timedelta(days=offset))
        if off is None or (off.kind is DayOffKind.WEEKEND and not weekends):
            continue
        rows.append(
            {
                "date": off.day.isoformat(),
                "name": off.name,
                "kind": off.kind.value,
                "source": off.source,
            }
        )
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    for row in rows:
        typer.echo(f"{row['date']}\t{row['name']}")


@contextmanager
def _refusals() -> Iterator[None]:
    """The calendar's refusals (a day outside its years, a term it cannot place) as one line."""
    try:
        yield
    except (ValueError, OverflowError) as error:
        raise fail(str(error)) from None
