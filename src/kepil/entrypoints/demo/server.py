"""Act 1, continued: `kepil serve` as a child process on a free loopback port and its own data
directory, trusting the run's TEST PKI; officials granted their duties with `kepil staff`."""

from __future__ import annotations

import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from kepil.entrypoints.demo.people import CLERK, EXAMINER, HEAD
from kepil.entrypoints.demo.processes import Children, kepil_command
from kepil.entrypoints.demo.service import ServiceClient, ServiceError

START_SECONDS = 60.0
COMMAND_SECONDS = 60.0


def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A running `kepil serve` the demo started."""

    root: Path
    port: int
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        """Where its pages and API answer."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        """Everything it wrote."""
        return self.root / "serve.log"

    def client(self) -> ServiceClient:
        """Its API."""
        return ServiceClient(self.url)


LOOPBACK: Final = "127.0.0.1,localhost,::1"


def child_environment() -> dict[str, str]:
    """The environment of every process the demo starts, built afresh (the caller's is left
    as it was).

    The caller's own KEPIL_* settings (a PostgreSQL URL, another trust folder) must not leak
    in: the demo runs the embedded default on folders of its own. Everything the children
    talk to is on loopback (the relay in the server calls the nodes, the nodes call each
    other), so a caller's http_proxy must not carry those calls: loopback bypasses it.
    """
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KEPIL_")}
    bypass = ",".join(
        part
        for part in (LOOPBACK, os.environ.get("NO_PROXY") or os.environ.get("no_proxy"))
        if part
    )
    return {**inherited, "NO_PROXY": bypass, "no_proxy": bypass}


def server_environment(root: Path, trust: Path) -> dict[str, str]:
    """The environment of the demo's server and of every `kepil` run against its database."""
    return {
        **child_environment(),
        "XDG_DATA_HOME": str(root),
        "KEPIL_DATA_DIR": str(root / "data"),
        "KEPIL_TRUST_DIR": str(trust),
        "KEPIL_LOG_FORMAT": "json",
    }


def start_server(root: Path, trust: Path, children: Children) -> Server:
    """Start `kepil serve` under `root` and wait until /healthz answers (RuntimeError if not)."""
    (root / "data").mkdir(parents=True, exist_ok=True)
    port = free_port()
    env = server_environment(root, trust)
    args = kepil_command("serve", "--host", "127.0.0.1", "--port", str(port))
    server = Server(root, port, children.start(args, root / "serve.log", env))
    client = ServiceClient(server.url, timeout=2.0)
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"kepil serve exited ({server.process.returncode}): {server.log}")
        try:
            if client.get("/healthz").status == 200:
                return server
        except ServiceError:
            pass
        # Nothing announces readiness but the port itself: poll it, briefly and bounded.
        time.sleep(0.1)
    raise RuntimeError(f"kepil serve not healthy after {START_SECONDS:.0f} s: see {server.log}")


def grant_officials(server: Server, trust: Path) -> list[str]:
    """`kepil staff grant` the clerk, examiner and head, as the Ministry's admin would."""
    env = server_environment(server.root, trust)
    granted = []
    for role, (iin, name) in (("clerk", CLERK), ("examiner", EXAMINER), ("head", HEAD)):
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            kepil_command("staff", "grant", iin, role, "--name", name),
            env=env,
            capture_output=True,
            text=True,
            timeout=COMMAND_SECONDS,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"kepil staff grant {iin} {role}: {done.stderr.strip()}")
        granted.append(f"{role} {name}")
    return granted
