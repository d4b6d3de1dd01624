"""`kepil bench`: benchmarks that print figures (the ledger's contract: one JSON line)."""

from __future__ import annotations

import io
import json
from typing import Annotated

import typer

from kepil.entrypoints.cli.errors import fail

bench_app = typer.Typer(help="Benchmarks that print figures.", no_args_is_help=True)


@bench_app.command("ledger")
def ledger(
    nodes: Annotated[int, typer.Option(help="Nodes to run; only 1 until the network exists.")] = 1,
    txs: Annotated[int, typer.Option(min=1, help="Transfers, each by a distinct holder.")] = 20000,
    json_output: Annotated[
        bool, typer.Option("--json", help="Print one JSON line (the benchmark contract).")
    ] = False,
    workers: Annotated[
        int, typer.Option(min=0, help="Signature-checking processes; 0 checks inline.")
    ] = 1,
    block_txs: Annotated[int, typer.Option(min=1, help="Most transactions per block.")] = 2000,
    max_wait_ms: Annotated[
        float, typer.Option(min=0, help="Longest a transaction waits for a block to fill.")
    ] = 50.0,
    submit_batch: Annotated[
        int, typer.Option(min=1, max=2000, help="Transactions per submission, as a client batch.")
    ] = 500,
    profile: Annotated[
        bool, typer.Option(help="Produce blocks on one thread under cProfile; summary on stderr.")
    ] = False,
) -> None:
    """Submit TXS signed transfers to an embedded node (after genesis, admissions, issues);
    measure submit-to-commit latency and throughput, then replay every block on a fresh state
    and compare the state roots."""
    from kepil.entrypoints.cli.bench_ledger import BenchError, BenchOptions, run_ledger_bench

    if nodes != 1:
        raise fail(f"--nodes {nodes} needs the network (issue 6); only --nodes 1 runs for now")
    options = BenchOptions(txs, workers, block_txs, max_wait_ms / 1000, submit_batch)
    report = io.StringIO() if profile else None
    try:
        figures = run_ledger_bench(options, report)
    except BenchError as error:
        raise fail(f"the benchmark failed: {error}", code=1) from None
    if report is not None:
        typer.echo(report.getvalue(), err=True)
    if json_output:
        typer.echo(json.dumps(figures))
        return
    for name, value in figures.items():
        typer.echo(f"{name:>18}: {value}")
