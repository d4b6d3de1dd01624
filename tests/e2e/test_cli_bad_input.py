"""Every bad invocation an operator may type gets one line on stderr and exit 2, never a traceback.

The table lists what a careful attacker and a clumsy operator tried (issue 16, item 17); each row
names the words the one line must contain, so a generic message would not pass.
"""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from .conftest import KEPIL

IIN = "850315400124"


@dataclass(frozen=True)
class Workspace:
    """Files the bad invocations point at, made once with `kepil` itself."""

    root: Path
    cert: Path
    key: Path
    stranger_cert: Path
    stranger_key: Path


def _kepil(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KEPIL_DATA_DIR": str(cwd / "data")}
    return subprocess.run(
        [KEPIL, *args], cwd=cwd, capture_output=True, text=True, env=environment, timeout=60,
        check=False,
    )  # fmt: skip


def _issue(root: Path, ca: str) -> tuple[Path, Path]:
    assert _kepil(root, "pki", "init", ca).returncode == 0
    done = _kepil(root, "pki", "issue", ca, "--profile", "individual", "--iin", IIN, "--name", "X")
    assert done.returncode == 0, done.stderr
    cert, key = json.loads(done.stdout)["files"]
    return root / cert, root / key


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A test CA with a certificate, a stranger CA's certificate, and some awkward files."""
    root = tmp_path_factory.mktemp("bad-input")
    cert, key = _issue(root, "ca")
    stranger_cert, stranger_key = _issue(root, "stranger")
    (root / "doc.txt").write_text("a document")
    (root / "plain-file").write_text("not a directory")
    (root / "binary.dat").write_bytes(bytes(range(128, 256)) * 4)
    (root / "empty-dir").mkdir()
    (root / "empty-net").mkdir()
    (root / "empty-net" / "cluster.json").write_text("")
    node = (
        "name = 'node-1'\ndata_dir = 'node-1'\napi = '127.0.0.1:18101'\nraft = '127.0.0.1:19101'\n"
    )
    (root / "secret.password").write_text("a-test-password-of-32-characters\n")
    (root / "binary-password.toml").write_text(node + "password_file = 'binary.dat'\n")
    (root / "peer-api.toml").write_text(
        node + "password_file = 'secret.password'\n\n[peer_api]\nnode-2 = 5\n"
    )
    assert _kepil(root, "wallet", "keygen", "--out", "wallet.key").returncode == 0
    return Workspace(root, cert, key, stranger_cert, stranger_key)


# (invocation, words the one line must contain); {cert}, {key}, {stranger_*} are filled in.
BAD_INVOCATIONS: list[tuple[str, str]] = [
    ("eds sign doc.txt empty-dir --key {key} --cert {cert}", "Is a directory"),
    ("eds sign doc.txt no-such-folder/out.cms --key {key} --cert {cert}", "No such file"),
    ("eds sign doc.txt out.cms --key {key} --cert {cert} --password pw", "not encrypted"),
    ("eds sign doc.txt out.cms --key {stranger_key} --cert {cert}", "does not match"),
    ("eds sign missing.txt out.cms --key {key} --cert {cert}", "missing.txt"),
    ("eds info missing.pem", "missing.pem"),
    ("eds info doc.txt", "cannot read certificate"),
    ("calendar deadline 9999-12-31 --working-days 1", "outside the working calendar"),
    ("calendar is-working-day 9999-12-31", "outside the working calendar"),
    ("calendar registration-day 9999-12-31T20:00", "outside the working calendar"),
    ("calendar registration-day 9999-12-31T23:00-05:00", "outside the years"),
    ("calendar deadline 2026-04-10 --working-days 100000000", "100000000 working days"),
    ("calendar working-days-between 0001-01-01 9999-12-31", "outside the working calendar"),
    ("calendar holidays 9999", "between 1991 and 2200"),
    ("pki init plain-file", "not a directory"),
    ("pki revoke no-such-ca {cert}", "holds no test CA"),
    ("pki crl no-such-ca", "holds no test CA"),
    ("pki crl empty-dir", "holds no test CA"),
    ("pki crl ca --out empty-dir", "Is a directory"),
    ("pki issue ca --profile individual --iin 850315400124 --name X --days 99999999", "9999"),
    (
        "pki issue ca --profile individual --iin 850315400124 --name X "
        "--not-before 9999-06-01T00:00:00",
        "9999",
    ),
    ("pki revoke ca {stranger_cert}", "not issued by the test CA"),
    (
        "wallet build transfer --key binary.dat --payload {{}} --signer 850315400124 --nonce 1",
        "not a kepil wallet key file",
    ),
    (
        "wallet build transfer --key wallet.key --payload @binary.dat --signer 850315400124 "
        "--nonce 1",
        "not UTF-8",
    ),
    ("node --config binary-password.toml", "not UTF-8 text"),
    ("node --config peer-api.toml", "[peer_api] node-2"),
    ("cluster init --dir net-a --api-port 99999", "--api-port"),
    ("cluster init --dir net-b --api-port -5", "--api-port"),
    ("cluster init --dir net-c --api-port 65534", "65534..65538"),
    ("cluster add --dir no-such-net", "no network at no-such-net"),
    ("cluster add --dir empty-dir", "no cluster.json"),
    ("cluster add --dir empty-net", "cluster.json"),
    ("cluster remove node-1 --dir no-such-net", "no network at no-such-net"),
    ("cluster remove node-1 --dir empty-dir", "no cluster.json"),
    ("cluster status --dir empty-net", "cluster.json"),
]


@pytest.mark.parametrize(("invocation", "words"), BAD_INVOCATIONS)
def test_a_bad_invocation_is_one_line_on_stderr_with_exit_2(
    workspace: Workspace, invocation: str, words: str
) -> None:
    args = invocation.format(
        cert=workspace.cert,
        key=workspace.key,
        stranger_cert=workspace.stranger_cert,
        stranger_key=workspace.stranger_key,
    ).split()
    done = _kepil(workspace.root, *args)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    [line] = done.stderr.splitlines()
    assert line.startswith("kepil: error: ")
    assert words in line


def test_signing_with_a_key_that_is_not_the_certificates_writes_no_cms(
    workspace: Workspace,
) -> None:
    out = workspace.root / "mismatch.cms"
    done = _kepil(
        workspace.root, "eds", "sign", "doc.txt", str(out),
        "--key", str(workspace.stranger_key), "--cert", str(workspace.cert),
    )  # fmt: skip
    assert done.returncode == 2
    assert not out.exists()


def test_a_certificate_of_another_ca_stays_out_of_the_revocation_list(
    workspace: Workspace,
) -> None:
    assert _kepil(workspace.root, "pki", "revoke", "ca", str(workspace.stranger_cert)).returncode
    revoked = json.loads((workspace.root / "ca" / "revoked.json").read_text())
    serial = json.loads(_kepil(workspace.root, "eds", "info", str(workspace.stranger_cert)).stdout)[
        "serial_number"
    ]
    assert serial not in revoked


def test_an_iin_with_a_birth_date_to_come_is_invalid(workspace: Workspace) -> None:
    done = _kepil(workspace.root, "id", "check", "820303500000")
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert (report["valid"], report["error"]) == (False, "bad_birth_date")


def test_a_failed_cluster_init_leaves_nothing_and_the_retry_works(workspace: Workspace) -> None:
    network = workspace.root / "net-retry"
    failed = _kepil(workspace.root, "cluster", "init", "--dir", str(network), "--api-port", "65534")
    assert failed.returncode == 2
    assert not network.exists()
    retried = _kepil(workspace.root, "cluster", "init", "--dir", str(network), "--nodes", "1")
    assert retried.returncode == 0, retried.stderr
    assert (network / "cluster.json").is_file()
