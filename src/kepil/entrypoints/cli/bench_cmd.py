"""`kepil bench`: benchmarks that print figures (the ledger's contract: one JSON line).

A thin entry: the engines and their TEST fixtures live in `bench/` of the source checkout, which
is not part of the installed package. This finds that checkout (the one the package is installed
from in editable mode, or the current directory) and runs them; without one it says so.
"""

from __future__ import annotations

import importlib
import io
import json
import signal
import sys
from pathlib import Path
from types import FrameType, ModuleType
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kepil.entrypoints.cli.errors import fail

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)

_ENGINE = Path("bench", "ledger_single.py")
# Measured (issue 22, docs/ledger-network.md): 2 batches of 250 in flight and blocks of 250
# commit as fast as 2 x 500 (1,632-1,893 against 1,589-1,660 tx/s) at half the latency (p50
# 257-295 against 574-616 ms, p99 581-591 against 931-1,206 ms); 10 in flight only waited in
# the nodes' queues (p50 3-4 s).
NETWORK_BLOCK_TXS = 250
NETWORK_SUBMIT_BATCH = 250
SINGLE_SUBMIT_BATCH = 500
NETWORK_IN_FLIGHT = 2


@bench_app.command("ledger")
def ledger(
    nodes: Annotated[
        int,
        typer.Option(
            min=1,
            max=15,
            help="1: an embedded node in this process. More: that many node processes on "
            "loopback (Raft, SQLite, HTTP), in a fresh directory, stopped at the end.",
        ),
    ] = 1,
    txs: Annotated[int, typer.Option(min=1, help="Transfers, each by a distinct holder.")] = 20000,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON line (the benchmark contract).")
    ] = False,
    workers: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Signature-checking processes (per node); 0 checks inline. Default: 1 for one "
            "node; 0 for a network, whose nodes already share the cores.",
        ),
    ] = None,
    block_txs: Annotated[
        int | None,
        typer.Option(
            min=1,
            help=f"Most transactions per block. Default: 2000 for one node, "
            f"{NETWORK_BLOCK_TXS} for a network (measured faster there).",
        ),
    ] = None,
    max_wait_ms: Annotated[
        float, typer.Option(min=0, help="Longest a transaction waits for a block to fill.")
    ] = 50.0,
    submit_batch: Annotated[
        int | None,
        typer.Option(
            min=1,
            max=2000,
            help=f"Transactions per submission, as a client batch. Default: "
            f"{SINGLE_SUBMIT_BATCH} for one node, {NETWORK_SUBMIT_BATCH} for a network.",
        ),
    ] = None,
    in_flight: Annotated[
        int,
        typer.Option(
            min=1, help="Network: client batches in flight (submitted, not yet seen committed)."
        ),
    ] = NETWORK_IN_FLIGHT,
    submit_to: Annotated[
        str,
        typer.Option(
            help="Network: 'all' spreads the batches round-robin over the nodes (each node "
            "proposes its own blocks: the faster, measured); 'leader' sends all to the leader."
        ),
    ] = "all",
    directory: Annotated[
        Path | None,
        typer.Option("--dir", help="Network: keep the nodes' files, logs and profiles here."),
    ] = None,
    profile: Annotated[
        bool,
        typer.Option(
            help="1 node: produce blocks on one thread under cProfile. Network: py-spy samples "
            "the leader and a follower during the timed phase. Summary on stderr."
        ),
    ] = False,
    rules: Annotated[
        int,
        typer.Option(
            min=1,
            max=2,
            help="Signature rules the benchmark chain's genesis names: 2 (ZIP 215, "
            "ed25519-zebra), what `kepil platform init` gives a new chain; 1 (libsodium) to "
            "compare with chains that have not switched.",
        ),
    ] = 2,
) -> None:
    """Submit TXS signed transfers (after genesis, admissions, issues); measure submit-to-commit
    latency and throughput, and check the state roots (1 node: replayed on a fresh state;
    network: every node's equal)."""
    if nodes > 1:
        _network(
            nodes, txs, json_output, 0 if workers is None else workers,
            NETWORK_BLOCK_TXS if block_txs is None else block_txs, max_wait_ms,
            NETWORK_SUBMIT_BATCH if submit_batch is None else submit_batch,
            in_flight, submit_to, directory, profile, rules,
        )  # fmt: skip
        return
    single = _bench_module("ledger_single")
    options = single.BenchOptions(
        txs,
        1 if workers is None else workers,
        2000 if block_txs is None else block_txs,
        max_wait_ms / 1000,
        SINGLE_SUBMIT_BATCH if submit_batch is None else submit_batch,
        rules=rules,
    )
    report = io.StringIO() if profile else None
    try:
        figures = single.run_ledger_bench(options, report)
    except single.BenchError as error:
        raise fail(f"the benchmark failed: {error}", code=1) from None
    if report is not None:
        typer.echo(report.getvalue(), err=True)
    _print(figures, json_output)


@bench_app.command("pages")
def pages(
    entries: Annotated[
        int, typer.Option(min=1, help="Registry entries to insert, with their histories.")
    ] = 100_000,
    requests: Annotated[
        int, typer.Option(min=1, help="Timed requests of each page (after 3 not timed).")
    ] = 100,
    database_url: Annotated[
        str | None,
        typer.Option(
            help="A PostgreSQL server to use (a fresh schema, dropped at the end); "
            "default: a fresh SQLite file."
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(
            help="Another checkout's `kepil` executable: it serves its own copy of the same "
            "entries and is asked in turn with this one, request by request (before/after)."
        ),
    ] = None,
    full_exports: Annotated[
        int, typer.Option(min=0, help="Times to download the whole registry as CSV.")
    ] = 1,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON line (the benchmark contract).")
    ] = False,
) -> None:
    """Serve the pages with ENTRIES registry entries (`kepil serve` over loopback) and print each
    page's p50/p95/p99 latency and requests/s in both languages, peak RSS and the machine."""
    engine = _bench_module("pages")
    # The server is this installation's own `kepil serve`, beside the interpreter running this.
    kepil = Path(sys.executable).with_name("kepil")
    if not kepil.is_file():
        raise fail(f"no kepil executable beside {sys.executable} to serve the pages with")
    if baseline is not None and not baseline.is_file():
        raise fail(f"--baseline {baseline} is not a kepil executable")
    progress = None if json_output else (lambda text: typer.echo(text, err=True))
    try:
        figures = engine.run_pages_bench(
            entries, requests, database_url, kepil, baseline, full_exports, progress
        )
    except engine.BenchError as error:
        raise fail(f"the benchmark failed: {error}", code=1) from None
    if json_output:
        typer.echo(json.dumps(figures, ensure_ascii=False))
    else:
        engine.print_table(figures)


def _network(
    nodes: int,
    txs: int,
    json_output: bool,
    workers: int,
    block_txs: int,
    max_wait_ms: float,
    submit_batch: int,
    in_flight: int,
    submit_to: str,
    directory: Path | None,
    profile: bool,
    rules: int,
) -> None:
    from rich.console import Console
    from rich.progress import Progress

    engine = _bench_module("ledger_network")
    choices = (engine.SUBMIT_ALL, engine.SUBMIT_LEADER)
    if submit_to not in choices:
        raise fail(f"--submit-to must be {choices[0]} or {choices[1]}")
    if profile and engine.py_spy() is None:
        raise fail("--profile with --nodes > 1 needs py-spy (pip install py-spy)")
    if block_txs > 20_000:
        raise fail("--block-txs must be at most 20000 for a network (node.toml's bound)")
    options = engine.NetworkBenchOptions(
        nodes, txs, block_txs, max(1, round(max_wait_ms)), submit_batch, workers, in_flight,
        submit_to, directory=directory, profile=profile, rules=rules,
    )  # fmt: skip
    console = Console(stderr=True)
    # SIGTERM unwinds like Ctrl-C, so the finally that stops the node processes runs.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        if json_output:
            figures = engine.run_network_bench(options)
        else:
            with Progress(console=console, transient=True) as bar:
                figures = engine.run_network_bench(options, _RichStages(bar, console))
    except engine.BenchError as error:
        raise fail(f"the benchmark failed: {error}", code=1) from None
    except FileExistsError as error:
        raise fail(str(error)) from None
    finally:
        signal.signal(signal.SIGTERM, previous)
    profiles = figures.pop("profiles", None)
    if profiles is not None:
        console.print_json(json.dumps(profiles))
    _print(figures, json_output)


def find_checkout(candidates: list[Path] | None = None) -> Path | None:
    """The source checkout whose `bench/` holds the engines: by default only the one this package
    is installed from (editable: src/kepil is inside it). Never the current directory: running
    `kepil bench` somewhere must not run that directory's code."""
    if candidates is None:
        import kepil

        candidates = [Path(kepil.__file__).resolve().parents[2]]
    for root in candidates:
        if (root / "bench" / "__init__.py").is_file() and (root / _ENGINE).is_file():
            return root
    return None


def _bench_module(name: str) -> ModuleType:
    """`bench.<name>` from the checkout; exit 2 when there is none."""
    root = find_checkout()
    if root is None:
        raise fail(
            "the benchmarks run from a source checkout of kepil (its bench/ directory is not "
            "installed): install kepil from one with `pip install -e` (as `make install` does)"
        )
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    return importlib.import_module(f"bench.{name}")


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


class _RichStages:
    """Progress stages as a Rich bar on stderr."""

    def __init__(self, bar: RichProgress, console: Any) -> None:
        self._bar = bar
        self._console = console
        self._task: TaskID | None = None

    def stage(self, text: str, total: int | None = None) -> None:
        """Close the last stage's bar and open one for `text`."""
        if self._task is not None:
            self._bar.remove_task(self._task)
        self._console.log(text)
        self._task = self._bar.add_task(text, total=total)

    def advance(self, count: int) -> None:
        """Move the bar."""
        if self._task is not None:
            self._bar.advance(self._task, count)


def _print(figures: dict[str, Any], json_output: bool) -> None:
    if json_output:
        typer.echo(json.dumps(figures))
        return
    for name, value in figures.items():
        typer.echo(f"{name:>18}: {value}")
