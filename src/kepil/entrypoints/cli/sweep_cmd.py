"""`kepil sweep`: mark the stages that missed their deadline and tell who owes them (Rules §10)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kepil.entrypoints.cli.errors import fail

if TYPE_CHECKING:
    from kepil.services.permits.sweeper import SweepReport


def sweep(
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Run one overdue sweep on the configured database (migrated first) and report it."""
    # Imported here: `kepil calendar ...` runs in scripts and must not pay for the database.
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.logs import configure_logging
    from kepil.bootstrap import ConfigurationError, bootstrap
    from kepil.config import Settings
    from kepil.services.permits.sweeper import SweepOverdue

    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise fail(f"invalid configuration: {problems}") from None
    configure_logging(settings.log_level, settings.log_format.value)
    try:
        container = bootstrap(settings)
    except ConfigurationError as error:
        raise fail(f"invalid configuration: {error}") from None
    except SQLAlchemyError as error:
        raise fail(f"cannot open the database: {_first_line(error)}") from None
    try:
        report = container.bus.handle(SweepOverdue())
    except SQLAlchemyError as error:
        raise fail(f"the sweep failed: {_first_line(error)}") from None
    finally:
        container.close()
    typer.echo(json.dumps(_as_dict(report), ensure_ascii=False) if as_json else _as_text(report))


def _first_line(error: Exception) -> str:
    return str(error.__cause__ or error).splitlines()[0]


def _as_dict(report: SweepReport) -> dict[str, Any]:
    return {
        "at": report.at.isoformat(),
        "marked": len(report.marked),
        "per_stage": report.per_stage,
        "stages": [
            {
                "application_number": item.application_number,
                "stage": str(item.stage),
                "due": item.due.isoformat(),
                "responsible": str(item.responsible),
            }
            for item in report.marked
        ],
    }


def _as_text(report: SweepReport) -> str:
    if not report.marked:
        return f"swept at {report.at:%Y-%m-%d %H:%M:%S %Z}: no new overdue stages"
    lines = [f"swept at {report.at:%Y-%m-%d %H:%M:%S %Z}: {len(report.marked)} overdue marked"]
    lines += [f"  {stage}: {count}" for stage, count in sorted(report.per_stage.items())]
    return "\n".join(lines)
