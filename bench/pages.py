"""Benchmark: the pages people read, with 100,000 registry entries (Issue 17 item 10: p95 < 100 ms).

    kepil bench pages [--entries 100000] [--requests 100] [--database-url URL] [--json]
        [--baseline PATH_TO_ANOTHER_CHECKOUTS_KEPIL]

Makes a fresh database (a SQLite file, or a schema of its own in the PostgreSQL at
`--database-url`, dropped afterwards), brings it up with `kepil db upgrade`, bulk-inserts the
entries with their status histories (bench/registry_data.py), then starts `kepil serve` on it and
requests every page in Kazakh and in Russian, and the API's search and CSV export beside them.

Why real HTTP: `kepil serve` in a process of its own, asked over loopback with keep-alive, is what
a person's browser meets: uvicorn's parsing, the middleware, the thread pool the sync routes run
in and the whole body on the wire are all inside the figure, and the client's own work does not
hold the server's interpreter lock (as it would with the in-process ASGI client). Loopback adds
about 0.1 ms, which the figures keep. The server's peak RSS is its own (/proc VmHWM).

`--baseline` serves a second checkout's `kepil` on its own copy of the same entries and asks both
in turn, request by request, so a before/after comparison shares the same machine noise.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, text

from bench import registry_data
from bench.machine import describe, peak_rss_mb, percentile
from kepil.adapters.db.engine import make_engine

TARGET_P95_MS = 100.0
PAGE_SIZE = 20  # the registry page's (entrypoints/web/registry_pages.py)
STARTUP_SECONDS = 120.0
REQUEST_TIMEOUT_SECONDS = 120.0
LANGUAGES = ("kk", "ru")
# Name fragments people type: a common Kazakh word, a common Russian one with a brand word, a
# surname of sole traders, a platform word, and one that matches nothing (the whole scan).
NAME_FRAGMENTS = ("алтын", "капитал tech", "ахметова", "nomad vault", "несуществующий")
# Fewer than 3 letters: no trigram index answers these, so they scan (shown apart).
SHORT_FRAGMENTS = ("ал", "ип")


class BenchError(Exception):
    """The benchmark could not run: a server did not start or a page did not answer 200."""


@dataclass(frozen=True, slots=True)
class Case:
    """One page to ask: the URLs it cycles through (one a turn) and the language cookie."""

    name: str
    urls: list[str]
    language: str | None

    def url(self, turn: int) -> str:
        """The turn's URL."""
        return self.urls[turn % len(self.urls)]


@dataclass
class Server:
    """A running `kepil serve` and what it answered."""

    label: str
    process: subprocess.Popen[bytes]
    port: int
    connection: http.client.HTTPConnection = field(init=False)
    latencies: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.connection = http.client.HTTPConnection(
            "127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_SECONDS
        )

    def get(self, url: str, language: str | None) -> tuple[int, int]:
        """Status and body length of one GET on the kept-alive connection."""
        headers = {"cookie": f"kepil_lang={language}"} if language else {}
        try:
            self.connection.request("GET", url, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # reconnect once: the server may have closed an idle one
            self.connection.request("GET", url, headers=headers)
            response = self.connection.getresponse()
            body = response.read()
        return response.status, len(body)

    def peak_rss_mb(self) -> float | None:
        """The server process's peak resident memory so far, in MiB."""
        with suppress(OSError):
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        return None


def run_pages_bench(
    entries: int,
    requests: int,
    database_url: str | None,
    kepil: Path,
    baseline: Path | None = None,
    full_exports: int = 1,
    progress: Any = None,
) -> dict[str, Any]:
    """Seed, serve and ask; the figures as one dictionary (see the module's docstring)."""
    say = progress or (lambda _text: None)
    targets = [("this", kepil)] + ([("baseline", baseline)] if baseline else [])
    with tempfile.TemporaryDirectory(prefix="kepil-bench-pages-") as scratch, ExitStack() as stack:
        servers: list[Server] = []
        sample = registry_data.Sample()
        load_s = 0.0
        for label, executable in targets:
            url = stack.enter_context(_database(database_url, Path(scratch, label)))
            env = _server_env(url, Path(scratch, label))
            say(f"{label}: migrating {_shown(url)} with {executable}")
            _run([str(executable), "db", "upgrade"], env)
            say(f"{label}: inserting {entries:,} registry entries")
            began = time.perf_counter()
            engine = make_engine(url)
            try:
                sample = registry_data.seed(engine, entries)
            finally:
                engine.dispose()
            load_s = time.perf_counter() - began
            say(f"{label}: starting kepil serve")
            servers.append(stack.enter_context(_serve(label, executable, env, scratch)))
        cases = _cases(sample, entries)
        load_before = os.getloadavg()
        say(f"asking {len(cases)} pages {requests} times each on {len(servers)} server(s)")
        elapsed = _ask(servers, cases, requests)
        exports = _full_exports(servers, full_exports)
        figures = _figures(servers, cases, requests, elapsed, exports)
    return {
        "benchmark": "pages",
        "database": "postgresql" if database_url else "sqlite",
        "entries": entries,
        "statuses": sample.statuses,
        "history_lines": sample.history_lines,
        "requests_per_page": requests,
        "load_s": round(load_s, 1),
        "target_p95_ms": TARGET_P95_MS,
        **figures,
        "bench_rss_mb": peak_rss_mb(),
        "machine": {**describe(), "sqlite": sqlite3.sqlite_version, **_postgres(database_url)},
        # The machines are shared: a load above the cores says others ran beside the benchmark.
        "load_average_1min": [round(load_before[0], 1), round(os.getloadavg()[0], 1)],
    }


def _cases(sample: registry_data.Sample, entries: int) -> list[Case]:
    def urls(path: str, queries: list[dict[str, str]]) -> list[str]:
        return [f"{path}?{urlencode(query)}" if query else path for query in queries]

    middle = max(2, entries // PAGE_SIZE // 2)
    names = [{"q": q} for q in NAME_FRAGMENTS]
    holders = [{"iin_bin": number} for number in sample.iin_bins]
    pages = [
        ("home", ["/"]),
        ("service", ["/service"]),
        ("registry", ["/registry"]),
        (f"registry page {middle}", urls("/registry", [{"page": str(middle)}])),
        ("registry name search", urls("/registry", names)),
        ("registry 2-letter search", urls("/registry", [{"q": q} for q in SHORT_FRAGMENTS])),
        ("registry IIN/BIN", urls("/registry", holders)),
        ("registry suspended", ["/registry?status=suspended"]),
        # A different entry each turn, every one with a status history.
        ("registry entry", [f"/registry/{number}" for number in sample.numbers]),
    ]
    cases = [
        Case(f"{name} [{language}]", paths, language)
        for language in LANGUAGES
        for name, paths in pages
    ]
    api = [
        ("api search", urls("/api/v1/registry", [{}, *names])),
        ("api search IIN/BIN", urls("/api/v1/registry", holders)),
        ("api export 1,000 csv", ["/api/v1/registry/export.csv?limit=1000"]),
    ]
    return cases + [Case(name, paths, None) for name, paths in api]


def _ask(servers: list[Server], cases: list[Case], requests: int) -> float:
    for case in cases:  # warm-up: templates compiled, catalogues and pages cached
        for server in servers:
            for turn in range(3):
                _timed(server, case, turn, record=False)
    began = time.perf_counter()
    for turn in range(requests):
        for case in cases:
            # Each turn the other server goes first, so neither always follows the same work.
            order = servers if turn % 2 == 0 else servers[::-1]
            for server in order:
                _timed(server, case, turn, record=True)
    return time.perf_counter() - began


def _timed(server: Server, case: Case, turn: int, *, record: bool) -> None:
    url = case.url(turn)
    started = time.perf_counter()
    status, _size = server.get(url, case.language)
    took = (time.perf_counter() - started) * 1000
    if status != 200:
        raise BenchError(f"{server.label}: GET {url} answered {status}")
    if record:
        server.latencies.setdefault(case.name, []).append(took)


def _full_exports(servers: list[Server], times: int) -> dict[str, list[float]]:
    seconds: dict[str, list[float]] = {server.label: [] for server in servers}
    for _ in range(times):
        for server in servers:
            started = time.perf_counter()
            status, size = server.get("/api/v1/registry/export.csv", None)
            if status != 200 or size == 0:
                raise BenchError(f"{server.label}: the full CSV export answered {status}")
            seconds[server.label].append(round(time.perf_counter() - started, 2))
    return seconds


def _figures(
    servers: list[Server],
    cases: list[Case],
    requests: int,
    elapsed: float,
    exports: dict[str, list[float]],
) -> dict[str, Any]:
    out: dict[str, Any] = {"servers": {}}
    for server in servers:
        pages = {}
        for case in cases:
            mine = sorted(server.latencies[case.name])
            pages[case.name] = {
                "p50_ms": round(percentile(mine, 0.50), 1),
                "p95_ms": round(percentile(mine, 0.95), 1),
                "p99_ms": round(percentile(mine, 0.99), 1),
                "requests_per_s": round(len(mine) / (sum(mine) / 1000), 1),
            }
        slow = [name for name, page in pages.items() if page["p95_ms"] >= TARGET_P95_MS]
        out["servers"][server.label] = {
            "pages": pages,
            "slow_pages": slow,
            "full_csv_export_s": exports[server.label],
            "server_peak_rss_mb": server.peak_rss_mb(),
        }
    total = requests * len(cases) * len(servers)
    out["requests"] = total
    out["requests_per_s"] = round(total / elapsed, 1)
    return out


@contextmanager
def _database(database_url: str | None, directory: Path) -> Iterator[str]:
    directory.mkdir(parents=True, exist_ok=True)
    if database_url is None:
        yield f"sqlite:///{directory / 'kepil.sqlite3'}"
        return
    schema = f"kepil_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(database_url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in database_url else "?"
    try:
        yield f"{database_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def _server_env(url: str, data_dir: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("KEPIL_")}
    env.update(
        KEPIL_DATABASE_URL=url,
        KEPIL_DATA_DIR=str(data_dir),
        KEPIL_LOG_LEVEL="WARNING",
    )
    return env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(  # noqa: S603 - the kepil this benchmark was told to run
        command, env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise BenchError(f"{' '.join(command)} failed: {done.stderr.strip()[-2000:]}")


@contextmanager
def _serve(label: str, executable: Path, env: dict[str, str], scratch: str) -> Iterator[Server]:
    port = _free_port()
    log = Path(scratch, f"{label}-serve.log")
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - the kepil this benchmark was told to run
            [str(executable), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_ready(process, port, log)
        yield Server(label, process, port)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"kepil serve exited {process.returncode}: {log.read_text()[-2000:]}")
        # The port opens only after startup (migrations, lifespan): a refused connection is the
        # one event there is to wait on, so try again after a short pause.
        with suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
            return
        time.sleep(0.1)
    raise BenchError(f"kepil serve did not open port {port} in {STARTUP_SECONDS:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _postgres(database_url: str | None) -> dict[str, str]:
    if database_url is None:
        return {}
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            version = connection.execute(text("SHOW server_version")).scalar_one()
    finally:
        engine.dispose()
    return {"postgresql": str(version)}


def _shown(url: str) -> str:
    return url.rsplit("@", maxsplit=1)[-1]


def print_table(figures: dict[str, Any], out: Any = sys.stdout) -> None:
    """The figures as a table a person reads: one row a page, one column group a server."""
    servers = figures["servers"]
    labels = list(servers)
    header = f"{'page':<28}" + "".join(
        f"{label + ' p50/p95/p99 ms':>28}{'req/s':>8}" for label in labels
    )
    print(header, file=out)
    for name in servers[labels[0]]["pages"]:
        row = f"{name:<28}"
        for label in labels:
            page = servers[label]["pages"][name]
            mark = "" if page["p95_ms"] < TARGET_P95_MS else " !"
            cell = f"{page['p50_ms']:.1f}/{page['p95_ms']:.1f}/{page['p99_ms']:.1f}{mark}"
            row += f"{cell:>28}{page['requests_per_s']:>8.0f}"
        print(row, file=out)
    for label in labels:
        server = servers[label]
        print(
            f"{label}: full CSV export {server['full_csv_export_s']} s, "
            f"server peak RSS {server['server_peak_rss_mb']} MiB, "
            f"pages at or over p95 {TARGET_P95_MS:.0f} ms: {server['slow_pages'] or 'none'}",
            file=out,
        )
    shown = {k: v for k, v in figures.items() if k != "servers"}
    for name, value in shown.items():
        print(f"{name}: {json.dumps(value, ensure_ascii=False)}", file=out)
