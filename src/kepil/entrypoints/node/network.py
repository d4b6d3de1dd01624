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
import signal
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from kepil.entrypoints.node.config import NodeConfig, load_node_config
from kepil.entrypoints.node.process import node_public_key

CLUSTER_FILE: Final = "cluster.json"
PASSWORD_FILE: Final = "cluster.password"  # noqa: S105 - a file name


@dataclass(frozen=True, slots=True)
class NetworkLayout:
    """Where a local network's nodes listen."""

    nodes: int
    chain_id: str = "kepil-local"
    host: str = "127.0.0.1"
    api_port: int = 8101
    raft_port: int = 9101
    max_block_txs: int = 1000


def init_network(directory: Path, layout: NetworkLayout) -> dict[str, Any]:
    """Write a network's files into `directory` (which must hold none yet); its cluster.json."""
    if (directory / CLUSTER_FILE).exists():
        raise FileExistsError(f"{directory / CLUSTER_FILE} exists: the network is already there")
    directory.mkdir(parents=True, exist_ok=True)
    _write_private(directory / PASSWORD_FILE, secrets.token_urlsafe(32) + "\n")
    names = [f"node-{n}" for n in range(1, layout.nodes + 1)]
    raft = {name: f"{layout.host}:{layout.raft_port + i}" for i, name in enumerate(names)}
    api = {name: f"{layout.host}:{layout.api_port + i}" for i, name in enumerate(names)}
    members = []
    for name in names:
        peers = [raft[other] for other in names if other != name]
        peer_api = "\n".join(f'{o} = "http://{api[o]}"' for o in names if o != name)
        text = (
            f"# kepil platform node {name}: run it with `kepil node --config {name}.toml`\n"
            f'name = "{name}"\nchain_id = "{layout.chain_id}"\ndata_dir = "{name}"\n'
            f'api = "{api[name]}"\nraft = "{raft[name]}"\npeers = {json.dumps(peers)}\n'
            f'password_file = "{PASSWORD_FILE}"\nmax_block_txs = {layout.max_block_txs}\n'
            f"\n[peer_api]\n{peer_api}\n"
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
        f"\n[peer_api]\n{peer_api}\n",
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
    """A network's cluster.json."""
    data: dict[str, Any] = json.loads((directory / CLUSTER_FILE).read_text(encoding="utf-8"))
    return data


def node_configs(directory: Path) -> list[NodeConfig]:
    """Every node's configuration in the network at `directory`."""
    cluster = read_network(directory)
    return [load_node_config(directory / node["config"]) for node in cluster["nodes"]]


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
