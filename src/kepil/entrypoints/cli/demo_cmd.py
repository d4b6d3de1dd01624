"""`kepil demo`: the whole story of a permit and the platform that obeys it, with real processes
and TEST PKI signatures."""

from __future__ import annotations

import shutil
import signal
import tempfile
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail

EXIT_INTERRUPTED = 130


def demo(
    directory: Annotated[
        Path | None,
        typer.Option(
            "--dir",
            "-d",
            help="Folder for everything the demo makes (TEST PKI, server data, node files, "
            "logs); it must be empty or absent, and is kept. Default: a temporary folder.",
            show_default=False,
        ),
    ] = None,
    keep: Annotated[
        bool, typer.Option("--keep", help="Keep the temporary folder (logs, databases, keys).")
    ] = False,
    stay: Annotated[
        bool,
        typer.Option(
            "--stay", help="After the story, keep the server and nodes running until Ctrl-C."
        ),
    ] = False,
) -> None:
    """Tell the whole story, on the embedded default, in under 3 minutes.

    Real processes and real signatures under a TEST PKI; placeholder documents
    (the uploaded contract and guarantee letter are stand-in PDFs).

    \b
    1. A TEST PKI (a CA, an applicant's director, a clerk, an examiner,
       a head); `kepil serve` on a free loopback port trusting it.
    2. The permit procedure over HTTP with real CMS signatures: sign in,
       file, register (completeness), review, the head signs the permit.
    3. `kepil platform init --permit`: a 5-node platform (a process per
       node) whose genesis is that permit; registered for its changes.
       Each node.toml is configured to trust the TEST PKI root and the
       Ministry's BIN (the genesis brings no trust of its own).
    4. Participants onboarded; an asset issued, transferred, pledged and
       released, redeemed.
    5. The Ministry suspends the permit in the registry: the relay in
       `kepil serve` carries it and the platform refuses the next issue
       within seconds, with no human step; the reinstatement lets it
       issue again.

    Each step checks its outcome and prints where to look (registry entry,
    cabinet, each node's explorer pages). Exit 0 only when every step did
    what it should; a failed step is named and the exit is 1. Ctrl-C stops cleanly: each
    process the demo started is ended by its PID and the temporary folder
    is removed unless --keep. Every key and identity it makes is TEST PKI.
    """
    from rich.console import Console

    from kepil.entrypoints.demo.processes import Children
    from kepil.entrypoints.demo.steps import StepFailed, Story
    from kepil.entrypoints.demo.story import tell

    console = Console(highlight=False, soft_wrap=True)
    root, temporary = _root(directory)
    children = Children()
    story = Story(console)
    code = 0
    previous = signal.signal(signal.SIGTERM, _interrupt)
    # Started in the background by a shell, SIGINT comes ignored: the demo still honours it.
    previous_interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)
    console.print(f"[bold]kepil demo[/bold]: everything goes into {root}")
    try:
        tell(story, root, children)
        _summary(console, story)
        if stay:
            console.print("the server and nodes keep running; Ctrl-C stops them")
            while True:
                time.sleep(1)
    except StepFailed as failed:
        _summary(console, story)
        console.print(f"[red]FAILED[/red] at step “{failed.step}”: {failed.reason}")
        if temporary and not keep:
            console.print("run it again with --keep to keep the logs")
        code = EXIT_INVALID
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/yellow]: stopping what the demo started")
        code = EXIT_INTERRUPTED if not story.ok or not stay else 0
    finally:
        # A second Ctrl-C or SIGTERM must not cut the cleanup short (it would leave children
        # running and the folder behind): the cleanup is bounded (STOP_SECONDS each).
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        children.stop_all()
        if temporary and not keep:
            shutil.rmtree(root, ignore_errors=True)
            console.print(f"removed {root} (--keep keeps it)")
        else:
            console.print(f"kept {root}")
        signal.signal(signal.SIGINT, previous_interrupt)
        signal.signal(signal.SIGTERM, previous)
    raise typer.Exit(code)


def _root(directory: Path | None) -> tuple[Path, bool]:
    if directory is None:
        return Path(tempfile.mkdtemp(prefix="kepil-demo-")), True
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise fail(f"--dir {directory} must be an empty folder or not exist yet")
    directory.mkdir(parents=True, exist_ok=True)
    return directory.resolve(), False


def _interrupt(signum: int, frame: Any) -> None:
    # SIGTERM ends the demo as Ctrl-C does: through the cleanup, never around it.
    raise KeyboardInterrupt


def _summary(console: Any, story: Any) -> None:
    from rich.table import Table

    table = Table(title="kepil demo")
    for column in ("#", "step", "seconds", "result"):
        table.add_column(column)
    for number, record in enumerate(story.records, 1):
        result = "[green]ok[/green]" if record.ok else "[red]failed[/red]"
        table.add_row(str(number), record.name, f"{record.seconds:.1f}", result)
    console.print(table)
    console.print(f"{len(story.records)} steps in {story.total_seconds():.1f} s")
    if story.links:
        console.print("[bold]Where to look[/bold] (while the demo runs; --stay keeps it up):")
        for label, url in story.links:
            console.print(f"  {label}: {url}")
