"""The ledger benchmark on a real network: N node processes on loopback.

`kepil bench ledger --nodes N` runs it from a source checkout (see `--help`).

What it runs: a fresh directory with `init_network` on free ports, every node started as its own
process (`kepil node --config node-N.toml`), genesis with the TEST-PKI permit, one funded holder
per transfer, then the timed phase: pre-signed transfers in client batches, a bounded number of
batches in flight (one client thread each).

How commits are timed, without loading the nodes: each client thread, once its batch is admitted,
long-polls the status of the batch's last transaction on the node it submitted to
(`?wait=30`: one blocked handler thread, woken when the node applies an entry). A node's mempool
is first in, first out, so the last transaction commits in the batch's last block. Each answer is
an observation "this node had applied height H by time T". After the run the blocks are read once
to learn each transfer's height and result; a transfer's commit time is the earliest observation,
on the node it was submitted to, of its height or a later one: an upper bound, so latencies are
never flattered. Throughput is transfers / (last commit - first hand-over).

Every key and permit is a TEST FIXTURE (see bench.workload).
"""

from __future__ import annotations

import os
import queue
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Protocol

from bench.ledger_single import BenchError
from bench.machine import machine
from bench.workload import (
    NetworkWorkload,
    distinct_iins,
    ministry_ca,
    ministry_trust,
)
from kepil.adapters.node_client import (
    NodeClient,
    NodeClientError,
    NodeError,
    NodeUnreachable,
    batch_body,
)
from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.node.network import (
    NetworkLayout,
    free_port_run,
    init_network,
    node_configs,
    read_network,
    start_node,
    stop_nodes,
)
from kepil.ledger import SignedTx, decode_tx
from kepil.ledger.sigrules import LATEST_RULES

CHAIN_ID: Final = "kepil-bench-net"
SUBMIT_ALL: Final = "all"
SUBMIT_LEADER: Final = "leader"
_SETUP_CHUNK: Final = 2000  # the API's largest batch
_START_SECONDS: Final = 60.0
_SETTLE_SECONDS: Final = 120.0
_LONG_POLL: Final = 30.0


class Progress(Protocol):
    """Where the benchmark reports its stages (stderr in the CLI; nowhere in tests)."""

    def stage(self, text: str, total: int | None = None) -> None:
        """A new stage, with its amount of work when known."""
        ...

    def advance(self, count: int) -> None:
        """`count` more units of the current stage done (any thread)."""
        ...


class _Quiet:
    def stage(self, text: str, total: int | None = None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass


@dataclass(frozen=True, slots=True)
class NetworkBenchOptions:
    """What to run on the network, and how the nodes are tuned (written into each node.toml)."""

    nodes: int
    txs: int
    block_txs: int = 250
    max_wait_ms: int = 50
    submit_batch: int = 250
    signature_workers: int = 0
    in_flight: int = 2
    submit_to: str = SUBMIT_ALL
    timeout_seconds: float = 1800.0  # for the setup, then for the timed phase
    directory: Path | None = None  # kept afterwards (logs, profiles); a temporary one otherwise
    profile: bool = False  # py-spy on the leader and one follower during the timed phase
    rules: int = LATEST_RULES  # the signature rules the chain's genesis names (sigrules.py)


@dataclass(slots=True)
class _Network:
    configs: list[NodeConfig]
    clients: list[NodeClient]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    rss_peaks: dict[int, int] = field(default_factory=dict)  # pid -> peak KiB


@dataclass(frozen=True, slots=True)
class _Batch:
    node: int
    txs: tuple[SignedTx, ...]
    body: bytes


def run_network_bench(
    options: NetworkBenchOptions, progress: Progress | None = None
) -> dict[str, Any]:
    """Run the workload on `options.nodes` node processes; the contract's figures + machine."""
    if options.submit_to not in (SUBMIT_ALL, SUBMIT_LEADER):
        raise ValueError(f"submit_to must be {SUBMIT_ALL!r} or {SUBMIT_LEADER!r}")
    report = progress or _Quiet()
    with _directory(options.directory) as directory:
        network = _init(directory, options)
        try:
            return _run(network, directory, options, report)
        except NodeUnreachable as error:
            raise BenchError(f"a node did not answer: {error}") from error
        except NodeError as error:
            raise BenchError(f"a node refused a request: {error}") from error
        finally:
            _sample_rss(network)
            stop_nodes(network.processes)


@contextmanager
def _directory(kept: Path | None) -> Iterator[Path]:
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        yield kept
        return
    with tempfile.TemporaryDirectory(prefix="kepil-bench-") as work:
        yield Path(work)


def _init(directory: Path, options: NetworkBenchOptions) -> _Network:
    api_port = _free_port_run(2 * options.nodes)
    trust_dir, ministry_bin = ministry_trust(directory)
    layout = NetworkLayout(
        options.nodes,
        CHAIN_ID,
        "127.0.0.1",
        api_port,
        api_port + options.nodes,
        options.block_txs,
        trust_dir=trust_dir,
        ministry_bin=ministry_bin,
    )
    init_network(directory, layout)
    # init_network writes max_block_txs only; the other knobs go before the [peer_api] table.
    extra = (
        f"max_wait_ms = {options.max_wait_ms}\nsignature_workers = {options.signature_workers}\n"
    )
    for path in sorted(directory.glob("node-*.toml")):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("\n[peer_api]", extra + "\n[peer_api]", 1), encoding="utf-8")
    configs = node_configs(directory)
    return _Network(configs, [NodeClient(c.api_url) for c in configs])


def _free_port_run(count: int) -> int:
    try:
        return free_port_run(count)
    except RuntimeError as error:
        raise BenchError(str(error)) from None


def _run(
    network: _Network, directory: Path, options: NetworkBenchOptions, report: Progress
) -> dict[str, Any]:
    report.stage(f"starting {options.nodes} nodes", options.nodes)
    for config in network.configs:
        network.processes.append(start_node(config))
    leader = _await_leader(network, report)
    members = [(node["name"], node["key"]) for node in read_network(directory)["nodes"]]
    report.stage(f"signing genesis and setup for {options.txs} holders")
    workload = NetworkWorkload(
        CHAIN_ID, members, distinct_iins(options.txs + 1), ministry_ca(directory), options.rules
    )
    genesis = workload.genesis()
    setup = workload.setup()
    _setup(network.clients[leader], [genesis], options, report)
    report.stage("admitting and funding the holders", len(setup))
    _setup(network.clients[leader], setup, options, report)
    report.stage("signing the transfers")
    transfers = workload.transfers(options.txs)
    leader = _await_leader(network, _Quiet())  # the leader may have changed during the setup
    batches = _batches(transfers, options, leader)
    first_height = _height(network.clients[leader]) + 1
    report.stage(f"timed phase: {options.txs} transfers", options.txs)
    spies = _start_profilers(network, leader, directory) if options.profile else []
    cpu_before, client_before = _cpu_seconds(network), time.process_time()
    try:
        handed, observed = _timed(network, batches, options, report)
    finally:
        cpu_spent = [a - b for a, b in zip(_cpu_seconds(network), cpu_before, strict=True)]
        client_spent = time.process_time() - client_before
        profiles = _stop_profilers(spies)
    _sample_rss(network)
    report.stage("waiting for every node to reach the same head")
    heads = _settle(network)
    report.stage("reading the blocks back")
    heights = _transfer_heights(network.clients[leader], first_height, transfers)
    latencies, elapsed = _latencies(batches, handed, observed, heights)
    _sample_rss(network)
    figures: dict[str, Any] = {
        "nodes": options.nodes,
        "txs": options.txs,
        "tx_per_s": round(options.txs / elapsed, 1),
        "p50_ms": round(_percentile(latencies, 0.50) * 1000, 2),
        "p99_ms": round(_percentile(latencies, 0.99) * 1000, 2),
        "state_roots_equal": len({(h["height"], h["state_root"]) for h in heads}) == 1,
        "rss_mb": _rss_mb(network),
        # CPU per transfer, what the machine's other load changes least: compare versions by it.
        "cpu_us_per_tx": _cpu_per_tx(cpu_spent, client_spent, leader, options.txs),
        "submit_to": options.submit_to,
        "rules": options.rules,
        "machine": machine(),
    }
    if options.profile:
        # CPU the node processes (and their signature workers) spent in the timed phase.
        profiles["cpu_ms_per_tx"] = {
            config.name: round(1000 * spent / options.txs, 3)
            for config, spent in zip(network.configs, cpu_spent, strict=True)
        }
        profiles["cpu_ms_per_tx"]["client"] = round(1000 * client_spent / options.txs, 3)
        profiles["leader"] = network.configs[leader].name
        profiles["peak_rss_mb"] = {
            config.name: round(network.rss_peaks.get(process.pid, 0) / 1024, 1)
            for config, process in zip(network.configs, network.processes, strict=True)
        }
        figures["profiles"] = profiles
    return figures


def _await_leader(network: _Network, report: Progress) -> int:
    """Wait until every node answers and names the same leader; the leader's index."""
    deadline = time.monotonic() + _START_SECONDS
    ready: set[int] = set()
    by_raft = {config.raft: i for i, config in enumerate(network.configs)}
    while time.monotonic() < deadline:
        leaders = set()
        for i, client in enumerate(network.clients):
            process = network.processes[i]
            if process.poll() is not None:
                raise BenchError(f"node-{i + 1} exited: {_log_tail(network.configs[i])}")
            health = _health(client)
            if health is None:
                continue
            if i not in ready:
                ready.add(i)
                report.advance(1)
            leaders.add(health.get("leader"))
        if len(ready) == len(network.clients) and len(leaders) == 1:
            leader = leaders.pop()
            if leader in by_raft:
                return by_raft[leader]
        time.sleep(0.1)
    raise BenchError(f"no leader after {_START_SECONDS:.0f} s: see the node logs")


def _health(client: NodeClient) -> dict[str, Any] | None:
    try:
        return client.healthz()
    except NodeClientError:  # not up yet
        return None


def _log_tail(config: NodeConfig) -> str:
    try:
        lines = config.path.with_suffix(".log").read_text(encoding="utf-8").splitlines()
    except OSError:
        return "no log"
    return " | ".join(lines[-5:])


def _setup(
    client: NodeClient, txs: Sequence[SignedTx], options: NetworkBenchOptions, report: Progress
) -> None:
    """Submit in order to one node (nonces run per signer), one chunk ahead of the commits.

    Waiting for the chunk before the last keeps the mempool far below its limit however many
    holders there are, while the node always has the next chunk to put in a block.
    """
    deadline = time.monotonic() + options.timeout_seconds
    previous: SignedTx | None = None
    for start in range(0, len(txs), _SETUP_CHUNK):
        chunk = txs[start : start + _SETUP_CHUNK]
        _submit(client, _body(chunk), "setup")
        if previous is not None:
            _await_ok(client, previous, deadline)
        previous = chunk[-1]
        report.advance(len(chunk))
    if previous is not None:
        _await_ok(client, previous, deadline)


def _submit(client: NodeClient, body: bytes, what: str) -> None:
    """Submit a batch body; BenchError unless the node admitted every transaction in it."""
    try:
        results = client.submit_batch_body(body)
    except NodeError as error:
        raise BenchError(f"a {what} batch was refused: {error}") from None
    refused = Counter(r["error"]["code"] for r in results if "tx_id" not in r)
    if refused:
        raise BenchError(f"{what} transactions refused at admission: {dict(refused)}")


def _body(txs: Sequence[SignedTx]) -> bytes:
    return batch_body(tx.to_bytes() for tx in txs)


def _await_commit(client: NodeClient, tx: SignedTx, deadline: float) -> dict[str, Any]:
    while True:
        wait = min(_LONG_POLL, max(0.0, deadline - time.monotonic()))
        status = client.status(tx.tx_id, wait)
        if status.get("state") != "pending":
            return status
        if time.monotonic() >= deadline:
            raise BenchError(f"transaction {tx.tx_id} still pending at the deadline")


def _await_ok(client: NodeClient, tx: SignedTx, deadline: float) -> None:
    status = _await_commit(client, tx, deadline)
    if status.get("state") != "committed" or status.get("code") != "ok":
        raise BenchError(f"setup transaction {tx.tx_id} ended {status}")


def _batches(
    transfers: Sequence[SignedTx], options: NetworkBenchOptions, leader: int
) -> list[_Batch]:
    """Client batches with their request bodies made now, so the timed phase only sends."""
    batches = []
    for n, start in enumerate(range(0, len(transfers), options.submit_batch)):
        txs = tuple(transfers[start : start + options.submit_batch])
        body = _body(txs)
        node = leader if options.submit_to == SUBMIT_LEADER else n % options.nodes
        batches.append(_Batch(node, txs, body))
    return batches


def _height(client: NodeClient) -> int:
    height = client.node_status().get("height")
    return -1 if height is None else int(height)


Observation = tuple[int, int, float]  # node, a height it had applied, when the client saw it


def _timed(
    network: _Network, batches: Sequence[_Batch], options: NetworkBenchOptions, report: Progress
) -> tuple[list[float], list[Observation]]:
    """Send every batch, `in_flight` at a time; hand-over times per batch and observations."""
    work: queue.SimpleQueue[int] = queue.SimpleQueue()
    for n in range(len(batches)):
        work.put(n)
    handed = [0.0] * len(batches)
    observed: list[Observation] = []
    errors: list[BaseException] = []
    deadline = time.monotonic() + options.timeout_seconds
    clock: Callable[[], float] = time.perf_counter

    def client_thread() -> None:
        while not errors:
            try:
                n = work.get_nowait()
            except queue.Empty:
                return
            batch = batches[n]
            client = network.clients[batch.node]
            try:
                handed[n] = clock()
                _submit(client, batch.body, "transfer")
                status = _await_commit(client, batch.txs[-1], deadline)
                seen = clock()
                if status.get("state") != "committed":
                    raise BenchError(f"transfer {batch.txs[-1].tx_id} ended {status}")
                observed.append((batch.node, int(status["height"]), seen))
                report.advance(len(batch.txs))
            except BaseException as error:
                errors.append(error)
                return

    threads = [
        threading.Thread(target=client_thread, name=f"bench-client-{i}", daemon=True)
        for i in range(max(1, options.in_flight))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        # A timed join keeps Ctrl-C deliverable to the main thread.
        while thread.is_alive():
            thread.join(0.2)
    if errors:
        error = errors[0]
        raise error if isinstance(error, BenchError) else BenchError(repr(error))
    return handed, observed


def _settle(network: _Network) -> list[dict[str, Any]]:
    """Every node's status once all stand at the same height with nothing pending."""
    deadline = time.monotonic() + _SETTLE_SECONDS
    while True:
        heads = [client.node_status() for client in network.clients]
        diverged = [h["name"] for h in heads if h.get("diverged")]
        if diverged:
            raise BenchError(f"nodes diverged: {diverged}")
        heights = {h.get("height") for h in heads}
        if len(heights) == 1 and all(h.get("pending") == 0 for h in heads):
            return heads
        if time.monotonic() > deadline:
            return heads  # state_roots_equal will say false
        time.sleep(0.2)


def _transfer_heights(
    client: NodeClient, first: int, transfers: Sequence[SignedTx]
) -> dict[str, int]:
    """Each transfer's height, from the blocks; BenchError unless every one applied ok.

    A proposal retried after a leader change may commit twice; the second copy is refused as a
    stale nonce by every node alike (services/ledger/replica.py), so only each transfer's "ok"
    counts.
    """
    wanted = {tx.tx_id for tx in transfers}
    heights: dict[str, int] = {}
    refused: Counter[str] = Counter()
    height = first
    while True:
        block = client.block(height)
        if block is None:
            break
        for envelope, code in zip(block["txs"], block["results"], strict=True):
            tx_id = decode_tx(envelope).tx_id
            if tx_id in wanted and code == "ok":
                heights[tx_id] = height
            elif tx_id in wanted:
                refused[code] += 1
        height += 1
    missing = len(wanted) - len(heights)
    if missing:
        raise BenchError(f"{missing} transfers never applied ok; refused copies: {dict(refused)}")
    return heights


def _latencies(
    batches: Sequence[_Batch],
    handed: Sequence[float],
    observed: Sequence[Observation],
    heights: dict[str, int],
) -> tuple[list[float], float]:
    """Sorted per-transfer latencies, and the first hand-over to the last commit."""
    # Per node, the earliest moment any height >= h was seen: a suffix minimum over heights.
    earliest: dict[int, list[tuple[int, float]]] = {}
    for node in {o[0] for o in observed}:
        seen = sorted((h, t) for n, h, t in observed if n == node)
        suffix: list[tuple[int, float]] = []
        best = float("inf")
        for h, t in reversed(seen):
            best = min(best, t)
            suffix.append((h, best))
        earliest[node] = suffix[::-1]
    latencies: list[float] = []
    last_commit = 0.0
    for batch, start in zip(batches, handed, strict=True):
        table = earliest[batch.node]
        for tx in batch.txs:
            committed = _first_at_or_above(table, heights[tx.tx_id])
            latencies.append(committed - start)
            last_commit = max(last_commit, committed)
    latencies.sort()
    return latencies, last_commit - min(handed)


def _first_at_or_above(table: Sequence[tuple[int, float]], height: int) -> float:
    low, high = 0, len(table)
    while low < high:
        middle = (low + high) // 2
        if table[middle][0] < height:
            low = middle + 1
        else:
            high = middle
    return table[low][1]


def _percentile(sorted_values: Sequence[float], fraction: float) -> float:
    if not sorted_values:
        return 0.0
    return sorted_values[min(len(sorted_values) - 1, int(fraction * len(sorted_values)))]


# Memory: the peak resident set (VmHWM) of every node process and its children (signature
# workers), summed, plus this client's own peak. Summing peaks is what the machine must hold.


def _sample_rss(network: _Network) -> None:
    for process in network.processes:
        for pid in [process.pid, *_descendants(process.pid)]:
            peak = _status_kib(pid, "VmHWM")
            if peak is not None:
                network.rss_peaks[pid] = max(network.rss_peaks.get(pid, 0), peak)


def _rss_mb(network: _Network) -> float:
    client_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round((sum(network.rss_peaks.values()) + client_kib) / 1024, 1)


def _cpu_per_tx(
    node_seconds: Sequence[float], client_seconds: float, leader: int, txs: int
) -> dict[str, float]:
    """CPU microseconds per transfer in the timed phase: node mean, leader, all, the client."""
    return {
        "node_mean": round(1e6 * sum(node_seconds) / len(node_seconds) / txs, 1),
        "leader": round(1e6 * node_seconds[leader] / txs, 1),
        "all_nodes": round(1e6 * sum(node_seconds) / txs, 1),
        "client": round(1e6 * client_seconds / txs, 1),
    }


def _cpu_seconds(network: _Network) -> list[float]:
    """User + system CPU seconds of each node process and its children so far."""
    tick = os.sysconf("SC_CLK_TCK")
    totals = []
    for process in network.processes:
        ticks = 0
        for pid in [process.pid, *_descendants(process.pid)]:
            with suppress(OSError, ValueError, IndexError):
                # Fields after the parenthesised command: utime and stime are 14th and 15th.
                fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
                ticks += int(fields[11]) + int(fields[12])
        totals.append(ticks / tick)
    return totals


def _status_kib(pid: int, key: str) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def _descendants(pid: int) -> list[int]:
    found: list[int] = []
    with suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with suppress(OSError, ValueError):
                for child in (task / "children").read_text().split():
                    found.extend([int(child), *_descendants(int(child))])
    return found


# Profiling: py-spy (a sampling profiler, not a project dependency) on the leader and one
# follower; sampling costs the nodes little, unlike cProfile, and sees every thread.


def py_spy() -> str | None:
    """The py-spy executable next to this interpreter or on PATH, or None."""
    beside = Path(sys.executable).parent / "py-spy"
    return str(beside) if beside.exists() else shutil.which("py-spy")


def _start_profilers(
    network: _Network, leader: int, directory: Path
) -> list[tuple[str, Path, subprocess.Popen[bytes]]]:
    spy = py_spy()
    if spy is None:
        raise BenchError("--profile needs py-spy: pip install py-spy")
    follower = (leader + 1) % len(network.processes)
    spies = []
    for role, index in (("leader", leader), ("follower", follower)):
        output = directory / f"profile-{role}.txt"
        command = [
            spy, "record", "--pid", str(network.processes[index].pid), "--rate", "100",
            "--format", "raw", "--output", str(output), "--nonblocking",
        ]  # fmt: skip
        process = subprocess.Popen(  # noqa: S603 - py-spy on our own child
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        spies.append((role, output, process))
    return spies


def _stop_profilers(
    spies: Sequence[tuple[str, Path, subprocess.Popen[bytes]]],
) -> dict[str, Any]:
    summaries: dict[str, Any] = {}
    for role, output, process in spies:
        process.send_signal(signal.SIGINT)  # py-spy writes its output on Ctrl-C
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if output.exists():
            summaries[f"py-spy {role}"] = {"file": str(output), **summarise_profile(output)}
    return summaries


# Where a sample's time goes: the first category matching a frame, from the innermost frame out.
# py-spy samples every thread that is not idle (so C code that releases the GIL, like SQLite and
# libsodium, counts); a leaf that only polls or waits is counted apart.
_WAITING: Final = ("poll (", "select (", "wait (", "sleep (", "acquire (")
_CATEGORIES: Final = (
    (
        "signature verification",
        ("(nacl/", "/sigrules.py", "pairs_valid", "signatures_valid", "items_valid"),
    ),
    ("checkpoint signing", ("sign_checkpoint",)),
    ("sqlite", ("sqlite3", "/ledger_store/")),
    ("decode", ("decode_tx", "parse_json", "entry_from_bytes", "_read_envelope")),
    ("execution", ("apply_block", "/executor.py", "/handlers/", "/state.py", "/root.py")),
    ("consensus (pysyncobj, pickle, encryption)", ("(pysyncobj/", "(cryptography/", "pickle")),
    ("log entry encoding", ("batch_bytes", "checkpoints_bytes", "/proposal.py")),
    ("admission", ("/services/ledger/node.py", "/services/ledger/mempool.py")),
    ("http", ("(uvicorn/", "(starlette/", "(fastapi/", "(anyio/", "(h11/", "(httptools/")),
)


def summarise_profile(path: Path, top: int = 12) -> dict[str, Any]:
    """A py-spy raw profile's shares per category, top leaves and top kepil functions."""
    categories: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        leaves[frames[-1]] += count
        categories[_category(frames)] += count
        for function in {_function(f) for f in frames if "kepil/" in f}:
            inclusive[function] += count
    if total == 0:
        return {"samples": 0}

    def shares(counter: Counter[str], count: int | None = None) -> dict[str, float]:
        return {k: round(100 * v / total, 1) for k, v in counter.most_common(count)}

    return {
        "samples": total,
        "categories": shares(categories),
        "top_leaves": shares(leaves, top),
        "top_kepil_inclusive": shares(inclusive, top),
    }


def _function(frame: str) -> str:
    """`name (path:line)` without the line, so a function's lines count together."""
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rpartition(':')[0] or where.rstrip(')')})"


def _category(frames: Sequence[str]) -> str:
    if any(w in frames[-1] for w in _WAITING):
        return "waiting (poll, select, locks)"
    for frame in reversed(frames):
        for name, patterns in _CATEGORIES:
            if any(p in frame for p in patterns):
                return name
    return "other"
