"""Act 3: a 5-node platform on loopback, started from the permit the service just issued.

The nodes trust the run's TEST PKI root and the Ministry's BIN (node.toml), not anything the
genesis brings: the genesis carries the head's CMS exactly as the applicant received it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from kepil.adapters.node_client import NodeClient, NodeClientError
from kepil.entrypoints.demo.people import (
    APPLICANT_BIN,
    MINISTRY_BIN,
    Person,
)
from kepil.entrypoints.demo.permit import IssuedPermit
from kepil.entrypoints.demo.processes import Children, kepil_command
from kepil.entrypoints.demo.server import (
    COMMAND_SECONDS,
    Server,
    child_environment,
    server_environment,
)
from kepil.entrypoints.node.network import (
    free_port_run,
    node_configs,
    read_network,
)
from kepil.ledger import SignedTx, build_tx, decode_tx, window_at
from kepil.ledger.crypto import SigningKey

CHAIN_ID: Final = "kepil-demo"
NODES: Final = 5
START_SECONDS: Final = 90.0  # five interpreters importing kepil at once on two cores
PROBE_SECONDS: Final = 5.0
COMMIT_SECONDS: Final = 20.0


class LedgerStepError(Exception):
    """A transaction did not end as the story needs: which, and how it ended."""


@dataclass
class Platform:
    """The running network: its nodes' URLs and names, the operator's key, the signers' keys."""

    directory: Path
    nodes: list[dict[str, Any]]
    operator_key: SigningKey
    keys: dict[str, SigningKey] = field(default_factory=dict)
    genesis: SignedTx | None = None
    turn: int = 0
    target: int = 0  # the node the last transaction built goes to
    last_tx: str = ""

    @property
    def urls(self) -> list[str]:
        """Each node's API URL."""
        return [str(node["api"]) for node in self.nodes]

    def client(self, index: int, timeout: float = 30.0) -> NodeClient:
        """Node `index`'s API."""
        return NodeClient(self.urls[index], timeout, direct=True)

    def key(self, signer: str) -> SigningKey:
        """The signer's Ed25519 key (TEST, made for this run)."""
        if signer == APPLICANT_BIN:
            return self.operator_key
        return self.keys.setdefault(signer, SigningKey.generate())

    def caught_up(self) -> NodeClient:
        """The next node in turn, once it has applied the story's last transaction (a follower
        a block behind would answer with what was true before it)."""
        self.target = self.turn % len(self.nodes)
        self.turn += 1
        node = self.client(self.target)
        if self.last_tx:
            node.status(self.last_tx, wait=COMMIT_SECONDS)
        return node

    def tx(self, payload: Any, *signers: str) -> SignedTx:
        """`payload` signed by `signers`, each at the nonce the network expects next (asked of
        the node the transaction then goes to)."""
        node = self.caught_up()
        nonces = {s: int(node.account(s)["next_nonce"]) for s in signers}
        window = window_at(int(time.time()) - 60, 3600)
        unsigned = build_tx(CHAIN_ID, payload, nonces, window)
        return unsigned.sign({s: self.key(s) for s in signers})

    def commit(self, tx: SignedTx) -> dict[str, Any]:
        """Submit `tx` to the next node and wait for its commit; its status there."""
        node = self.client(self.target, timeout=COMMIT_SECONDS + 10)
        node.submit(tx.to_bytes())
        self.last_tx = tx.tx_id
        deadline = time.monotonic() + COMMIT_SECONDS
        while True:
            status = node.status(tx.tx_id, wait=min(5.0, COMMIT_SECONDS))
            if status.get("state") in {"committed", "rejected"}:
                return status
            if time.monotonic() > deadline:
                raise LedgerStepError(f"{tx.type} {tx.tx_id[:12]} not committed: {status}")

    def send(self, payload: Any, *signers: str) -> str:
        """Build, sign, submit and wait; the tx id when it committed ok, else LedgerStepError."""
        tx = self.tx(payload, *signers)
        status = self.commit(tx)
        if (status.get("state"), status.get("code")) != ("committed", "ok"):
            raise LedgerStepError(f"{tx.type} {tx.tx_id[:12]} ended {status}")
        return tx.tx_id


def prepare_platform(
    directory: Path, trust: Path, permit: IssuedPermit, server: Server, holder: Person
) -> Platform:
    """`kepil platform init --permit …` run as the operator would, against the demo's server:
    it fetches the permit and its CMS with the holder's session, judges it as the nodes will,
    and writes the node files (trusting `trust` and the Ministry's BIN), the operator's key and
    the signed genesis. Nothing runs yet."""
    base = free_port_run(2 * NODES)
    args = [
        "platform", "init", str(directory), "--permit", permit.permit_number,
        "--server", server.url, "--operator-bin", APPLICANT_BIN, "--nodes", str(NODES),
        "--chain-id", CHAIN_ID, "--trust-dir", str(trust.resolve()),
        "--ministry-bin", MINISTRY_BIN, "--api-port", str(base), "--raft-port", str(base + NODES),
    ]  # fmt: skip
    # The token goes by the environment, as the command allows: not on a command line others see.
    env = {**server_environment(server.root, trust), "KEPIL_TOKEN": holder.token}
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        kepil_command(*args),
        env=env,
        capture_output=True,
        text=True,
        timeout=COMMAND_SECONDS,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"kepil platform init exited {done.returncode}: {done.stderr.strip()}")
    cluster = read_network(directory)
    platform = Platform(directory, list(cluster["nodes"]), _wallet_key(directory / "operator.key"))
    platform.genesis = decode_tx((directory / "genesis.json").read_bytes().strip())
    return platform


def start_nodes(platform: Platform, children: Children) -> None:
    """Start each node of the platform as a child process; wait for their APIs and a leader."""
    directory = platform.directory
    env = child_environment()
    # Started here rather than by start_node so that each gets the demo's environment, not
    # whatever the caller's holds.
    processes = [
        children.start(
            kepil_command("node", "--config", str(config.path)),
            config.path.with_suffix(".log"),
            env,
        )
        for config in node_configs(directory)
    ]

    def exited() -> None:
        for process, node in zip(processes, platform.nodes, strict=True):
            if process.poll() is not None:
                log = directory / f"{node['name']}.log"
                raise RuntimeError(f"{node['name']} exited ({process.returncode}): see {log}")

    _wait(lambda: all(_health(u) for u in platform.urls), exited, "every node's API")
    _wait(lambda: any((_health(u) or {}).get("leader") for u in platform.urls), exited, "a leader")


def start_chain(platform: Platform) -> str:
    """Submit the platform's genesis and wait for it to commit ok; its tx id."""
    genesis = platform.genesis
    if genesis is None:
        raise LedgerStepError("the platform has no genesis")
    platform.caught_up()  # the node it goes to
    status = platform.commit(genesis)
    if (status.get("state"), status.get("code")) != ("committed", "ok"):
        raise LedgerStepError(f"genesis {genesis.tx_id[:12]} ended {status}")
    return genesis.tx_id


def _wallet_key(path: Path) -> SigningKey:
    """The key in a `kepil wallet keygen` file: one hex seed under comment lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    seeds = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    if len(seeds) != 1:
        raise RuntimeError(f"{path} is not a wallet key file")
    return SigningKey(bytes.fromhex(seeds[0]))


def _health(url: str) -> dict[str, Any] | None:
    try:
        return NodeClient(url, PROBE_SECONDS, direct=True).healthz()
    except (NodeClientError, ValueError):
        return None


def _wait(condition: Callable[[], bool], exited: Callable[[], None], what: str) -> None:
    deadline = time.monotonic() + START_SECONDS
    while not condition():
        exited()
        if time.monotonic() > deadline:
            raise RuntimeError(f"no {what} after {START_SECONDS:.0f} s: see the node logs")
        # The nodes announce nothing; their APIs are polled, briefly and bounded.
        time.sleep(0.2)
