"""`kepil relay run`: the relay of registry status changes to the platforms, on its own."""

from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail

relay_app = typer.Typer(
    help="The relay of the registry's status changes to the platforms registered for a permit.",
    no_args_is_help=True,
)


@relay_app.command("run")
def run(
    once: Annotated[
        bool, typer.Option("--once", help="One pass over the due changes, then exit.")
    ] = False,
) -> None:
    """Deliver the registry's status changes to the platforms, retrying with back-off, until
    stopped (Ctrl-C); `kepil serve` runs the same relay unless KEPIL_RELAY=off."""
    from pydantic import ValidationError
    from sqlalchemy.exc import SQLAlchemyError

    from kepil.adapters.clock import SystemClock
    from kepil.adapters.logs import configure_logging
    from kepil.bootstrap import database
    from kepil.bootstrap.relay import relay
    from kepil.config import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors())
        raise fail(f"invalid configuration: {problems}") from None
    configure_logging(settings.log_level, settings.log_format.value)
    try:
        db = database(settings)
    except SQLAlchemyError as error:
        raise fail(f"cannot open the database: {str(error).splitlines()[0]}") from None
    worker = relay(settings, db.engine, SystemClock())
    stop = threading.Event()

    def stopped(_signal: int, _frame: FrameType | None) -> None:
        stop.set()

    if not once:
        signal.signal(signal.SIGINT, stopped)
        signal.signal(signal.SIGTERM, stopped)
    try:
        while True:
            report = worker.run_once()
            if once:
                typer.echo(
                    f"delivered {len(report.delivered)}, failed {len(report.failed)}, "
                    f"refused or superseded {len(report.refused)}"
                )
                return
            if stop.wait(settings.relay_interval_seconds):
                return
    finally:
        db.engine.dispose()
