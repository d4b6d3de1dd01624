"""A portal whose embedded ledger node has a story to show: the explorer pages' test bed.

The app is the whole portal (`create_app`) with its embedded node swapped for one over a real
SQLite ledger file signing with the test harness's `node-1` key, whose genesis permit the
harness's fake verifier accepts; transactions go in through the ledger API, as a wallet sends
them, and the node's producer thread commits them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import httpx2
from fastapi import FastAPI
from tests.support.clock import MovableClock
from tests.support.ledger import (
    AGENT,
    ALICE,
    BOB,
    ISSUER,
    OPERATOR,
    PLEDGEE,
    T0,
    WHEAT,
    Chain,
    genesis_payload,
    make_node,
    public_key_hex,
    wheat,
)

from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.bootstrap import bootstrap
from kepil.bootstrap.ledger import register_ledger_handlers
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app
from kepil.entrypoints.api.ledger_wiring import install_ledger
from kepil.ledger import Payload, SignedTx
from kepil.ledger.handlers.escrow import EscrowOpen
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.handlers.pledges import Encumber
from kepil.ledger.vocab import Role
from kepil.services.ledger.node import NodeSettings

TERMS = "7e" * 32
HOUR = 3600


def explorer_app(database_url: str, data_dir: Path) -> FastAPI:
    """The portal with an embedded node of the test chain over `data_dir/ledger.sqlite3`."""
    clock = MovableClock(T0)
    settings = Settings(database_url=database_url, data_dir=data_dir, ledger_enabled=False)
    app = create_app(bootstrap(settings, clock=clock))
    store = SqliteLedgerStore(data_dir / "ledger.sqlite3")
    node = make_node(store, clock, NodeSettings(max_wait_seconds=0.005))
    register_ledger_handlers(app.state.bus, node)
    install_ledger(app, node, bus=app.state.bus)
    return app


@dataclass
class Story:
    """What was committed: each step's transaction id, by name, and the signer that goes on."""

    signer: Chain
    ids: dict[str, str] = field(default_factory=dict)

    @property
    def pledge(self) -> str:
        """The id of the open pledge (its encumbering transaction's id)."""
        return self.ids["encumber"]

    @property
    def escrow(self) -> str:
        """The id of the open escrow (its opening transaction's id)."""
        return self.ids["escrow_open"]


def commit(client: httpx2.Client, tx: SignedTx) -> str:
    """Send `tx` through the ledger API of `client` and wait for its block; its result code."""
    sent = client.post("/api/v1/ledger/transactions", content=tx.to_bytes())
    assert sent.status_code == 202, sent.text
    status = client.get(f"/api/v1/ledger/transactions/{tx.tx_id}?wait=10").json()
    assert status["state"] == "committed", status
    return str(status["code"])


def tell_story(client: httpx2.Client, signer: Chain | None = None) -> Story:
    """Genesis, participants, the wheat class issued to Alice, a transfer, a pledge, an escrow,
    and one refused transfer (more units than Bob has)."""
    chain = signer or Chain()
    story = Story(chain)

    def admit(who: str, *roles: Role) -> Payload:
        return Admit(who, f"ТОО «Участник {who[-4:]}»", public_key_hex(chain.key(who)), roles)

    steps: list[tuple[str, Payload, tuple[str, ...]]] = [
        ("genesis", genesis_payload(), (OPERATOR,)),
        ("admit_issuer", admit(ISSUER, Role.ISSUER, Role.HOLDER), (OPERATOR,)),
        ("admit_alice", admit(ALICE, Role.HOLDER), (OPERATOR,)),
        ("admit_bob", admit(BOB, Role.HOLDER), (OPERATOR,)),
        ("admit_pledgee", admit(PLEDGEE, Role.PLEDGEE), (OPERATOR,)),
        ("admit_agent", admit(AGENT, Role.PAYMENT_AGENT), (OPERATOR,)),
        ("agreement", IssuerAgreement(ISSUER, "cd" * 32), (OPERATOR, ISSUER)),
        ("define", wheat(), (ISSUER,)),
        ("issue", Issue(WHEAT, ALICE, 1_000_500), (ISSUER,)),
        ("transfer", Transfer(WHEAT, ALICE, BOB, 250_000, None), (ALICE,)),
        (
            "encumber",
            Encumber(WHEAT, ALICE, PLEDGEE, 100_000, TERMS, T0 + 30 * 24 * HOUR),
            (ALICE, PLEDGEE),
        ),
        (
            "escrow_open",
            EscrowOpen(WHEAT, ALICE, BOB, AGENT, 50_000, 1_500_000, "KZT", "inv-7", T0 + 2 * HOUR),
            (ALICE,),
        ),
        ("refused", Transfer(WHEAT, BOB, ALICE, 999_999_999, None), (BOB,)),
    ]
    for name, payload, signers in steps:
        tx = chain.tx(payload, *signers)
        code = commit(client, tx)
        assert (code == "ok") is (name != "refused"), (name, code)
        story.ids[name] = tx.tx_id
    return story
