"""`kepil monitoring`: the §10 stage log kept by this instance."""

from __future__ import annotations

import json

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID

monitoring_app = typer.Typer(help="The monitoring stage log (Rules §10).", no_args_is_help=True)


@monitoring_app.command("verify")
def verify() -> None:
    """Check every entry's hash and link; exit 1 and name the first broken entry if tampered."""
    from kepil.bootstrap import bootstrap
    from kepil.services.monitoring import check_chain

    container = bootstrap()
    try:
        result = check_chain(container.uow())
    finally:
        container.close()
    report = {
        "intact": result.intact,
        "checked": result.checked,
        "first_broken_seq": result.first_broken_seq,
        "reason": result.reason,
    }
    typer.echo(json.dumps(report))
    if not result.intact:
        raise typer.Exit(EXIT_INVALID)
