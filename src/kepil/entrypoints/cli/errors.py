"""How the CLI reports unreadable input: one line on stderr and exit status 2, never a traceback."""

from __future__ import annotations

from datetime import date, datetime

import typer

from kepil.domain.calendar import to_almaty

EXIT_INVALID = 1
EXIT_UNREADABLE = 2


def fail(message: str, code: int = EXIT_UNREADABLE) -> typer.Exit:
    """Print `kepil: error: ...` and build the exit to raise."""
    typer.echo(f"kepil: error: {message}", err=True)
    return typer.Exit(code)


def os_reason(error: OSError) -> str:
    """An OSError as `path: reason`, without Python's errno prefix."""
    reason = error.strerror or str(error)
    return f"{error.filename}: {reason}" if error.filename else reason


def parse_date(text: str) -> date:
    """An ISO date (YYYY-MM-DD), or exit 2 naming what was wrong."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as error:
        raise fail(f"{text!r} is not a date in the form YYYY-MM-DD ({error})") from None


def parse_moment(text: str) -> datetime:
    """An ISO date-time; without an offset it is Almaty local time."""
    try:
        return to_almaty(datetime.fromisoformat(text.strip()))
    except ValueError as error:
        raise fail(
            f"{text!r} is not an ISO date-time such as 2026-04-10T19:05:00+05:00 ({error})"
        ) from None
    except OverflowError:
        # 9999-12-31T23:00-05:00 is a valid text whose Almaty time lies past year 9999.
        raise fail(f"{text!r} is outside the years a date can hold") from None
