"""The whole sign-in story with nothing but the kepil command and HTTP, as a person would do it."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _post(url: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    data = json.dumps(body or {}).encode()
    request = urllib.request.Request(  # noqa: S310 (loopback)
        url, data=data, headers={"content-type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def _wait_healthy(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_sign_in_with_a_test_pki_certificate_and_kepil_eds_sign(
    kepil_executable: str, tmp_path: Path
) -> None:
    env = {**os.environ, "KEPIL_DATA_DIR": str(tmp_path)}
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [kepil_executable, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def kepil(*args: str) -> str:
        done = subprocess.run(
            [kepil_executable, *args],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    try:
        _wait_healthy(base)
        issued = json.loads(
            kepil(
                "pki",
                "issue",
                str(tmp_path / "test-pki"),
                "--profile",
                "entrepreneur",
                "--iin",
                "850315400124",
                "--name",
                "АХМЕТОВА АЙГУЛЬ",
                "--usage",
                "auth",
            )
        )
        cert = next(f for f in issued["files"] if f.endswith(".cert.pem"))
        key = next(f for f in issued["files"] if f.endswith(".key.pem"))
        status, challenge = _post(f"{base}/api/v1/auth/challenge")
        assert status == 201
        (tmp_path / "nonce.txt").write_text(challenge["nonce"])
        kepil(
            "eds",
            "sign",
            "--key",
            key,
            "--cert",
            cert,
            str(tmp_path / "nonce.txt"),
            str(tmp_path / "login.cms"),
        )
        cms = base64.b64encode((tmp_path / "login.cms").read_bytes()).decode()
        status, session = _post(f"{base}/api/v1/auth/login", {"cms": cms})
    finally:
        server.terminate()
        server.wait(timeout=15)
    assert status == 200, session
    assert session["principal"]["iin"] == "850315400124"
    assert session["principal"]["bin"] == "850315400124"
    assert session["token"]
