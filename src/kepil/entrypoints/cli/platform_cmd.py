"""`kepil platform`: a platform operator's commands."""

from __future__ import annotations

import typer

from kepil.entrypoints.cli.platform_init_cmd import init

platform_app = typer.Typer(
    help="A platform operator's commands: start a platform from its permit.",
    no_args_is_help=True,
)
platform_app.command("init")(init)
