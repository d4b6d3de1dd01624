"""`kepil ncalayer` as a process: its help, its one-line refusals, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import queue
import signal
import ssl
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from tests.support.ncalayer import SIGN_IN_EKU, SIGNED_AT, b64, sign_request
from websockets.sync.client import connect

from kepil.entrypoints.ncalayer.dev_certificate import CERT_FILE
from kepil.signing.dev_ca import Holder, Profile
from kepil.signing.dev_ca_files import DevCaDirectory
from kepil.signing.nca_profile import KeyKind

KEPIL = [sys.executable, "-m", "kepil.entrypoints.cli.main"]
PASSWORD = "тест-пароль"


@pytest.fixture(scope="module")
def auth_p12(tmp_path_factory: pytest.TempPathFactory) -> Path:
    ca = DevCaDirectory.create(tmp_path_factory.mktemp("pki") / "ca", SIGNED_AT)
    holder = Holder(
        Profile.INDIVIDUAL, iin="900101300126", name="ТЕСТОВ ТЕСТ ТЕСТОВИЧ", usage=KeyKind.AUTH
    )
    return ca.issue(holder, SIGNED_AT, p12_password=PASSWORD).paths[0]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*KEPIL, "ncalayer", *args], capture_output=True, text=True, timeout=60, check=False
    )


def test_help_says_it_is_a_test_double_and_which_keys_it_reads() -> None:
    done = run("--help")

    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "TEST DOUBLE" in text
    assert "--p12" in text
    assert "--choose" in text
    assert "GOST R 34.10-2015" in text


def test_a_wrong_password_is_one_line_and_exit_2(auth_p12: Path) -> None:
    done = run("--p12", str(auth_p12), "--password", "wrong", "--port", "0")

    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("kepil: error: ")
    assert "wrong password" in done.stderr
    assert str(auth_p12) in done.stderr


def test_more_passwords_than_files_is_refused_before_anything_starts(auth_p12: Path) -> None:
    done = run("--p12", str(auth_p12), "--password", "a", "--password", "b")

    assert done.returncode == 2
    assert "1 --p12 files and 2 passwords" in done.stderr


def test_it_lists_its_keys_signs_and_stops_cleanly_on_sigterm(
    auth_p12: Path, tmp_path: Path
) -> None:
    command = [*KEPIL, "ncalayer", "--p12", str(auth_p12), "--password", PASSWORD]
    command += ["--port", "0", "--data-dir", str(tmp_path)]
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as process:
        try:
            lines = _lines(process)
            listing = _read_until(lines, "keys offered:")
            key_line = _read_until(lines, "900101300126")
            port = int(listing.split("wss://127.0.0.1:")[1].split("/")[0])
            client_tls = ssl.create_default_context(cafile=tmp_path / CERT_FILE)
            with connect(f"wss://127.0.0.1:{port}/", ssl=client_tls, open_timeout=30) as socket:
                socket.recv(timeout=30)
                socket.send(sign_request(b64(b"nonce"), ekus=[SIGN_IN_EKU]))
                reply = json.loads(socket.recv(timeout=30))
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=20) == 0
            rest = _read_until(lines, "stopped")
        finally:
            if process.poll() is None:
                process.kill()
        assert process.stderr is not None
        err = process.stderr.read()

    assert "test double" in listing
    assert "authentication key" in key_line
    assert reply["body"]["result"].startswith("-----BEGIN CMS-----")
    assert "NCALayer stand-in stopped" in rest
    assert "chose" in err


def _lines(process: subprocess.Popen[str]) -> queue.Queue[str]:
    """The process's stdout lines as they come, read by a thread; '' once it ends."""
    assert process.stdout is not None
    stdout = process.stdout
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        for line in stdout:
            lines.put(line)
        lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    return lines


def _read_until(lines: queue.Queue[str], marker: str, seconds: float = 30) -> str:
    """The lines up to and including the one holding `marker`; fails after `seconds`."""
    seen = ""
    while marker not in seen:
        try:
            line = lines.get(timeout=seconds)
        except queue.Empty:
            pytest.fail(f"no {marker!r} within {seconds} s in: {seen!r}")
        assert line, f"the output ended before {marker!r}: {seen!r}"
        seen += line
    return seen
