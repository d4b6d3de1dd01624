"""The real `kepil ncalayer` stand-in as a process on NCALayer's own port, with TEST PKI keys.

The pages' Content-Security-Policy and ncalayer.js know one address, wss://127.0.0.1:13579/,
so the stand-in cannot take a free port: one at a time runs there, and a test that needs
other keys or another choice (Cancel) has the running one replaced (`NCALayerPort.offer`).
"""

from __future__ import annotations

import errno
import os
import queue
import signal
import socket
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID
from tests.browser.server import KEPIL
from tests.support.pki import session_pki

from kepil.signing.cms_sign import SignerCredential

HOST = "127.0.0.1"
PORT = 13579
PASSWORD = "test-only-Пароль1"  # of throwaway TEST PKI key files
START_SECONDS = 30
STOP_SECONDS = 10


def write_p12(credential: SignerCredential, path: Path) -> Path:
    """The credential as a PKCS#12 file, with its chain, under PASSWORD."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            path.stem.encode(),
            credential.key,
            credential.certificate,
            list(credential.chain),
            serialization.BestAvailableEncryption(PASSWORD.encode()),
        )
    )
    return path


def signing_key_posing_as_auth(signing: SignerCredential) -> SignerCredential:
    """The signing key with clientAuth added to its certificate's extended key usages.

    A signing key whose certificate claims clientAuth is of no kind the service knows
    (nca_profile.KEY_PROFILES: signing keys carry no clientAuth), so it is refused for signing
    in, as a plain signing key is.
    """
    pki = session_pki()
    original = signing.certificate
    builder = (
        x509.CertificateBuilder()
        .subject_name(original.subject)
        .issuer_name(original.issuer)
        .public_key(original.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(original.not_valid_before_utc)
        .not_valid_after(original.not_valid_after_utc)
    )
    for extension in original.extensions:
        value = extension.value
        if isinstance(value, x509.ExtendedKeyUsage):
            value = x509.ExtendedKeyUsage([*value, ExtendedKeyUsageOID.CLIENT_AUTH])
        builder = builder.add_extension(value, extension.critical)
    certificate = builder.sign(pki.issuing_key, hashes.SHA256())
    return SignerCredential(signing.key, certificate, signing.chain)


def _refuse_if_taken() -> None:
    with socket.socket() as probe:
        # SO_REUSEADDR: connections the last stand-in closed (TIME_WAIT) are no obstacle,
        # a listener is: binding beside one still fails on Linux.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, PORT))
        except OSError as error:
            if error.errno != errno.EADDRINUSE:
                raise
            raise RuntimeError(
                f"{HOST}:{PORT}, NCALayer's port, is taken: a real NCALayer or another stand-in "
                "runs on this machine. The pages only talk to that port, so the browser tests "
                "need it free: stop whatever listens there (ss -ltnp | grep 13579) and rerun."
            ) from None


@dataclass
class StandIn:
    """One `kepil ncalayer` process offering `keys` and answering the dialog with `choose`."""

    keys: tuple[Path, ...]
    choose: str
    data_dir: Path
    process: subprocess.Popen[str] | None = None
    lines: queue.Queue[str] = field(default_factory=queue.Queue)
    reader: threading.Thread | None = None

    @property
    def log_path(self) -> Path:
        """What the stand-in wrote on stderr: each decision it took."""
        return self.data_dir / f"ncalayer-{self.choose}.log"

    def start(self) -> StandIn:
        """Start it and wait, at most START_SECONDS, for it to say it listens."""
        _refuse_if_taken()
        command = [KEPIL, "ncalayer", "--password", PASSWORD, "--choose", self.choose]
        for key in self.keys:
            command += ["--p12", str(key)]
        command += ["--host", HOST, "--port", str(PORT), "--data-dir", str(self.data_dir)]
        with self.log_path.open("w") as log:
            self.process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
            )
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self._wait_listening()
        return self

    def _read(self) -> None:
        assert self.process is not None
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put("")  # end of output: the process is gone

    def _wait_listening(self) -> None:
        # It prints its address once the socket listens: that line is the event waited for.
        seen: list[str] = []
        try:
            while True:
                line = self.lines.get(timeout=START_SECONDS)
                seen.append(line)
                if not line or f"wss://{HOST}:{PORT}/" in line:
                    break
        except queue.Empty:
            line = ""
        if line:
            return
        self.stop()
        raise RuntimeError(
            f"kepil ncalayer did not start listening on {HOST}:{PORT}:\n{''.join(seen)}{self.log()}"
        )

    def log(self) -> str:
        """Its stderr so far."""
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """SIGTERM by PID, SIGKILL if it lingers; then its output is read to the end."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_SECONDS)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=STOP_SECONDS)
        if self.reader is not None:
            self.reader.join(timeout=STOP_SECONDS)
        if self.process.stdout is not None:
            self.process.stdout.close()


@dataclass
class NCALayerPort:
    """Port 13579 for the session: one stand-in at a time, replaced when a test needs another."""

    data_dir: Path
    running: StandIn | None = None

    def offer(self, keys: tuple[Path, ...], choose: str = "first") -> StandIn:
        """A stand-in offering `keys` with `choose`: the running one if it is that one."""
        current = self.running
        if (
            current is not None
            and (current.keys, current.choose) == (keys, choose)
            and current.process is not None
            and current.process.poll() is None
        ):
            return current
        self.close()
        self.running = StandIn(keys, choose, self.data_dir).start()
        return self.running

    def close(self) -> None:
        """Nothing on the port: as on a computer where NCALayer is not running."""
        if self.running is not None:
            self.running.stop()
            self.running = None
