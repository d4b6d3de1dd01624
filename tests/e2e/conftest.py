"""End-to-end helpers: run the installed `kepil` command as a user would."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

KEPIL = shutil.which("kepil", path=str(Path(sys.executable).parent)) or "kepil"


@pytest.fixture
def kepil(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `kepil ARGS...` in a scratch data directory; returns the finished process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "KEPIL_DATA_DIR": str(tmp_path / "data"), **(env or {})}
        return subprocess.run(
            [KEPIL, *args], capture_output=True, text=True, env=environment, timeout=60, check=False
        )

    return run


@pytest.fixture
def kepil_executable() -> str:
    """Path of the installed `kepil` console script."""
    return KEPIL


class RunningServer:
    """A `kepil serve` process on a free loopback port, its logs captured to a file."""

    def __init__(self, executable: str, data_dir: Path, extra_env: dict[str, str]) -> None:
        self.env = {**os.environ, "KEPIL_DATA_DIR": str(data_dir), **extra_env}
        self.port = _free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = data_dir / "serve.log"
        data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                [executable, "serve", "--port", str(self.port)],
                env=self.env,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        self._wait_healthy()

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2):  # noqa: S310
                    return
            except urllib.error.HTTPError:
                return  # it answers; the test decides what the status means
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"kepil serve did not start: {self.logs()}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM) and wait for it."""
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=15)

    def logs(self) -> str:
        """Everything the server wrote to stderr so far."""
        return self.log_path.read_text()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def serve(kepil_executable: str, tmp_path: Path) -> Iterator[Callable[..., RunningServer]]:
    """Start `kepil serve` with extra environment; every server started is stopped afterwards."""
    started: list[RunningServer] = []

    def start(**extra_env: str) -> RunningServer:
        server = RunningServer(kepil_executable, tmp_path / "data", extra_env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()
