"""The demo's child processes: each started here is remembered and ended by its own PID."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

STOP_SECONDS = 15.0


def kepil_command(*args: str) -> list[str]:
    """`kepil ARGS...` run by this very interpreter, whatever PATH says."""
    return [sys.executable, "-m", "kepil.entrypoints.cli.main", *args]


class Children:
    """The processes the demo started; `stop_all()` ends every one that still runs."""

    def __init__(self) -> None:
        """No children yet."""
        self.started: list[subprocess.Popen[bytes]] = []

    def start(self, args: list[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """Start `args` with stdout and stderr in `log`, in a session of its own (a Ctrl-C in
        the terminal reaches the demo, which then ends its children in order)."""
        with log.open("ab") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                args,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(process)
        return process

    def adopt(self, process: subprocess.Popen[bytes]) -> subprocess.Popen[bytes]:
        """Remember a process started elsewhere (a node by `start_node`)."""
        self.started.append(process)
        return process

    def stop_all(self, timeout: float = STOP_SECONDS) -> None:
        """SIGTERM each running child by PID, wait, then SIGKILL what is left."""
        running = [p for p in self.started if p.poll() is None]
        for process in running:
            _signal(process, signal.SIGTERM)
        for process in running:
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                _signal(process, signal.SIGKILL)
                process.wait(timeout)


def _signal(process: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it ended between the poll and the signal
        os.kill(process.pid, signum)
