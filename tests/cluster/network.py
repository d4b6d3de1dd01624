"""A local network of real node processes on loopback, for the cluster tests.

`LocalNetwork` writes the network's files with `init_network`, starts every node as its own
process (`python -m kepil.entrypoints.cli.main node --config node-N.toml`) and only ever
signals the processes it started itself, by the Popen it holds. Every wait has a deadline and
fails with a message that ends with the tail of each node's log.
"""

from __future__ import annotations

import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from bench.workload import NetworkWorkload, distinct_iins, ministry_ca, ministry_trust
from kepil.adapters.node_client import NodeClient, NodeClientError, NodeUnreachable
from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.node.network import (
    NetworkLayout,
    free_port_run,
    init_network,
    node_configs,
    start_node,
    stop_nodes,
)
from kepil.ledger import SignedTx, decode_tx

CHAIN_ID: Final = "kepil-faults"
START_DEADLINE: Final = 60.0  # five interpreters importing kepil at once on two cores
LEADER_DEADLINE: Final = 30.0
STOP_DEADLINE: Final = 15.0
PROBE_TIMEOUT: Final = 15.0  # one HTTP request to a node while checking on it (a busy
# node applying a large block on a loaded two-core machine answers in seconds)
LOG_TAIL_LINES: Final = 25


@dataclass
class Bootstrapped:
    """A chain after genesis and setup, and the workload that signs its transactions."""

    workload: NetworkWorkload
    genesis: SignedTx
    setup: list[SignedTx]
    lock: threading.Lock = field(default_factory=threading.Lock)  # the workload's nonces

    def transfers(self, count: int, start: int = 0) -> list[SignedTx]:
        """`count` fresh transfers (thread-safe)."""
        with self.lock:
            return self.workload.transfers(count, start)

    def transfer(self, sender: str, recipient: str, amount: int) -> SignedTx:
        """One fresh transfer (thread-safe)."""
        with self.lock:
            return self.workload.transfer(sender, recipient, amount)


class LocalNetwork:
    """`size` node processes on loopback under `directory`; use as a fixture (close() at the
    end, which the fixture must call whatever happened)."""

    def __init__(self, directory: Path, size: int = 5, max_block_txs: int = 1000) -> None:
        self.directory = directory
        self.size = size
        self.max_block_txs = max_block_txs
        self.cluster: dict[str, Any] = {}
        self.configs: list[NodeConfig] = []
        self.processes: list[subprocess.Popen[bytes] | None] = [None] * size
        self._started: list[subprocess.Popen[bytes]] = []  # every process this harness began

    # Starting and stopping.

    def start(self) -> None:
        """Write the files, start every node, wait for each API and for a leader."""
        base = free_port_run(2 * self.size)
        trust_dir, ministry_bin = ministry_trust(self.directory)
        layout = NetworkLayout(
            nodes=self.size,
            chain_id=CHAIN_ID,
            api_port=base,
            raft_port=base + self.size,
            max_block_txs=self.max_block_txs,
            trust_dir=trust_dir,
            ministry_bin=ministry_bin,
        )
        self.cluster = init_network(self.directory, layout)
        self.configs = node_configs(self.directory)
        for index in range(self.size):
            self._spawn(index)
        self.wait_healthy(range(self.size))
        self.leader_index()

    def _spawn(self, index: int) -> None:
        assert self.processes[index] is None, f"node {index} is already running"
        process = start_node(self.configs[index])
        self.processes[index] = process
        self._started.append(process)

    def kill9(self, *indexes: int) -> None:
        """SIGKILL nodes `indexes` (processes this harness started) at once, then reap them."""
        killed = []
        for index in indexes:
            process = self.processes[index]
            assert process is not None, f"node {index} is not running"
            process.send_signal(signal.SIGKILL)
            killed.append(process)
            self.processes[index] = None
        for process in killed:
            process.wait(STOP_DEADLINE)

    def stop(self, index: int) -> None:
        """SIGTERM node `index`; SIGKILL it if it is still there after STOP_DEADLINE."""
        process = self.processes[index]
        assert process is not None, f"node {index} is not running"
        stop_nodes([process], STOP_DEADLINE)
        self.processes[index] = None

    def restart(self, *indexes: int) -> None:
        """Start nodes `indexes` again with the same files; wait for their APIs."""
        for index in indexes:
            self._spawn(index)
        self.wait_healthy(indexes)

    def close(self) -> None:
        """Stop every process this harness started: SIGTERM, then SIGKILL after a bound."""
        stop_nodes(self._started, STOP_DEADLINE)
        self.processes = [None] * self.size

    def running(self) -> list[int]:
        """The indexes of the nodes whose process runs."""
        return [i for i, p in enumerate(self.processes) if p is not None and p.poll() is None]

    # Talking to nodes.

    def client(self, index: int, timeout: float = 30.0) -> NodeClient:
        """Node `index`'s API, each request bounded by `timeout` seconds (plus any wait)."""
        return NodeClient(self.configs[index].api_url, timeout)

    def node_keys(self) -> list[tuple[str, str]]:
        """(name, checkpoint public key) of every node, as cluster.json lists them."""
        return [(node["name"], node["key"]) for node in self.cluster["nodes"]]

    def raft_address(self, index: int) -> str:
        """Node `index`'s consensus address."""
        return self.configs[index].raft

    def wait_healthy(self, indexes: Iterable[int], deadline: float = START_DEADLINE) -> None:
        """Wait until each node in `indexes` answers /healthz."""
        waiting = set(indexes)

        def answered() -> bool:
            for index in sorted(waiting):
                self._check_alive(index)
                try:
                    if self.client(index, PROBE_TIMEOUT).healthz().get("status") == "ok":
                        waiting.discard(index)
                except NodeClientError:  # not listening yet, or not ready to answer
                    pass
            return not waiting

        self.wait_for(answered, lambda: f"the APIs of nodes {sorted(waiting)}", deadline)

    def statuses(self, indexes: Iterable[int] | None = None) -> dict[int, dict[str, Any]]:
        """GET /api/v1/ledger/node of each running node in `indexes` (default: all running)."""
        chosen = self.running() if indexes is None else list(indexes)
        return {i: self.client(i, PROBE_TIMEOUT).node_status() for i in chosen}

    def leader_index(self, deadline: float = LEADER_DEADLINE) -> int:
        """The running node that leads, once a majority of the running nodes agree on it."""
        found: list[int] = []

        def agreed() -> bool:
            try:
                views = self.statuses()
            except NodeUnreachable:
                return False
            leaders = [i for i, v in views.items() if (v["consensus"] or {}).get("is_leader")]
            if len(leaders) != 1:
                return False
            address = self.raft_address(leaders[0])
            followers = sum(
                1 for v in views.values() if (v["consensus"] or {}).get("leader") == address
            )
            if followers < self.size // 2 + 1:
                return False
            found[:] = leaders
            return True

        self.wait_for(agreed, lambda: "one leader that a majority of the nodes follow", deadline)
        return found[0]

    def wait_heights_equal(
        self, deadline: float = 60.0, indexes: Sequence[int] | None = None
    ) -> int:
        """Wait until the nodes (default: all running) stand at one height with nothing
        pending and one state root; that height."""
        chosen = list(self.running() if indexes is None else indexes)
        seen: dict[int, tuple[Any, Any, Any]] = {}

        def equal() -> bool:
            try:
                views = self.statuses(chosen)
            except NodeUnreachable:
                return False
            seen.clear()
            seen.update({i: (v["height"], v["state_root"], v["pending"]) for i, v in views.items()})
            heights = {h for h, _, _ in seen.values()}
            roots = {r for _, r, _ in seen.values()}
            idle = all(p == 0 for _, _, p in seen.values())
            return len(heights) == 1 and None not in heights and len(roots) == 1 and idle

        self.wait_for(
            equal, lambda: f"equal heights and roots on nodes {chosen}; last seen {seen}", deadline
        )
        return int(next(iter(seen.values()))[0])

    def height(self, index: int) -> int | None:
        """Node `index`'s head height; None before genesis or while it does not answer."""
        try:
            height = self.client(index, PROBE_TIMEOUT).node_status()["height"]
        except NodeUnreachable:
            return None
        return None if height is None else int(height)

    def state_roots(self, indexes: Iterable[int] | None = None) -> dict[int, str]:
        """Each running node's state root at its head."""
        return {i: v["state_root"] for i, v in self.statuses(indexes).items()}

    def wait_committed(
        self, tx_ids: Sequence[str], indexes: Iterable[int] | None = None, deadline: float = 60.0
    ) -> dict[int, dict[str, dict[str, Any]]]:
        """Wait until every tx in `tx_ids` is committed on every node in `indexes` (default:
        all running); each node's status of each tx."""
        chosen = list(self.running() if indexes is None else indexes)
        found: dict[int, dict[str, dict[str, Any]]] = {i: {} for i in chosen}
        missing: list[tuple[int, str, Any]] = []

        def committed() -> bool:
            missing.clear()
            for index in chosen:
                client = self.client(index, PROBE_TIMEOUT)
                for tx_id in tx_ids:
                    if tx_id in found[index]:
                        continue
                    try:
                        status = client.status(tx_id)
                    except NodeUnreachable:
                        missing.append((index, tx_id, "unreachable"))
                        break
                    if status.get("state") == "committed":
                        found[index][tx_id] = status
                    else:
                        missing.append((index, tx_id, status.get("state")))
                        break  # this node lags; ask again later
            return not missing

        self.wait_for(
            committed, lambda: f"{len(tx_ids)} txs committed on nodes {chosen}: {missing}", deadline
        )
        return found

    def chain_results(self, index: int) -> dict[str, tuple[int, int, str]]:
        """Every transaction in node `index`'s chain: tx id -> (height, index, result code) of
        where it applied, else of its last refused copy (a proposal retried after a lost answer
        may put a second copy in the log, refused as a stale nonce). None applied twice."""
        client = self.client(index, 60.0)
        height = client.node_status()["height"]
        found: dict[str, tuple[int, int, str]] = {}
        for level in range(height + 1):
            block = client.block(level)
            assert block is not None, f"node {index} has no block {level}"
            for position, (envelope, code) in enumerate(
                zip(block["txs"], block["results"], strict=True)
            ):
                tx_id = decode_tx(envelope).tx_id
                earlier = found.get(tx_id)
                if earlier is not None and earlier[2] == "ok":
                    assert code != "ok", f"node {index} applied {tx_id} twice: {earlier}, {level}"
                    continue
                found[tx_id] = (level, position, code)
        return found

    # Bootstrapping a chain.

    def bootstrap(self, holders: int = 200) -> Bootstrapped:
        """Genesis (through a follower), then the issuer, the asset and `holders` funded
        holders; wait until every node holds all of it, each transaction ok."""
        workload = NetworkWorkload(
            CHAIN_ID, self.node_keys(), distinct_iins(holders + 1), ministry_ca(self.directory)
        )
        leader = self.leader_index()
        follower = next(i for i in range(self.size) if i != leader)
        genesis = workload.genesis()
        self._submit(follower, [genesis])
        self.wait_committed([genesis.tx_id])
        setup = workload.setup()
        for start in range(0, len(setup), 2000):
            self._submit((follower + 1) % self.size, setup[start : start + 2000])
        self.wait_committed([setup[-1].tx_id], deadline=120.0)
        self.wait_heights_equal()
        chain = self.chain_results(follower)
        results = {tx.tx_id: chain.get(tx.tx_id) for tx in [genesis, *setup]}
        refused = {tx_id: r for tx_id, r in results.items() if r is None or r[2] != "ok"}
        assert not refused, f"setup transactions not ok: {list(refused.items())[:5]}"
        return Bootstrapped(workload, genesis, setup)

    def _submit(self, index: int, txs: Sequence[SignedTx]) -> None:
        results = self.client(index, 60.0).submit_batch(txs)
        refused = [r for r in results if "tx_id" not in r]
        assert not refused, f"node {index} refused: {refused[:3]}"

    # Waiting and explaining.

    def wait_for(
        self, condition: Callable[[], bool], what: Callable[[], str], deadline: float
    ) -> float:
        """Poll `condition` until true or `deadline` seconds passed (then fail with the node
        logs); the seconds it took."""
        began = time.monotonic()
        while not condition():
            if time.monotonic() - began > deadline:
                raise AssertionError(
                    f"timed out after {deadline:.0f} s waiting for {what()}\n{self.log_tails()}"
                )
            time.sleep(0.05)
        return time.monotonic() - began

    def _check_alive(self, index: int) -> None:
        process = self.processes[index]
        if process is None or process.poll() is not None:
            code = None if process is None else process.returncode
            raise AssertionError(f"node {index} is not running (exit {code})\n{self.log_tails()}")

    def log_tails(self, lines: int = LOG_TAIL_LINES) -> str:
        """The last `lines` lines of each node's log."""
        parts = []
        for config in self.configs:
            path = config.path.with_suffix(".log")
            try:
                text = path.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            except OSError as error:
                text = [f"(unreadable: {error})"]
            parts.append(f"--- {path.name} (last {lines} lines) ---\n" + "\n".join(text))
        return "\n".join(parts)


class Load:
    """Transfers from background threads, in small batches, round-robin to the running nodes.

    Each thread owns a disjoint group of senders and waits for its batch's commit before the
    next one, so a sender's nonces reach the log in order. A transaction is acknowledged when
    the node it was submitted to reports it committed with code "ok"; `acknowledged` maps it to
    (node index, monotonic time of the acknowledgement).
    """

    def __init__(
        self,
        network: LocalNetwork,
        chain: Bootstrapped,
        threads: int = 3,
        batch: int = 20,
        senders: Sequence[str] | None = None,
    ) -> None:
        self.network = network
        self.chain = chain
        self.batch = batch
        holders = list(senders if senders is not None else chain.workload.holders)
        size = len(holders) // threads
        assert size >= 2, "each load thread needs at least two holders"
        self.groups = [holders[k * size : (k + 1) * size] for k in range(threads)]
        self.acknowledged: dict[str, tuple[int, float]] = {}
        self.submitted = 0  # admitted by a node
        self.unanswered = 0  # admitted, then the node went down before it told the outcome
        self.unacknowledged: dict[str, dict[str, Any]] = {}  # told, but not committed ok
        self.refused: dict[str | None, int] = {}  # refused at admission, by code
        self.unexpected: list[str] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(k,), name=f"load-{k}", daemon=True)
            for k in range(threads)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Stop submitting and wait for the threads (each finishes its batch)."""
        self._stop.set()
        for thread in self._threads:
            thread.join(90.0)
            assert not thread.is_alive(), f"{thread.name} did not stop"

    def count(self) -> int:
        """How many transactions were acknowledged so far."""
        with self._lock:
            return len(self.acknowledged)

    def acknowledged_after(self, moment: float) -> int:
        """How many were acknowledged after monotonic time `moment`."""
        with self._lock:
            return sum(1 for _, at in self.acknowledged.values() if at > moment)

    def wait_count(self, count: int, deadline: float) -> None:
        """Wait until `count` transactions are acknowledged."""
        self.network.wait_for(
            lambda: self.count() >= count or bool(self.unexpected),
            lambda: f"{count} acknowledged transactions (have {self.count()})",
            deadline,
        )
        assert not self.unexpected, self.unexpected[:5]

    def _run(self, group: int) -> None:
        senders = self.groups[group]
        turn, cursor = group, 0
        while not self._stop.is_set():
            running = self.network.running()
            if not running:
                self._stop.wait(0.1)
                continue
            index = running[turn % len(running)]
            turn += 1
            txs = []
            for _ in range(self.batch):
                sender = senders[cursor % len(senders)]
                recipient = senders[(cursor + 1) % len(senders)]
                txs.append(self.chain.transfer(sender, recipient, 1))
                cursor += 1
            try:
                self._submit(index, txs)
            except NodeUnreachable:
                self._stop.wait(0.05)
            except Exception as error:
                self.unexpected.append(f"node {index}: {error!r}")
                return

    def summary(self) -> str:
        """What the load did, for the test's output."""
        with self._lock:
            states = [f"{s.get('state')}/{s.get('code')}" for s in self.unacknowledged.values()]
        told = {state: states.count(state) for state in sorted(set(states))}
        return (
            f"{self.submitted} admitted, {len(self.acknowledged)} acknowledged, "
            f"{self.unanswered} unanswered (node down), not ok: {told}, "
            f"refused at admission: {self.refused}"
        )

    def _submit(self, index: int, txs: list[SignedTx]) -> None:
        client = self.network.client(index, 40.0)
        results = client.submit_batch(txs)
        admitted = [r["tx_id"] for r in results if "tx_id" in r]
        with self._lock:
            self.submitted += len(admitted)
            for result in results:
                if "tx_id" not in result:
                    code = result.get("error", {}).get("code")
                    self.refused[code] = self.refused.get(code, 0) + 1
        deadline = time.monotonic() + 10.0  # for the whole batch, not per transaction
        for position, tx_id in enumerate(admitted):
            try:
                wait = round(max(0.0, deadline - time.monotonic()), 3)
                status = client.status(tx_id, wait=wait)
            except NodeUnreachable:
                with self._lock:
                    self.unanswered += len(admitted) - position
                raise
            if status.get("state") == "committed" and status.get("code") == "ok":
                with self._lock:
                    self.acknowledged[tx_id] = (index, time.monotonic())
            else:
                with self._lock:
                    self.unacknowledged[tx_id] = status
