"""The `kepil` command: one entry point, a sub-command per area."""

from __future__ import annotations

import sys

import click
import typer

from kepil.entrypoints.cli.calendar_cmd import calendar_app
from kepil.entrypoints.cli.db_cmd import db_app
from kepil.entrypoints.cli.errors import EXIT_UNREADABLE
from kepil.entrypoints.cli.id_cmd import id_app
from kepil.entrypoints.cli.serve_cmd import serve

app = typer.Typer(
    name="kepil",
    help="kepil: the permit service of Order 130/НҚ and the secured digital asset platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve)
app.add_typer(calendar_app, name="calendar")
app.add_typer(id_app, name="id")
app.add_typer(db_app, name="db")


def main() -> None:
    """Run the CLI; usage errors become one line on stderr with exit status 2."""
    try:
        code = app(standalone_mode=False)
    except click.UsageError as error:
        # Scripts parse our stderr: one line, no box drawing, no traceback.
        hint = f" (see `{error.ctx.command_path} --help`)" if error.ctx else ""
        click.echo(f"kepil: error: {error.format_message()}{hint}", err=True)
        sys.exit(EXIT_UNREADABLE)
    except click.exceptions.Exit as done:
        sys.exit(done.exit_code)
    except click.Abort:
        click.echo("kepil: aborted", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


if __name__ == "__main__":
    main()
