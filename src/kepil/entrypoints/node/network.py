"""A local network on loopback: node files for `kepil cluster init`, the node processes.

The directory holds `cluster.json` (chain, and per node its name, API, consensus address and
checkpoint public key: what genesis must list), `cluster.password` (mode 0600), and per node
`node-N.toml`, its data directory `node-N/` and its log `node-N.log`.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kepil.entrypoints.node.config import NodeConfig, NodeConfigError, load_node_config
from kepil.entrypoints.node.process import node_public_key

CLUSTER_FILE: Final = "cluster.json"
PASSWORD_FILE: Final = "cluster.password"  # noqa: S105 - a file name
# The signed genesis `kepil platform init` writes and `kepil cluster up` submits.
GENESIS_FILE: Final = "genesis.json"


_LAST_PORT: Final = 65535


class NetworkError(Exception):
    """A network directory that is missing, incomplete or unreadable; the message says which."""


@dataclass(frozen=True, slots=True)
class NetworkLayout:
    """Where a local network's nodes listen."""

    nodes: int
    chain_id: str = "kepil-local"
    host: str = "127.0.0.1"
    api_port: int = 8101
    raft_port: int = 9101
    max_block_txs: int = 1000
    trust_dir: str | None = None  # written into each node.toml (relative to it) when given
    ministry_bin: str = ""
    # Each node's (host, API port, consensus port), when they are not the loopback run above.
    places: tuple[tuple[str, int, int], ...] = ()

    def __post_init__(self) -> None:
        """Refuse ports a node could not listen on (each node takes the next one)."""
        if self.nodes < 1:
            raise ValueError(f"a network needs at least 1 node, not {self.nodes}")
        if self.places:
            if len(self.places) != self.nodes:
                raise ValueError(f"{len(self.places)} node addresses for {self.nodes} nodes")
            for host, *ports in self.places:
                if not host or any(not 0 < port <= _LAST_PORT for port in ports):
                    raise ValueError(f"{host}: ports must lie in 1..{_LAST_PORT}")
            return
        for label, first in (("--api-port", self.api_port), ("--raft-port", self.raft_port)):
            last = first + self.nodes - 1
            if first < 1 or last > _LAST_PORT:
                raise ValueError(
                    f"{label} {first}: {self.nodes} nodes need ports {first}..{last}, "
                    f"which must lie in 1..{_LAST_PORT}"
                )


def init_network(directory: Path, layout: NetworkLayout) -> dict[str, Any]:
    """Write a network's files into `directory` (which must hold none yet); its cluster.json.

    All or nothing: the files are made in a scratch directory beside it and moved in only when
    every one is written, so a failure leaves nothing behind that would stop a retry.
    """
    names = [f"node-{n}" for n in range(1, layout.nodes + 1)]
    entries = [CLUSTER_FILE, PASSWORD_FILE, *(f"{n}.toml" for n in names), *names]
    present = [entry for entry in entries if (directory / entry).exists()]
    if CLUSTER_FILE in present:
        raise FileExistsError(f"{directory / CLUSTER_FILE} exists: the network is already there")
    if present:
        raise FileExistsError(f"{directory} already holds {', '.join(present)}: move them away")
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(20, "not a directory", str(directory))
    directory.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{directory.name}-init-", dir=directory.parent))
    try:
        cluster = _write_network(scratch, layout, names)
        _move_into(scratch, directory, [CLUSTER_FILE])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return cluster


def move_into(scratch: Path, directory: Path, last: list[str]) -> None:
    """Move the scratch directory's entries into `directory`, the ones in `last` at the end;
    on a failure, undo the moves made (`kepil platform init` builds its files so too)."""
    _move_into(scratch, directory, last)


def _move_into(scratch: Path, directory: Path, last: list[str]) -> None:
    """Move the scratch directory's entries into `directory`, the ones in `last` at the end."""
    if not directory.exists():
        scratch.rename(directory)  # one step: the directory appears complete
        return
    entries = sorted(scratch.iterdir(), key=lambda entry: entry.name in last)
    moved: list[Path] = []
    try:
        for entry in entries:
            entry.rename(directory / entry.name)
            moved.append(directory / entry.name)
    except OSError:
        for path in moved:  # undo, so a retry finds the directory as it was
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise


def _trust_lines(layout: NetworkLayout) -> str:
    lines = f"trust_dir = {json.dumps(layout.trust_dir)}\n" if layout.trust_dir else ""
    return lines + (
        f"ministry_bin = {json.dumps(layout.ministry_bin)}\n" if layout.ministry_bin else ""
    )


def _write_network(directory: Path, layout: NetworkLayout, names: list[str]) -> dict[str, Any]:
    _write_private(directory / PASSWORD_FILE, secrets.token_urlsafe(32) + "\n")
    places = layout.places or tuple(
        (layout.host, layout.api_port + i, layout.raft_port + i) for i in range(len(names))
    )
    raft = {name: f"{place[0]}:{place[2]}" for name, place in zip(names, places, strict=True)}
    api = {name: f"{place[0]}:{place[1]}" for name, place in zip(names, places, strict=True)}
    members = []
    for name in names:
        peers = [raft[other] for other in names if other != name]
        peer_api = "\n".join(f'{o} = "http://{api[o]}"' for o in names if o != name)
        text = (
            f"# kepil platform node {name}: run it with `kepil node --config {name}.toml`\n"
            f'name = "{name}"\nchain_id = "{layout.chain_id}"\ndata_dir = "{name}"\n'
            f'api = "{api[name]}"\nraft = "{raft[name]}"\npeers = {json.dumps(peers)}\n'
            f'password_file = "{PASSWORD_FILE}"\nmax_block_txs = {layout.max_block_txs}\n'
            + _trust_lines(layout)
            + f"\n[peer_api]\n{peer_api}\n"
        )
        (directory / f"{name}.toml").write_text(text, encoding="utf-8")
        config = load_node_config(directory / f"{name}.toml")
        members.append(
            {
                "name": name,
                "api": f"http://{api[name]}",
                "raft": raft[name],
                "key": node_public_key(config),
                "config": f"{name}.toml",
            }
        )
    cluster = {"chain_id": layout.chain_id, "nodes": members}
    (directory / CLUSTER_FILE).write_text(json.dumps(cluster, indent=2) + "\n", encoding="utf-8")
    return cluster


def add_node_files(directory: Path) -> dict[str, Any]:
    """Write the files of one more node (next name and ports); its entry for cluster.json.

    The other members' node.toml files are left as they are: the membership change itself
    travels through the log, and a restarted member restores it from there.
    """
    cluster = read_network(directory)
    configs = node_configs(directory)
    last = configs[-1]
    name = f"node-{len(configs) + 1}"
    host, raft_port = last.raft.rsplit(":", 1)
    raft = f"{host}:{int(raft_port) + 1}"
    api = f"{last.api_host}:{last.api_port + 1}"
    peers = [c.raft for c in configs]
    peer_api = "\n".join(f'{c.name} = "{c.api_url}"' for c in configs)
    (directory / f"{name}.toml").write_text(
        f"# kepil platform node {name}, added to a running network\n"
        f'name = "{name}"\nchain_id = "{cluster["chain_id"]}"\ndata_dir = "{name}"\n'
        f'api = "{api}"\nraft = "{raft}"\npeers = {json.dumps(peers)}\n'
        f'password_file = "{PASSWORD_FILE}"\nmax_block_txs = {last.max_block_txs}\n'
        # The newcomer trusts whom the others trust.
        + _trust_lines(
            NetworkLayout(
                1,
                trust_dir=None if last.trust_dir is None else str(last.trust_dir),
                ministry_bin=last.ministry_bin,
            )
        )
        + f"\n[peer_api]\n{peer_api}\n",
        encoding="utf-8",
    )
    config = load_node_config(directory / f"{name}.toml")
    member = {
        "name": name,
        "api": config.api_url,
        "raft": raft,
        "key": node_public_key(config),
        "config": f"{name}.toml",
    }
    cluster["nodes"].append(member)
    (directory / CLUSTER_FILE).write_text(json.dumps(cluster, indent=2) + "\n", encoding="utf-8")
    return member


def drop_node(directory: Path, name: str) -> None:
    """Take a removed node out of cluster.json (its files stay, for the record)."""
    cluster = read_network(directory)
    cluster["nodes"] = [node for node in cluster["nodes"] if node["name"] != name]
    (directory / CLUSTER_FILE).write_text(json.dumps(cluster, indent=2) + "\n", encoding="utf-8")


def read_network(directory: Path) -> dict[str, Any]:
    """A network's cluster.json; NetworkError when there is none or it is not one."""
    path = directory / CLUSTER_FILE
    hint = "make one with `kepil cluster init`"
    if not directory.is_dir():
        raise NetworkError(f"no network at {directory}: no such directory; {hint}")
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise NetworkError(f"no network at {directory}: it has no {CLUSTER_FILE}; {hint}") from None
    except (OSError, ValueError) as error:
        raise NetworkError(f"{path} is unreadable: {error}") from None
    nodes = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(nodes, list) or not isinstance(data.get("chain_id"), str):
        raise NetworkError(f"{path} is not a network file: it needs `chain_id` and `nodes`")
    for node in nodes:
        if not isinstance(node, dict) or not all(
            isinstance(node.get(key), str) for key in ("name", "api", "raft", "config")
        ):
            raise NetworkError(f"{path}: each node needs a name, api, raft and config")
    return data


def node_configs(directory: Path) -> list[NodeConfig]:
    """Every node's configuration in the network at `directory`; NetworkError if it has none."""
    cluster = read_network(directory)
    if not cluster["nodes"]:
        raise NetworkError(f"the network at {directory} lists no nodes")
    try:
        return [load_node_config(directory / node["config"]) for node in cluster["nodes"]]
    except NodeConfigError as error:
        raise NetworkError(str(error)) from None


def start_node(config: NodeConfig) -> subprocess.Popen[bytes]:
    """Start `kepil node --config` for `config` as a child process logging to node-N.log."""
    log_file = open(config.path.with_suffix(".log"), "ab")  # noqa: SIM115 - the child owns it
    try:
        return subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "kepil.entrypoints.cli.main",
                "node",
                "--config",
                str(config.path),
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # Ctrl-C in the terminal reaches `cluster up`, which stops us
        )
    finally:
        log_file.close()


def stop_nodes(processes: list[subprocess.Popen[bytes]], timeout: float = 15.0) -> None:
    """SIGTERM every node, wait up to `timeout` seconds, then SIGKILL what still runs."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _write_private(path: Path, text: str) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(text)


def free_port_run(count: int, low: int = 20_000, high: int = 32_000) -> int:
    """The first of `count` consecutive loopback ports that are free now.

    Below the usual ephemeral range (32768+), so outgoing connections do not take them between
    this check and the nodes binding them. RuntimeError when no such run is found.
    """
    for _ in range(200):
        base = random.randrange(low, high - count)  # noqa: S311 - not a secret
        sockets: list[socket.socket] = []
        try:
            for port in range(base, base + count):
                item = socket.socket()
                sockets.append(item)
                item.bind(("127.0.0.1", port))
        except OSError:
            continue
        finally:
            for item in sockets:
                item.close()
        return base
    raise RuntimeError(f"no {count} consecutive free loopback ports in {low}..{high}")
