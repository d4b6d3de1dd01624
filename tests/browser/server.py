"""The product as a user runs it: `kepil serve` in a subprocess, trusting the tests' TEST PKI.

The browser tests look at what a person sees, so the server is the installed console script on
its own data directory and port, not an app object inside the test process. Data gets in the way
it gets in for real: officials are granted their duties with `kepil staff grant`, and an
application goes through the procedure over HTTP with real CMS signatures.
"""

from __future__ import annotations

import base64
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from tests.integration.permits.portal import OFFICIALS, Portal, form_json
from tests.support.pki import Person, applicant_director, ministry_official, trust_dir

from kepil.adapters.clock import SystemClock
from kepil.domain.permits import PermitRole

KEPIL = shutil.which("kepil", path=str(Path(sys.executable).parent)) or "kepil"
START_SECONDS = 30
STOP_SECONDS = 15


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _environment(data_dir: Path, trust: Path) -> dict[str, str]:
    # The developer's own KEPIL_* settings (a PostgreSQL URL, a log level) must not leak in:
    # the server the tests look at is the embedded default on a directory of its own.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KEPIL_")}
    return {
        **inherited,
        "XDG_DATA_HOME": str(data_dir.parent),
        "KEPIL_DATA_DIR": str(data_dir),
        "KEPIL_TRUST_DIR": str(trust),
        "KEPIL_LOG_FORMAT": "json",
    }


@dataclass
class KepilServer:
    """A running `kepil serve` on a free loopback port; `stop()` ends it by its PID."""

    root: Path
    port: int = field(default_factory=_free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        """Where the browser opens the pages."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def data_dir(self) -> Path:
        """The server's own data directory (its SQLite file and logs)."""
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        """Everything the server wrote to stdout and stderr."""
        return self.root / "serve.log"

    @property
    def env(self) -> dict[str, str]:
        """The environment of the server, and of every `kepil` command run against it."""
        return _environment(self.data_dir, self.root / "trust")

    def start(self) -> KepilServer:
        """Start the server and wait, at most START_SECONDS, until /healthz answers."""
        trust_dir(self.root / "trust")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [KEPIL, "serve", "--host", "127.0.0.1", "--port", str(self.port)],
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_healthy()
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        with httpx2.Client(base_url=self.base_url, timeout=2) as client:
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    break
                try:
                    if client.get("/healthz").status_code == 200:
                        return
                except httpx2.TransportError:
                    pass
                # Nothing announces readiness but the port itself: poll it, briefly and bounded.
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"kepil serve did not become healthy:\n{self.logs()}")

    def stop(self) -> None:
        """SIGTERM by PID, then SIGKILL if it has not gone within STOP_SECONDS."""
        if self.process is None or self.process.poll() is not None:
            return
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_SECONDS)

    def logs(self) -> str:
        """The server's log so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kepil(self, *args: str) -> str:
        """Run `kepil ARGS...` against this server's database, as its operator would."""
        done = subprocess.run(
            [KEPIL, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"kepil {' '.join(args)} failed: {done.stderr}")
        return done.stdout


def ministry(server: KepilServer) -> dict[PermitRole, Person]:
    """The clerk, examiner and head, granted their duties with `kepil staff grant`."""
    officials = {}
    for role, (iin, name) in OFFICIALS.items():
        server.kepil("staff", "grant", iin, role.value, "--name", name)
        officials[role] = ministry_official(iin, name)
    return officials


def issue_permit(server: KepilServer, officials: dict[PermitRole, Person]) -> str:
    """File an application and take it to a head-signed permit over HTTP; its registry number."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        # The Portal drives the API; here on the real clock (keys of the TEST PKI last to 2028).
        portal = _portal(client, officials)
        portal.login(portal.applicant)
        # On the real clock the contract must outlive today whenever the suite runs.
        form = form_json()
        in_force = datetime.now(UTC).date() + timedelta(days=730)
        form["attachments"][0]["valid_until"] = in_force.isoformat()
        submitted = portal.submit(form=form, key=f"permit-{secrets.token_hex(8)}")
        if submitted.status_code != 201:
            raise RuntimeError(f"filing failed: {submitted.text}")
        permit_number = _to_permit(portal, submitted.json()["number"])
        found = client.get("/api/v1/registry", params={"q": "Kepil Grain", "limit": 100}).json()
    for item in found["items"]:
        if item["permit_number"] == permit_number:
            return str(item["registry_number"])
    raise RuntimeError(f"permit {permit_number} is not in the registry: {found}")


def file_application(server: KepilServer) -> str:
    """The applicant files an application over HTTP (its filing page is tested elsewhere)."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = _portal(client, {})
        portal.login(portal.applicant)
        form = form_json()
        in_force = datetime.now(UTC).date() + timedelta(days=730)
        form["attachments"][0]["valid_until"] = in_force.isoformat()
        # A fresh portal counts its keys from 1: each filing of the session needs its own key.
        submitted = portal.submit(form=form, key=f"story-{secrets.token_hex(8)}")
        if submitted.status_code != 201:
            raise RuntimeError(f"filing failed: {submitted.text}")
        return str(submitted.json()["number"])


def grant_permit(server: KepilServer, officials: dict[PermitRole, Person], number: str) -> str:
    """The officials register and examine application `number`, the head signs the permit."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        return _to_permit(_portal(client, officials), number)


def document_content(server: KepilServer, applicant: Person, number: str) -> bytes:
    """The signed bytes of document `number` as the API gives them to its recipient."""
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        portal = _portal(client, {}, applicant)
        portal.login(applicant)
        answer = client.get(f"/api/v1/documents/{number}", headers=applicant.headers)
        if answer.status_code != 200:
            raise RuntimeError(f"document {number}: {answer.text}")
        return base64.b64decode(answer.json()["content_b64"])


def _portal(
    client: httpx2.Client, officials: dict[PermitRole, Person], applicant: Person | None = None
) -> Portal:
    portal = Portal(client, SystemClock(), applicant or applicant_director(), officials)
    for person in officials.values():
        portal.login(person)
    return portal


def _to_permit(portal: Portal, number: str) -> str:
    for role, action in ((PermitRole.CLERK, "register"), (PermitRole.EXAMINER, "start_review")):
        step = portal.decide(role, number, action)
        if step.status_code != 200:
            raise RuntimeError(f"{action} of {number} failed: {step.text}")
    issued = portal.sign_document(number, "permit")
    if issued.status_code != 200:
        raise RuntimeError(f"signing the permit of {number} failed: {issued.text}")
    return str(issued.json()["document_number"])
