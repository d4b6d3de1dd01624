"""The platform's whole story from a terminal: kepil serve, pki, eds and wallet.

A Ministry official's TEST certificate signs the operator's permit; the operator starts the chain
with it, admits participants and an issuer; wheat is defined, issued, transferred, pledged and
released, sold through an escrow a payment agent confirms, and redeemed. Every step is a
separate `kepil` process against a real server, as a person would type it.
"""

from __future__ import annotations

import base64
import json
import subprocess
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .conftest import KEPIL

OPERATOR = "120440056787"
ISSUER = "050840001233"
ALICE = "900101300126"
BOB = "781102303459"
AGENT = "190640022316"
MINISTRY_HEAD = "850315400124"
MINISTRY_BIN = "990140004654"
WHEAT = "WHEAT-2026"


class Terminal:
    """Runs `kepil ...` in a working directory, as a person at a terminal would."""

    def __init__(self, workdir: Path, url: str) -> None:
        self.workdir = workdir
        self.url = url

    def run(self, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [KEPIL, *args],
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if ok:
            assert done.returncode == 0, f"kepil {' '.join(args)}: {done.stderr}"
        return done

    def json(self, *args: str) -> Any:
        return json.loads(self.run(*args).stdout)

    def keygen(self, who: str) -> str:
        return str(self.json("wallet", "keygen", "--out", f"{who}.key")["public_key"])

    def send(self, tx_type: str, payload: dict[str, Any], signer: str, *extra: str) -> str:
        """Build, sign (with any cosigners' keys) and submit; the committed tx id."""
        cosigners = [extra[i + 1] for i in range(0, len(extra), 2) if extra[i] == "--cosigner"]
        envelope = self.run(
            "wallet", "build", tx_type, "--payload", json.dumps(payload), "--signer", signer,
            "--key", f"{signer}.key", "--url", self.url, *extra,
        ).stdout  # fmt: skip
        for cosigner in cosigners:
            (self.workdir / "tx.json").write_text(envelope)
            envelope = self.run(
                "wallet", "cosign", "tx.json", "--signer", cosigner, "--key", f"{cosigner}.key"
            ).stdout
        (self.workdir / "tx.json").write_text(envelope)
        status = self.json("wallet", "submit", "tx.json", "--url", self.url, "--wait", "10")
        assert (status["state"], status["code"]) == ("committed", "ok"), status
        return str(status["tx_id"])

    def holdings(self, holder: str) -> dict[str, tuple[int, int, int]]:
        held = self.json("wallet", "holdings", holder, "--url", self.url)["holdings"]
        return {h["asset"]: (h["free"], h["pledged"], h["escrowed"]) for h in held}


def _node_key(base_url: str) -> str:
    """The embedded node's checkpoint key: genesis lists it, or no receipt is ever confirmed."""
    with urllib.request.urlopen(f"{base_url}/api/v1/ledger/node", timeout=30) as answer:  # noqa: S310
        return str(json.load(answer)["public_key"])


def _signed_permit(term: Terminal) -> str:
    """A permit for the operator signed by a Ministry head under a CA made here, b64 CMS.

    The server is then started trusting that CA (KEPIL_TRUST_DIR) as it would the NCA's."""
    term.run("pki", "init", "ca")
    issued = term.json(
        "pki", "issue", "ca", "--profile", "official", "--official-head",
        "--iin", MINISTRY_HEAD, "--name", "Test Ministry Head", "--bin", MINISTRY_BIN,
        "--org", "Ministry of Digital Development",
    )  # fmt: skip
    cert, key = (term.workdir / f for f in issued["files"])
    today = datetime.now(UTC).date()
    permit = {
        "document_type": "permit",
        "number": "PRM-2026-000001",
        "recipient": {"iin_or_bin": OPERATOR, "name": "Test operator LLP"},
        "valid_from": today.replace(year=today.year - 1).isoformat(),
        "valid_until": today.replace(year=today.year + 2).isoformat(),
    }
    canonical = json.dumps(permit, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    (term.workdir / "permit.json").write_text(canonical)
    term.run("eds", "sign", "permit.json", "permit.p7s", "--key", str(key), "--cert", str(cert))
    permit_cms = (term.workdir / "permit.p7s").read_bytes()
    return base64.b64encode(permit_cms).decode()


def test_a_platform_runs_from_genesis_to_redemption_from_a_terminal(
    serve: Callable[..., Any], tmp_path: Path
) -> None:
    term = Terminal(tmp_path, "")
    permit = _signed_permit(term)
    server = serve(
        KEPIL_TRUST_DIR=str(tmp_path / "ca" / "trust"), KEPIL_LEDGER_MINISTRY_BIN=MINISTRY_BIN
    )
    term.url = server.base_url
    keys = {who: term.keygen(who) for who in (OPERATOR, ISSUER, ALICE, BOB, AGENT)}
    node = term.json("wallet", "account", "ministry", "--url", server.base_url)
    assert node["next_nonce"] == 1

    term.send(
        "genesis",
        {
            "platform": "Kepil terminal story",
            "operator": {
                "id": OPERATOR,
                "name": "Test operator LLP",
                "key": keys[OPERATOR],
                "roles": [],
            },
            "permit": permit,
            "nodes": [{"name": "node-1", "key": _node_key(server.base_url)}],
        },
        OPERATOR,
    )
    for who, roles in (
        (ISSUER, ["holder", "issuer"]),
        (ALICE, ["holder"]),
        (BOB, ["holder", "pledgee"]),
        (AGENT, ["payment_agent"]),
    ):
        admit = {"participant": who, "name": f"Participant {who}", "key": keys[who], "roles": roles}
        term.send("admit", admit, OPERATOR)
    term.send(
        "issuer_agreement",
        {"issuer": ISSUER, "agreement_hash": "ab" * 32},
        OPERATOR,
        "--cosigner",
        ISSUER,
    )
    term.send(
        "define_asset",
        {
            "asset": WHEAT,
            "issuer": ISSUER,
            "name": "Wheat, 2026 harvest",
            "kind": "goods",
            "right": "goods_ownership",
            "unit": "kg",
            "decimals": 0,
            "cap": None,
            "backing": [{"sha256": "cd" * 32, "title": "Warehouse receipt 17"}],
        },
        ISSUER,
    )
    term.send("issue", {"asset": WHEAT, "recipient": ALICE, "amount": 1000}, ISSUER)
    transfer = {"asset": WHEAT, "sender": ALICE, "recipient": BOB, "amount": 100}
    term.send("transfer", transfer, ALICE)
    assert term.holdings(ALICE) == {WHEAT: (900, 0, 0)}

    pledge = term.send(
        "encumber",
        {
            "asset": WHEAT,
            "pledgor": ALICE,
            "pledgee": BOB,
            "amount": 300,
            "terms_hash": "ef" * 32,
            "expires_at": 4_000_000_000,
        },
        ALICE,
        "--cosigner",
        BOB,
    )
    assert term.holdings(ALICE) == {WHEAT: (600, 300, 0)}
    term.send("release", {"pledge": pledge}, BOB)

    escrow = term.send(
        "escrow_open",
        {
            "asset": WHEAT,
            "seller": ALICE,
            "buyer": BOB,
            "agent": AGENT,
            "amount": 200,
            "price_amount": 50_000,
            "price_currency": "KZT",
            "payment_ref": "PAY-1",
            "deadline": 4_000_000_000,
        },
        ALICE,
    )
    assert term.holdings(ALICE) == {WHEAT: (700, 0, 200)}
    term.send("escrow_confirm", {"escrow": escrow, "payment_ref": "PAY-1"}, AGENT)
    term.send("redeem", {"asset": WHEAT, "holder": BOB, "amount": 50}, BOB)

    assert term.holdings(ALICE) == {WHEAT: (700, 0, 0)}
    assert term.holdings(BOB) == {WHEAT: (250, 0, 0)}
    history = term.json("wallet", "history", BOB, "--url", server.base_url)["entries"]
    assert [e["type"] for e in history][:3] == ["redeem", "escrow_confirm", "escrow_open"]
    refused = term.run(
        "wallet", "build", "transfer", "--payload", json.dumps(transfer), "--signer", ALICE,
        "--key", f"{ALICE}.key", "--nonce", "1", "--url", server.base_url,
    )  # fmt: skip
    (tmp_path / "stale.json").write_text(refused.stdout)
    stale = term.run("wallet", "submit", "stale.json", "--url", server.base_url, ok=False)
    assert stale.returncode == 2
    assert "stale_nonce" in stale.stderr
