"""The whole sign-in story with nothing but the kepil command and HTTP, as a person would do it."""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any


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


def test_sign_in_with_a_test_pki_certificate_and_kepil_eds_sign(
    kepil_executable: str, serve: Callable[..., Any], tmp_path: Path
) -> None:
    server = serve()
    base, env = server.base_url, server.env
    data_dir = Path(env["KEPIL_DATA_DIR"])

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

    issued = json.loads(
        kepil(
            "pki",
            "issue",
            str(data_dir / "test-pki"),
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
    assert status == 200, session
    assert session["principal"]["iin"] == "850315400124"
    assert session["principal"]["bin"] == "850315400124"
    assert session["token"]
