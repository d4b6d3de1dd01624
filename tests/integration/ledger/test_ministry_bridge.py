"""The embedded node obeys the Ministry's signed registry changes; `kepil audit` and
`kepil permit-tx` speak the same trust."""

from __future__ import annotations

import base64
import dataclasses
import json
from datetime import timedelta
from pathlib import Path

import pytest
from tests.support.clock import MovableClock
from tests.support.ledger import (
    ALICE,
    CHAIN_ID,
    ISSUER,
    OPERATOR,
    T0,
    WHEAT,
    Chain,
    fixture_key,
    genesis_payload,
    public_key_hex,
    wheat,
)
from tests.support.ministry import MINISTRY_BIN, SIGNED_AT, Ministry
from tests.support.pki import trust_dir
from typer.testing import CliRunner

from kepil.adapters.ledger_permit import permit_change_tx
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.bootstrap.ledger import create_ledger_node
from kepil.config import Settings
from kepil.entrypoints.cli.main import app
from kepil.ledger import (
    MINISTRY,
    Executor,
    ReasonCode,
    SignedTx,
    decode_tx,
    default_registry,
    replay_block,
    sign_checkpoint,
)
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.vocab import Role
from kepil.services.ledger.node import LedgerNode, SubmitRefused

runner = CliRunner()


@pytest.fixture(scope="module")
def ministry() -> Ministry:
    """One test PKI for the module (key generation is the slow part)."""
    return Ministry.create()


def genuine_genesis(ministry: Ministry) -> object:
    return dataclasses.replace(
        genesis_payload(), permit=base64.b64encode(ministry.permit_document()).decode()
    )


def commit(node: LedgerNode, tx: SignedTx) -> str:
    """Submit `tx`, produce its block; the result code."""
    tx_id = node.submit(tx)
    while node.produce_block() is not None:
        pass
    return str(node.status(tx_id).code)


def change(ministry: Ministry, action: str, hours: int) -> SignedTx:
    document, cms = ministry.status_change(action, SIGNED_AT + timedelta(hours=hours))
    return permit_change_tx(CHAIN_ID, cms, document, T0)


def test_a_suspension_in_the_registry_stops_issue_on_the_embedded_node_and_reinstatement_resumes(
    ministry: Ministry, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        trust_dir=trust_dir(tmp_path / "trust", ministry.pki),
        ledger_ministry_bin=MINISTRY_BIN,
        ledger_chain_id=CHAIN_ID,
        ledger_signature_workers=0,
    )
    node = create_ledger_node(settings, MovableClock(T0))
    signer = Chain()
    genesis = signer.tx(genuine_genesis(ministry), OPERATOR)  # type: ignore[arg-type]
    issuer_key = public_key_hex(signer.key(ISSUER))
    alice_key = public_key_hex(signer.key(ALICE))
    setup = [
        genesis,
        signer.tx(Admit(ISSUER, "Issuer", issuer_key, (Role.HOLDER, Role.ISSUER)), OPERATOR),
        signer.tx(Admit(ALICE, "Alice", alice_key, (Role.HOLDER,)), OPERATOR),
        signer.tx(IssuerAgreement(ISSUER, "cd" * 32), OPERATOR, ISSUER),
        signer.tx(wheat(), ISSUER),
    ]
    assert [commit(node, tx) for tx in setup] == ["ok"] * len(setup)
    assert commit(node, signer.tx(Issue(WHEAT, ALICE, 1), ISSUER)) == "ok"

    suspend = change(ministry, "suspend", 1)
    assert commit(node, suspend) == "ok"
    assert commit(node, signer.tx(Issue(WHEAT, ALICE, 1), ISSUER)) == ReasonCode.PERMIT_SUSPENDED
    assert commit(node, change(ministry, "reinstate", 2)) == "ok"
    assert commit(node, signer.tx(Issue(WHEAT, ALICE, 1), ISSUER)) == "ok"
    # The same suspension relayed again (another envelope, later window) is applied once: the
    # node refuses it at the door, its "ministry" nonce (the signing moment) being used.
    document, cms = ministry.status_change("suspend", SIGNED_AT + timedelta(hours=1))
    again = permit_change_tx(CHAIN_ID, cms, document, T0 + 1)
    assert again.tx_id != suspend.tx_id
    with pytest.raises(SubmitRefused) as refused:
        node.submit(again)
    assert refused.value.code == ReasonCode.STALE_NONCE
    assert commit(node, signer.tx(Issue(WHEAT, ALICE, 1), ISSUER)) == "ok"


def test_the_embedded_node_refuses_a_genesis_under_a_ca_of_the_operators_making(
    ministry: Ministry, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path,
        trust_dir=trust_dir(tmp_path / "trust", ministry.pki),
        ledger_ministry_bin=MINISTRY_BIN,
        ledger_chain_id=CHAIN_ID,
        ledger_signature_workers=0,
    )
    node = create_ledger_node(settings, MovableClock(T0))
    homemade = Ministry.create()
    forged = dataclasses.replace(
        genesis_payload(),
        permit=base64.b64encode(homemade.permit_document()).decode(),
        ministry_certificate=base64.b64encode(homemade.certificate).decode(),
    )
    tx_id = node.submit(Chain().tx(forged, OPERATOR))
    node.produce_block()
    assert node.head() is None
    status = node.status(tx_id)
    assert ReasonCode.PERMIT_SIGNER_UNTRUSTED in str(status), status


def test_kepil_audit_reports_a_genesis_whose_permit_no_ministry_head_signed(
    ministry: Ministry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A ledger an old node wrote trusting the CA its genesis named (forgery 2 of issue 21).
    homemade = Ministry.create()
    chain = Chain(executor=Executor(CHAIN_ID, default_registry(homemade.verifier())))
    chain.genesis(
        dataclasses.replace(
            genesis_payload(), permit=base64.b64encode(homemade.permit_document()).decode()
        )
    )
    (tmp_path / "ledger").mkdir()
    with SqliteLedgerStore(tmp_path / "ledger" / "ledger.sqlite3") as store:
        for block in chain.blocks:
            outcome = replay_block(store, block, chain.executor)
            checkpoint = sign_checkpoint(outcome.block, "node-1", fixture_key("node-1"))
            store.record(outcome, checkpoint, log_index=1)
    monkeypatch.setenv("KEPIL_TRUST_DIR", str(trust_dir(tmp_path / "trust", ministry.pki)))
    monkeypatch.setenv("KEPIL_LEDGER_MINISTRY_BIN", MINISTRY_BIN)
    monkeypatch.setenv("KEPIL_DATA_DIR", str(tmp_path / "data"))
    result = runner.invoke(app, ["audit", str(tmp_path), "--json"])
    assert result.exit_code == 1, result.output
    report = json.loads(result.stdout)
    findings = [(f["height"], f["kind"]) for f in report["findings"]]
    assert findings == [(0, "replay_rejected")]
    assert ReasonCode.PERMIT_SIGNER_UNTRUSTED in report["findings"][0]["detail"]


def test_kepil_permit_tx_prints_the_envelope_relaying_the_registrys_files(
    ministry: Ministry, tmp_path: Path
) -> None:
    document, cms = ministry.status_change("suspend", SIGNED_AT)
    (tmp_path / "change.json").write_bytes(document)
    (tmp_path / "change.p7s").write_bytes(cms)
    args = ["permit-tx", "--document", str(tmp_path / "change.json")]
    args += ["--cms", str(tmp_path / "change.p7s"), "--chain", CHAIN_ID, "--now", str(T0)]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    tx = decode_tx(result.stdout.strip())
    assert tx == permit_change_tx(CHAIN_ID, cms, document, T0)
    assert (tx.type, dict(tx.unsigned.nonces)) == (
        "permit_status",
        {MINISTRY: int(SIGNED_AT.timestamp())},
    )
    assert base64.b64decode(tx.unsigned.payload["document"]) == document


def test_kepil_permit_tx_refuses_what_is_not_a_cms(tmp_path: Path) -> None:
    (tmp_path / "junk").write_bytes(b"junk")
    result = runner.invoke(app, ["permit-tx", "--cms", str(tmp_path / "junk"), "--chain", "c"])
    assert result.exit_code == 2
    assert "not a CMS" in result.stderr
