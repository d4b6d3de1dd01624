"""The `kepil` command: one entry point, a sub-command per area."""

from __future__ import annotations

import sys
import tempfile
import traceback
from typing import NoReturn

import typer

from kepil.entrypoints.cli.audit_cmd import audit
from kepil.entrypoints.cli.bench_cmd import bench_app
from kepil.entrypoints.cli.calendar_cmd import calendar_app
from kepil.entrypoints.cli.cluster_cmd import cluster_app
from kepil.entrypoints.cli.db_cmd import db_app
from kepil.entrypoints.cli.demo_cmd import demo
from kepil.entrypoints.cli.doc_cmd import doc_app
from kepil.entrypoints.cli.eds_cmd import eds_app
from kepil.entrypoints.cli.errors import EXIT_INVALID, EXIT_UNREADABLE
from kepil.entrypoints.cli.id_cmd import id_app
from kepil.entrypoints.cli.monitoring_cmd import monitoring_app
from kepil.entrypoints.cli.ncalayer_cmd import ncalayer
from kepil.entrypoints.cli.node_cmd import node
from kepil.entrypoints.cli.permit_tx_cmd import permit_tx
from kepil.entrypoints.cli.pki_cmd import pki_app
from kepil.entrypoints.cli.platform_cmd import platform_app
from kepil.entrypoints.cli.relay_cmd import relay_app
from kepil.entrypoints.cli.serve_cmd import serve
from kepil.entrypoints.cli.staff_cmd import staff_app
from kepil.entrypoints.cli.sweep_cmd import sweep
from kepil.entrypoints.cli.wallet_cmd import wallet_app
from kepil.signing.certificates import ignore_long_name_warnings

app = typer.Typer(
    name="kepil",
    help="kepil: the permit service of Order 130/НҚ and the secured digital asset platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command("serve")(serve)
app.command("sweep")(sweep)
app.command("node")(node)
app.command("audit")(audit)
app.command("ncalayer")(ncalayer)
app.command("permit-tx")(permit_tx)
app.command("demo")(demo)
app.add_typer(calendar_app, name="calendar")
app.add_typer(id_app, name="id")
app.add_typer(db_app, name="db")
app.add_typer(eds_app, name="eds")
app.add_typer(doc_app, name="doc")
app.add_typer(pki_app, name="pki")
app.add_typer(monitoring_app, name="monitoring")
app.add_typer(staff_app, name="staff")
app.add_typer(wallet_app, name="wallet")
app.add_typer(bench_app, name="bench")
app.add_typer(cluster_app, name="cluster")
app.add_typer(platform_app, name="platform")
app.add_typer(relay_app, name="relay")


def main() -> None:
    """Run the CLI; usage errors become one line on stderr with exit status 2."""
    ignore_long_name_warnings()
    try:
        code = app(standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("kepil: aborted", err=True)
        sys.exit(130)
    except Exception as error:
        # Typer vendors its own click, so its UsageError is matched by the class's name, not
        # imported. Scripts parse our stderr: one line, no box drawing, no traceback.
        if not _is_click_error(error):
            _crash(error)
        context = getattr(error, "ctx", None)
        hint = f" (see `{context.command_path} --help`)" if context is not None else ""
        message = error.format_message()  # type: ignore[attr-defined]
        typer.echo(f"kepil: error: {message}{hint}", err=True)
        sys.exit(getattr(error, "exit_code", EXIT_UNREADABLE))
    sys.exit(code if isinstance(code, int) else 0)


def _crash(error: Exception) -> NoReturn:
    """A bug, not bad input: one line naming it and the file holding the traceback; exit 1."""
    try:
        with tempfile.NamedTemporaryFile(
            "w", prefix="kepil-crash-", suffix=".log", delete=False, encoding="utf-8"
        ) as log:
            log.write("".join(traceback.format_exception(error)))
        where = f"the traceback is in {log.name}"
    except OSError:
        where = "no traceback file could be written"
    summary = " ".join(str(error).split())[:200]
    typer.echo(
        f"kepil: internal error: {type(error).__name__}: {summary} ({where}; please report it)",
        err=True,
    )
    sys.exit(EXIT_INVALID)


def _is_click_error(error: Exception) -> bool:
    return any(cls.__name__ == "ClickException" for cls in type(error).__mro__)


if __name__ == "__main__":
    main()
