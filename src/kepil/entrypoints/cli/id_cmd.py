"""`kepil id`: check and decode Kazakh IIN/BIN numbers."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Final

import typer

from kepil.adapters.clock import SystemClock
from kepil.domain.calendar import to_almaty
from kepil.domain.identity import Bin, Iin, InvalidIdentifierError, InvalidReason, parse_identifier

# Exit codes: 1 = a readable number that fails a rule, 2 = input that is not a number at all
# (the same code click uses for usage errors, so scripts can tell "bad data" from "bad call").
EXIT_INVALID: Final = 1
EXIT_UNREADABLE: Final = 2

id_app = typer.Typer(help="Check and decode Kazakh IIN (persons) and BIN (businesses) numbers.")


@id_app.callback()
def _id_group() -> None:
    """Check and decode Kazakh IIN (persons) and BIN (businesses) numbers."""
    # A callback keeps `check` a subcommand: a Typer app with one command would swallow its name.


@id_app.command()
def check(
    number: Annotated[str, typer.Argument(help="The 12-digit IIN or BIN, no separators.")],
    as_of_year: Annotated[
        int | None,
        typer.Option(
            help="Latest year a BIN's two-digit registration year may mean (default: this year).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Validate NUMBER and print what it encodes as one line of JSON."""
    try:
        # A person is born in the past: today (Almaty) rules out birth dates still to come.
        identifier = parse_identifier(number, today=_today())
    except InvalidIdentifierError as error:
        if error.reason is InvalidReason.NOT_12_DIGITS:
            typer.echo(f"kepil: error: {error.message}", err=True)
            raise typer.Exit(EXIT_UNREADABLE) from None
        failure = {
            "valid": False,
            "number": number.strip(),
            "error": str(error.reason),
            "message": error.message,
        }
        typer.echo(json.dumps(failure, sort_keys=True, ensure_ascii=False))
        raise typer.Exit(EXIT_INVALID) from None
    year = as_of_year if as_of_year is not None else _current_year()
    typer.echo(json.dumps(_describe(identifier, year), sort_keys=True, ensure_ascii=False))


def _describe(identifier: Iin | Bin, as_of_year: int) -> dict[str, object]:
    if isinstance(identifier, Iin):
        birth_date = identifier.birth_date
        return {
            "valid": True,
            "kind": str(identifier.kind),
            "number": identifier.number,
            "birth_date": None if birth_date is None else birth_date.isoformat(),
            "century": identifier.century,
            "sex": None if identifier.sex is None else str(identifier.sex),
        }
    return {
        "valid": True,
        "kind": str(identifier.kind),
        "number": identifier.number,
        "registration_year": identifier.registration_year(not_after=as_of_year),
        "registration_month": identifier.registration_month,
        "entity_type": str(identifier.entity_type),
        "entity_kind": str(identifier.entity_kind),
    }


def _today() -> date:
    # Registrations and births are dated in Kazakhstan's time: the day turns at Almaty midnight.
    return to_almaty(SystemClock().now()).date()


def _current_year() -> int:
    return _today().year
