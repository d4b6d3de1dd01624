"""`kepil cluster`: a local network of platform nodes on loopback (init, up, status)."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from kepil.entrypoints.cli.errors import EXIT_INVALID, fail, os_reason

if TYPE_CHECKING:
    from kepil.adapters.node_client import NodeClient
    from kepil.entrypoints.node.config import NodeConfig

cluster_app = typer.Typer(
    help="A local ledger network on loopback: write its files, run it, watch it.",
    no_args_is_help=True,
)

DirOption = Annotated[
    Path, typer.Option("--dir", "-d", help="The network's directory (cluster.json, node files).")
]
ApiPortOption = Annotated[
    int, typer.Option(min=1, max=65535, help="The first node's API port (the next go on).")
]
RaftPortOption = Annotated[
    int, typer.Option(min=1, max=65535, help="The first node's consensus port (the next go on).")
]
_HTTP_TIMEOUT = 2.0
_NODE_FIELDS = frozenset(
    {"name", "applied_log_index", "height", "state_root", "pending", "diverged", "divergent_peers"}
)
_START_SECONDS = 60.0
_GENESIS_WAIT = 20.0


def init_files(
    directory: Path,
    nodes: int,
    chain_id: str,
    api_port: int,
    raft_port: int,
    max_block_txs: int = 1000,
    *,
    trust_dir: str | None = None,
    ministry_bin: str = "",
    places: tuple[tuple[str, int, int], ...] = (),
) -> dict[str, Any]:
    """Write a network's files (`kepil cluster init`, `kepil platform init`); its cluster.json.

    `trust_dir` and `ministry_bin` go into every node.toml: whom the nodes trust for the permit;
    `places`, each node's (host, API port, consensus port) instead of loopback's next ports.
    Exits with a one-line error when the files cannot be written.
    """
    from kepil.entrypoints.node.network import NetworkLayout, init_network

    try:
        layout = NetworkLayout(
            nodes, chain_id, "127.0.0.1", api_port, raft_port, max_block_txs,
            trust_dir, ministry_bin, places,
        )  # fmt: skip
        return init_network(directory, layout)
    except ValueError as error:
        raise fail(str(error)) from None
    except OSError as error:
        raise fail(f"cannot write the network into {directory}: {os_reason(error)}") from None


def _configs(directory: Path) -> list[NodeConfig]:
    from kepil.entrypoints.node.network import NetworkError, node_configs

    try:
        return node_configs(directory)
    except NetworkError as error:
        raise fail(str(error)) from None


@cluster_app.command("init")
def init(
    directory: DirOption = Path("kepil-network"),
    nodes: Annotated[
        int, typer.Option(min=1, max=15, help="How many nodes (5+ for a platform).")
    ] = 5,
    chain_id: Annotated[str, typer.Option(help="The chain the network runs.")] = "kepil-local",
    api_port: ApiPortOption = 8101,
    raft_port: RaftPortOption = 9101,
    max_block_txs: Annotated[int, typer.Option(min=1, max=20000)] = 1000,
) -> None:
    """Write a network's files: password, node.toml and checkpoint key per node, cluster.json."""
    cluster = init_files(directory, nodes, chain_id, api_port, raft_port, max_block_txs)
    typer.echo(json.dumps(cluster, indent=2))


@cluster_app.command("up")
def up(
    directory: DirOption = Path("kepil-network"),
    nodes: Annotated[
        int, typer.Option(min=1, max=15, help="How many nodes, when the directory is new.")
    ] = 5,
    chain_id: Annotated[str, typer.Option(help="The chain, when the directory is new.")] = (
        "kepil-local"
    ),
    api_port: ApiPortOption = 8101,
    raft_port: RaftPortOption = 9101,
) -> None:
    """Start every node of the network (writing its files first if needed); Ctrl-C stops all.

    Genesis must list the nodes' names and checkpoint keys: they are in DIR/cluster.json. When
    DIR holds genesis.json (`kepil platform init`), it is submitted once a leader is elected
    and `up` fails unless it commits `ok` (a chain that has it already is left as it is). A node
    that exits is reported with the reason from its log; with no majority left, `up` fails.
    """
    from rich.console import Console
    from rich.progress import Progress

    from kepil.entrypoints.cli.cluster_watch import NodeWatch
    from kepil.entrypoints.node.network import CLUSTER_FILE, GENESIS_FILE, stop_nodes

    console = Console(stderr=True)
    genesis = _genesis_of(directory)
    if not (directory / CLUSTER_FILE).exists():
        init_files(directory, nodes, chain_id, api_port, raft_port)
        console.print(f"wrote a {nodes}-node network into {directory}")
    watch = NodeWatch(console, _configs(directory))
    stopping = False

    def stop(signum: int, frame: Any) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("starting nodes", total=len(watch.configs))
            deadline = time.monotonic() + _START_SECONDS
            while not stopping and not watch.all_ready(_health):
                progress.update(task, completed=len(watch.ready))
                if time.monotonic() > deadline:
                    raise fail(f"nodes not up after {_START_SECONDS:.0f} s: see the node logs")
                time.sleep(0.1)
            progress.update(task, description="electing a leader")
            while not stopping and not _leader(watch.urls()):
                watch.check_exits()
                if time.monotonic() > deadline:
                    raise fail(f"no leader after {_START_SECONDS:.0f} s: see the node logs")
                time.sleep(0.1)
        if not stopping:
            if genesis is not None:
                _submit_genesis(console, directory / GENESIS_FILE, genesis, watch.urls())
            _print_status(console, [c.api_url for c in watch.configs])
            console.print(f"{watch.summary()}; Ctrl-C stops them all")
        while not stopping:
            watch.check_exits()
            time.sleep(0.2)
    finally:
        console.print("stopping the nodes...")
        stop_nodes(watch.processes)
        console.print("stopped")


@cluster_app.command("status")
def status(
    directory: DirOption = Path("kepil-network"),
    url: Annotated[
        list[str] | None, typer.Option("--url", help="A node's API URL (instead of --dir).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
) -> None:
    """Each node's role, term, height, state root and lag behind the highest node."""
    from rich.console import Console

    from kepil.entrypoints.node.network import NetworkError, read_network

    if url:
        urls = list(url)
    else:
        try:
            urls = [node["api"] for node in read_network(directory)["nodes"]]
        except NetworkError as error:
            raise fail(str(error)) from None
    rows = _statuses(urls)
    if as_json:
        typer.echo(json.dumps({"nodes": rows}))
    else:
        _print_rows(Console(), rows)
    if any(row["state"] != "up" or row.get("diverged") for row in rows):
        raise typer.Exit(EXIT_INVALID)


@cluster_app.command("add")
def add(directory: DirOption = Path("kepil-network")) -> None:
    """Add one more node to the running network: write its files, then ask the members.

    Start it afterwards with the `kepil node --config` line printed. It receives a snapshot of
    the ledger and then the log. Its checkpoints count towards receipts only if genesis listed
    its name and key (genesis fixes the nodes that may sign).
    """
    from kepil.entrypoints.node.network import add_node_files

    configs = _configs(directory)
    member = add_node_files(directory)
    _membership(directory, configs, ["add", member["raft"]])
    typer.echo(json.dumps(member, indent=2))
    typer.echo(f"start it with: kepil node --config {directory / member['config']}", err=True)


@cluster_app.command("remove")
def remove(
    name: Annotated[str, typer.Argument(help="The node to remove, e.g. node-5.")],
    directory: DirOption = Path("kepil-network"),
) -> None:
    """Remove a node from the running network (then stop its process). Not the leader itself."""
    from kepil.entrypoints.node.network import drop_node

    configs = _configs(directory)
    leaving = next((c for c in configs if c.name == name), None)
    if leaving is None:
        raise fail(f"no node {name!r} in {directory}")
    others = [c for c in configs if c.name != name]
    _membership(directory, others, ["remove", leaving.raft])
    drop_node(directory, name)
    typer.echo(f"{name} removed; stop its process now")


def _genesis_of(directory: Path) -> tuple[bytes, str] | None:
    """DIR/genesis.json (its bytes and id) if it is this network's genesis; None if there is
    none; exit 2, before any node starts, when it is unreadable or made for other nodes."""
    from kepil.entrypoints.node.network import (
        CLUSTER_FILE,
        GENESIS_FILE,
        NetworkError,
        read_network,
    )
    from kepil.ledger import decode_tx

    path = directory / GENESIS_FILE
    if not path.exists():
        return None
    if not (directory / CLUSTER_FILE).exists():
        raise fail(
            f"{path} is there without {directory / CLUSTER_FILE}: it was made for other nodes "
            "than the ones `up` would make; move it away or start its own network"
        )
    try:
        network = read_network(directory)
        envelope = path.read_bytes()
        tx = decode_tx(envelope).unsigned
    except NetworkError as error:
        raise fail(str(error)) from None
    except (OSError, ValueError) as error:
        raise fail(f"{path} is not a readable genesis envelope: {error}") from None
    listed = tx.payload.get("nodes") if tx.type == "genesis" else None
    if not isinstance(listed, list):
        raise fail(f"{path} is not a genesis (it is a {tx.type} transaction)")
    ours = sorted((str(n.get("name")), str(n.get("key"))) for n in network["nodes"])
    theirs = sorted((str(n.get("name")), str(n.get("key"))) for n in listed if isinstance(n, dict))
    if tx.chain != network["chain_id"] or theirs != ours:
        what = "chain" if tx.chain != network["chain_id"] else "node keys"
        raise fail(
            f"{path} is not this network's genesis: its {what} differ from {directory}/"
            f"{CLUSTER_FILE} (genesis: chain {tx.chain}, {len(theirs)} nodes; network: chain "
            f"{network['chain_id']}, {len(ours)} nodes); remake it with `kepil platform init "
            f"{directory}` once the old one is moved away"
        )
    return envelope, decode_tx(envelope).tx_id


def _submit_genesis(console: Any, path: Path, genesis: tuple[bytes, str], urls: list[str]) -> None:
    """Submit the network's genesis unless the chain committed it already; fail unless `ok`."""
    from kepil.adapters.node_client import NodeClient, NodeClientError, NodeError, NodeUnreachable

    envelope, tx_id = genesis
    node = NodeClient(urls[0], _GENESIS_WAIT + _HTTP_TIMEOUT)
    try:
        status = node.status(tx_id)
        if status.get("state") != "committed":
            try:
                node.submit(envelope)
            except NodeError as error:
                if error.code != "duplicate":  # a retry finds it pending or committed
                    raise
            status = node.status(tx_id, _GENESIS_WAIT)
    except NodeUnreachable as error:
        raise fail(f"cannot submit the genesis {path}: node unreachable, {error}") from None
    except NodeClientError as error:
        raise fail(f"the genesis {path} was refused: {error}", EXIT_INVALID) from None
    if (status.get("state"), status.get("code")) != ("committed", "ok"):
        detail = f"{status.get('code')}: {status.get('detail')}" if status.get("code") else ""
        raise fail(
            f"the genesis {path} did not commit ({status.get('state')}) {detail}".strip(),
            EXIT_INVALID,
        )
    console.print(f"genesis {tx_id[:16]} committed ok at height {status.get('height')}")


def _membership(directory: Path, members: list[Any], command: list[str]) -> None:
    from pysyncobj.utility import TcpUtility, UtilityException

    from kepil.adapters.raft import wire

    wire.install()  # the nodes speak the sealed wire, so must the admin utility
    errors = []
    for config in members:
        try:
            result = TcpUtility(password=config.password, timeout=15).executeCommand(
                config.raft, command
            )
        except UtilityException as error:
            errors.append(f"{config.name}: {error}")
            continue
        if isinstance(result, str) and result.startswith("SUCCESS"):
            return
        errors.append(f"{config.name}: {result}")
    raise fail(f"the network refused `{' '.join(command)}`: {'; '.join(errors)}", EXIT_INVALID)


def _ask(url: str, call: Callable[[NodeClient], dict[str, Any]]) -> dict[str, Any] | None:
    """`call` on the node at `url`; None when it is down, refuses or is not a node."""
    from kepil.adapters.node_client import NodeClient, NodeClientError

    try:
        return call(NodeClient(url, _HTTP_TIMEOUT))
    except (NodeClientError, ValueError):
        return None


def _health(url: str) -> dict[str, Any] | None:
    return _ask(url, lambda node: node.healthz())


def _leader(urls: list[str]) -> bool:
    return any((_health(u) or {}).get("leader") for u in urls)


def _statuses(urls: list[str]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for url in urls:
        data = _ask(url, lambda node: node.node_status())
        # Whatever answers there without a node's fields (another server on a dead node's
        # port) is no node: it shows as down instead of breaking the table.
        if data is None or not _NODE_FIELDS.issubset(data):
            rows.append({"url": url, "state": "down"})
            continue
        consensus = data.get("consensus") or {}
        rows.append(
            {
                "url": url,
                "state": "up",
                "name": data["name"],
                "role": "leader" if consensus.get("is_leader") else "follower",
                "leader": consensus.get("leader"),
                "term": consensus.get("term"),
                "commit_index": consensus.get("commit_index"),
                "applied_log_index": data["applied_log_index"],
                "height": data["height"],
                "state_root": data["state_root"],
                "pending": data["pending"],
                "diverged": data["diverged"],
                "divergent_peers": data["divergent_peers"],
            }
        )
    top = max((r["height"] for r in rows if r.get("height") is not None), default=None)
    for row in rows:
        if row.get("height") is not None and top is not None:
            row["lag"] = top - row["height"]
    return rows


def _print_status(console: Any, urls: list[str]) -> None:
    _print_rows(console, _statuses(urls))


def _print_rows(console: Any, rows: list[dict[str, Any]]) -> None:
    from rich.table import Table

    table = Table(title="kepil network")
    for column in ("node", "role", "term", "height", "lag", "state root", "log index", "note"):
        table.add_column(column)
    for row in rows:
        if row["state"] == "down":
            table.add_row(row["url"], "[red]down[/red]", "", "", "", "", "", "")
            continue
        note = "DIVERGED" if row["diverged"] else ""
        if row["divergent_peers"]:
            note = (note + " disagrees: " + ", ".join(row["divergent_peers"])).strip()
        root = row["state_root"] or ""
        table.add_row(
            row["name"],
            row["role"],
            str(row["term"]),
            str(row["height"]),
            str(row.get("lag", "")),
            root[:16],
            str(row["applied_log_index"]),
            note,
        )
    console.print(table)
