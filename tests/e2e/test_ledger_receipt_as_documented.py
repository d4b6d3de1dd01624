"""The README's path on the embedded default ends in a confirmed receipt.

As the README says: read the node's name and checkpoint key (logged at start, answered by
GET /api/v1/ledger/node), list them in genesis, build and submit with the wallet (which finds
the server through KEPIL_PORT, as `kepil serve` does), and ask for the receipt.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .conftest import KEPIL, RunningServer
from .test_ledger_story_from_a_terminal import MINISTRY_BIN, OPERATOR, Terminal, _signed_permit


def _get(server: RunningServer, path: str) -> Any:
    with urllib.request.urlopen(f"{server.base_url}{path}", timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def _wallet(workdir: Path, port: int, *args: str) -> Any:
    environment = {**os.environ, "KEPIL_PORT": str(port)}
    environment.pop("KEPIL_HOST", None)
    done = subprocess.run(
        [KEPIL, "wallet", *args], cwd=workdir, env=environment, capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, f"kepil wallet {' '.join(args)}: {done.stderr}"
    return done.stdout


def test_the_documented_genesis_gives_a_confirmed_receipt(
    serve: Callable[..., RunningServer], tmp_path: Path
) -> None:
    permit = _signed_permit(Terminal(tmp_path, ""))  # under a CA the node is told to trust
    server = serve(
        KEPIL_TRUST_DIR=str(tmp_path / "ca" / "trust"), KEPIL_LEDGER_MINISTRY_BIN=MINISTRY_BIN
    )
    node = _get(server, "/api/v1/ledger/node")
    assert node["name"] == "node-1"
    assert len(node["public_key"]) == 64
    assert node["public_key"] in server.logs()  # `kepil serve` shows it at start

    operator = json.loads(_wallet(tmp_path, server.port, "keygen", "--out", "operator.key"))
    genesis = {
        "platform": "Kepil as documented",
        "operator": {
            "id": OPERATOR, "name": "Test operator LLP", "key": operator["public_key"], "roles": [],
        },
        "permit": permit,
        "nodes": [{"name": node["name"], "key": node["public_key"]}],
    }  # fmt: skip
    (tmp_path / "genesis.json").write_text(json.dumps(genesis))
    envelope = _wallet(
        tmp_path, server.port, "build", "genesis", "--payload", "@genesis.json",
        "--signer", OPERATOR, "--key", "operator.key",
    )  # fmt: skip
    (tmp_path / "tx.json").write_text(envelope)
    status = json.loads(_wallet(tmp_path, server.port, "submit", "tx.json", "--wait", "10"))
    assert (status["state"], status["code"]) == ("committed", "ok"), status

    receipt = _get(server, f"/api/v1/ledger/transactions/{status['tx_id']}/receipt?wait=5")
    assert receipt["confirmed"] is True, receipt
    assert [c["node"] for c in receipt["checkpoints"]] == ["node-1"]


def test_the_wallet_asks_the_port_kepil_port_names(tmp_path: Path) -> None:
    environment = {**os.environ, "KEPIL_PORT": "1"}
    environment.pop("KEPIL_HOST", None)
    done = subprocess.run(
        [KEPIL, "wallet", "account", "ministry"], cwd=tmp_path, env=environment,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    [line] = done.stderr.splitlines()
    assert line.startswith("kepil: error: cannot reach http://127.0.0.1:1")
