"""`kepil audit`: verify a node's ledger file offline, block by block, and its checkpoints.

The file is never opened for writing: SQLite's backup API copies it into a temporary directory
and the copy is audited (the ledger store creates tables and a WAL in any file it opens). Exit
status: 0 when nothing is wrong, 1 when there are findings, 2 when the input cannot be read.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Final

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail

if TYPE_CHECKING:
    from kepil.adapters.ledger_store import SqliteLedgerStore
    from kepil.ledger import Executor, PermitVerifier
    from kepil.ledger.statekeys import StateKey, Value
    from kepil.services.ledger.audit import AuditReport

LEDGER_FILE: Final = "ledger.sqlite3"
PROGRESS_FROM: Final = 100  # blocks; a shorter chain is audited before a bar could be read


def make_permit_verifier() -> PermitVerifier:
    """The verifier the replay checks the Ministry's permit and status changes with.

    The node's own: the anchors of KEPIL_TRUST_DIR and the Ministry's BIN from the environment,
    so a genesis whose permit no Ministry head signed under them is a finding. The command's one
    seam: tests replace this function (monkeypatch) to audit chains of test fixture permits.
    """
    from kepil.adapters.clock import SystemClock
    from kepil.bootstrap.ledger import permit_verifier
    from kepil.config import Settings

    return permit_verifier(Settings(), SystemClock())


def audit(
    path: Annotated[
        Path,
        typer.Argument(
            metavar="PATH",
            help=f"A node's ledger file, or its data directory (then ledger/{LEDGER_FILE} in "
            f"it, else {LEDGER_FILE}).",
            show_default=False,
        ),
    ],
    chain_id: Annotated[
        str | None,
        typer.Option(
            "--chain-id",
            help="The chain id to replay as; default: the genesis block's own.",
            show_default=False,
        ),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as one JSON object on stdout.")
    ] = False,
) -> None:
    """Verify a node's ledger file offline, without changing it.

    Re-executes every block from genesis: every signature, result and state root.

    Compares the file's head, state table and transaction index with the replay.

    Checks every checkpoint: a genesis node's, signed with its key, of the same block and root.

    Heights not yet confirmed by a majority of the nodes are listed; they are not findings.

    Exit status: 0 nothing wrong, 1 findings, 2 unreadable input.
    """
    from kepil.adapters.ledger_store import SchemaMismatch, SqliteLedgerStore
    from kepil.ledger import Executor, default_registry

    ledger_file = _ledger_file(path)
    with tempfile.TemporaryDirectory(prefix="kepil-audit-") as scratch:
        copy = Path(scratch) / LEDGER_FILE
        _snapshot(ledger_file, copy)
        try:
            store = SqliteLedgerStore(copy)
        except (sqlite3.Error, SchemaMismatch, RuntimeError, ValueError, KeyError) as error:
            raise fail(f"{ledger_file} is not a readable ledger file: {error}") from None
        with store:
            if store.head() is None:
                raise fail(f"{ledger_file} holds no blocks: there is nothing to audit")
            chain = chain_id or _genesis_chain_id(store, ledger_file)
            executor = Executor(chain, default_registry(make_permit_verifier()))
            try:
                report = _run(store, executor, copy, show_progress=not as_json)
            except sqlite3.Error as error:
                raise fail(f"{ledger_file} cannot be read to the end: {error}") from None
    if as_json:
        typer.echo(json.dumps({"file": str(ledger_file), **report.to_json()}, ensure_ascii=False))
    else:
        typer.echo(_summary(report, ledger_file))
    if not report.ok:
        raise typer.Exit(EXIT_INVALID)


def _ledger_file(path: Path) -> Path:
    if path.is_dir():
        for candidate in (path / "ledger" / LEDGER_FILE, path / LEDGER_FILE):
            if candidate.is_file():
                return candidate
        raise fail(f"{path} holds neither ledger/{LEDGER_FILE} nor {LEDGER_FILE}")
    if not path.is_file():
        raise fail(f"{path}: no such ledger file or data directory")
    return path


def _snapshot(source: Path, target: Path) -> None:
    # Without a WAL beside it no node has the file open: reading it as immutable keeps SQLite
    # from leaving -wal and -shm files next to it. With one, read through the WAL, read-only.
    wal = source.with_name(source.name + "-wal")
    query = "mode=ro" if wal.exists() else "mode=ro&immutable=1"
    try:
        reading = sqlite3.connect(f"{source.resolve().as_uri()}?{query}", uri=True)
        try:
            writing = sqlite3.connect(target)
            try:
                reading.backup(writing)
            finally:
                writing.close()
        finally:
            reading.close()
    except sqlite3.Error as error:
        raise fail(f"cannot read {source} as an SQLite file: {error}") from None


def _genesis_chain_id(store: SqliteLedgerStore, ledger_file: Path) -> str:
    # The header column first; a spoiled one is the audit's to report, so try the block too.
    try:
        return str(store.block_headers(0, 1)[0]["chain_id"])
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    try:
        genesis = store.block_json(0) or {}
        return str(genesis["header"]["chain_id"])
    except (ValueError, KeyError, TypeError):
        raise fail(f"{ledger_file}: the genesis block names no chain id; pass --chain-id") from None


def _run(
    store: SqliteLedgerStore, executor: Executor, copy: Path, show_progress: bool
) -> AuditReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from kepil.services.ledger.audit import audit_chain

    head = store.head()
    blocks = 0 if head is None else head.height + 1
    entries = _state_entries(copy)
    console = Console(stderr=True)
    if not show_progress or blocks < PROGRESS_FROM or not console.is_terminal:
        return audit_chain(store, executor, index=store, state_entries=entries)
    columns = (BarColumn(), MofNCompleteColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as progress:
        task = progress.add_task("blocks", total=blocks)
        return audit_chain(
            store,
            executor,
            lambda height, _head: progress.update(task, completed=height + 1),
            index=store,
            state_entries=entries,
        )


def _state_entries(copy: Path) -> Iterator[tuple[StateKey, Value]]:
    from kepil.ledger.statekeys import key_from_text, value_from_json

    connection = sqlite3.connect(f"{copy.as_uri()}?mode=ro", uri=True)
    try:
        for text, stored in connection.execute("SELECT key, value FROM state"):
            key = key_from_text(text)
            yield key, value_from_json(key, stored)
    finally:
        connection.close()


def _span(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _summary(report: AuditReport, ledger_file: Path) -> str:
    head = report.head_height if report.head_height is not None else -1
    lines = [f"ledger file   {ledger_file}", f"chain         {report.chain_id}"]
    if report.complete:
        lines.append(
            f"blocks        {_span(0, head)} re-executed: {report.heights_checked} blocks, "
            f"{report.transactions} transactions"
        )
        lines.append(f"state root    {report.state_root}")
    else:
        lines.append(
            f"blocks        {report.heights_checked} of {head + 1} re-executed; the replay "
            f"stopped at height {report.heights_checked}, later blocks cannot be judged"
        )
    nodes = ", ".join(report.nodes) or "none known"
    lines.append(f"nodes         {nodes} (a majority is {report.majority})")
    confirmed = report.confirmed_height
    lines.append(
        "checkpoints   "
        + ("no height confirmed" if confirmed is None else f"confirmed up to height {confirmed}")
    )
    if report.unconfirmed:
        spans = ", ".join(_span(first, last) for first, last in report.unconfirmed[:10])
        more = ", ..." if len(report.unconfirmed) > 10 else ""
        lines.append(f"              without a majority (yet): {spans}{more}")
    if report.ok:
        lines.append("result        OK: no findings")
        return "\n".join(lines)
    lines.append(f"result        {len(report.findings)} finding(s)")
    for finding in report.findings:
        where = "file" if finding.height is None else f"height {finding.height}"
        lines.append(f"  {where}: {finding.kind.value}: {finding.detail}")
    return "\n".join(lines)
