"""`kill -9` of `kepil serve`: no child process outlives it, and a restart on its port works.

The signature workers are the children at stake: before issue 16 one survived its parent with
ppid 1, kept the listening socket and the database files, and ignored SIGTERM, so the restart
failed with "address already in use".
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.support.ledger import OPERATOR, Chain, genesis_payload

BOUND = 20.0  # seconds: starting, dying and restarting each take far less


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
        return int(response.status)


def _start(executable: str, env: dict[str, str], port: int, log: Path) -> subprocess.Popen[bytes]:
    """`kepil serve` on `port`, answering /healthz; fails with its log when it does not."""
    with log.open("a") as stderr:
        process = subprocess.Popen(
            [executable, "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    deadline = time.monotonic() + BOUND
    while True:  # nothing tells when the port starts answering but the port itself
        try:
            if _get(f"http://127.0.0.1:{port}/healthz") == 200:
                return process
        except (OSError, urllib.error.HTTPError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                pytest.fail(f"kepil serve did not answer on port {port}:\n{log.read_text()}")
        time.sleep(0.1)


def _descendants(root: int) -> list[int]:
    """Every process below `root`, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            # Fields after the command name (which may hold spaces): state, ppid, ...
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, pending = [], [root]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


@contextlib.contextmanager
def _watched(pids: list[int]) -> Iterator[dict[int, int]]:
    """A pidfd per process (so a reused pid is never mistaken for it); kills the survivors."""
    handles = {}
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            handles[pid] = os.pidfd_open(pid)
    try:
        yield handles
    finally:
        for handle in handles.values():
            # The test's own processes: never leave one behind, even when the test fails.
            with contextlib.suppress(ProcessLookupError):
                signal.pidfd_send_signal(handle, signal.SIGKILL)
            os.close(handle)


def _survivors(handles: dict[int, int], timeout: float) -> list[int]:
    """The processes still running after waiting up to `timeout` seconds for all to exit."""
    deadline = time.monotonic() + timeout
    running = dict(handles)
    while running:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        exited, _, _ = select.select(list(running.values()), [], [], remaining)
        running = {pid: fd for pid, fd in running.items() if fd not in exited}
    return sorted(running)


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfds")
def test_no_child_outlives_a_killed_server_and_a_restart_on_its_port_answers(
    kepil_executable: str, tmp_path: Path
) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {
        **os.environ,
        "KEPIL_DATA_DIR": str(data_dir),
        "KEPIL_LEDGER_SIGNATURE_WORKERS": "2",
    }
    port, log = _free_port(), tmp_path / "serve.log"
    server = _start(kepil_executable, env, port, log)
    try:
        # A batch goes through the signature workers, so they are running, whenever started.
        envelope = Chain().tx(genesis_payload(), OPERATOR, chain="kepil-local").to_json()
        batch = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/ledger/transactions/batch",
            data=json.dumps({"transactions": [envelope]}).encode(),
            headers={"content-type": "application/json"},
        )
        with urllib.request.urlopen(batch, timeout=BOUND) as response:  # noqa: S310
            assert response.status == 200
        children = _descendants(server.pid)
        assert children, "the server runs no child process: nothing to check"
        with _watched(children) as handles:
            server.kill()  # SIGKILL: no handler, no atexit, no shutdown of the pool
            server.wait(BOUND)
            assert _survivors(handles, BOUND) == []
    finally:
        server.kill()
        server.wait(BOUND)
    restarted = _start(kepil_executable, env, port, log)
    try:
        assert _get(f"http://127.0.0.1:{port}/healthz") == 200
    finally:
        restarted.terminate()
        restarted.wait(BOUND)
