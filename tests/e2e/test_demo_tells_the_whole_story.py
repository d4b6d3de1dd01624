"""`kepil demo` as a person runs it: the whole story to exit 0, and a clean stop on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

from .conftest import KEPIL

DEMO_SECONDS = 240  # issue 21: under 3 minutes on a fresh clone; a loaded CI machine gets more
STOP_SECONDS = 60


def _environment() -> dict[str, str]:
    # The demo ignores the caller's KEPIL_* settings; a developer's would only add noise here.
    return {k: v for k, v in os.environ.items() if not k.startswith("KEPIL_")}


def _ports(output: str) -> set[tuple[str, int]]:
    """Every loopback address the demo printed as a place to look."""
    return {("127.0.0.1", int(port)) for port in re.findall(r"http://127\.0\.0\.1:(\d+)", output)}


def _nobody_listens(address: tuple[str, int]) -> bool:
    with socket.socket() as probe:
        probe.settimeout(1)
        return probe.connect_ex(address) != 0


def test_kepil_demo_tells_the_whole_story_to_exit_0_and_ends_every_process(
    tmp_path: Path,
) -> None:
    began = time.monotonic()
    done = subprocess.run(
        [KEPIL, "demo", "--dir", str(tmp_path / "demo")],
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=DEMO_SECONDS,
        check=False,
    )
    seconds = time.monotonic() - began
    assert done.returncode == 0, done.stdout + done.stderr
    assert "18 steps in" in done.stdout
    assert "FAILED" not in done.stdout
    assert "'permit_suspended' on all 5 nodes" in done.stdout
    assert "'ok' on all 5 nodes" in done.stdout
    assert "/registry/REG-" in done.stdout
    assert seconds < DEMO_SECONDS
    # --dir is the person's own folder: kept, with the TEST PKI marked as such.
    assert (tmp_path / "demo" / "pki" / "TEST-PKI.txt").exists()
    addresses = _ports(done.stdout)
    assert len(addresses) == 6, addresses  # the server and five nodes
    assert all(_nobody_listens(address) for address in addresses)


def test_ctrl_c_stops_the_demo_its_server_and_nodes_and_removes_its_folder() -> None:
    demo = subprocess.Popen(
        [KEPIL, "demo"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=_environment(),
    )
    try:
        assert demo.stdout is not None
        seen: list[str] = []
        deadline = time.monotonic() + DEMO_SECONDS
        # Interrupt once the platform's nodes run: the most there is to stop.
        while not any("node-5: http://" in line for line in seen):
            assert time.monotonic() < deadline, "".join(seen)
            line = demo.stdout.readline()
            assert line, "the demo ended before its nodes started:\n" + "".join(seen)
            seen.append(line)
        demo.send_signal(signal.SIGINT)
        rest, _ = demo.communicate(timeout=STOP_SECONDS)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
    output = "".join(seen) + rest
    assert demo.returncode == 130, output
    assert "interrupted" in output
    root = re.search(r"everything goes into (\S+)", output)
    assert root is not None, output
    assert not Path(root.group(1)).exists()
    addresses = _ports(output)
    assert len(addresses) == 6, addresses
    assert all(_nobody_listens(address) for address in addresses)
