"""Chains for the ledger store tests: a memory chain with every kind of movement, and a replayer."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.support.ledger import (
    AGENT,
    ALICE,
    BOB,
    CAROL,
    DAY,
    ISSUER,
    PLEDGEE,
    WHEAT,
    Chain,
    standard_chain,
    wheat,
)

from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.ledger import replay_block
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen
from kepil.ledger.handlers.holdings import Leg, Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import Issue
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release
from kepil.ledger.statekeys import StateKey, Value, key_from_text, value_from_json

BARLEY = "BARLEY-2026"


def busy_chain() -> Chain:
    """The standard chain, then transfers, a swap, pledges, an escrow, a redemption, a refusal."""
    chain = standard_chain()
    assert chain.run(wheat(asset=BARLEY, name="Barley, 2026 harvest"), ISSUER) == "ok"
    assert chain.run(Issue(BARLEY, CAROL, 300), ISSUER) == "ok"
    assert chain.transfer(ALICE, BOB, 100) == "ok"
    assert chain.transfer(ALICE, BOB, 10**9) == "insufficient_units"
    swap = Swap(Leg(ALICE, WHEAT, 50), Leg(CAROL, BARLEY, 30))
    assert chain.run(swap, ALICE, CAROL) == "ok"
    # One block: pledge, partial foreclosure to a buyer, release of the rest, a transfer.
    pledge = chain.tx(Encumber(WHEAT, BOB, PLEDGEE, 200, "ef" * 32, chain.now + DAY), BOB, PLEDGEE)
    enforce = chain.tx(Enforce(pledge.tx_id, 80, CAROL), PLEDGEE)
    release = chain.tx(Release(pledge.tx_id), PLEDGEE)
    transfer = chain.tx(Transfer(WHEAT, BOB, ALICE, 5), BOB)
    block = chain.block([pledge, enforce, release, transfer])
    assert [r.code for r in block.results] == ["ok"] * 4
    opened = chain.tx(
        EscrowOpen(WHEAT, ALICE, CAROL, AGENT, 40, 100_000, "KZT", "PAY-1", chain.now + DAY),
        ALICE,
    )
    assert chain.send(opened).code == "ok"
    assert chain.run(EscrowConfirm(opened.tx_id, "PAY-1"), AGENT) == "ok"
    assert chain.run(Redeem(WHEAT, CAROL, 20, "delivery 1"), CAROL) == "ok"
    return chain


def replay_into(store: SqliteLedgerStore, chain: Chain, upto: int | None = None) -> None:
    """Re-execute the chain's blocks (all, or up to height `upto`) on the store, committing each."""
    for block in chain.blocks[: None if upto is None else upto + 1]:
        store.commit_block(replay_block(store, block, chain.executor))


def file_snapshot(path: Path) -> dict[StateKey, Value]:
    """The state table of a ledger file, decoded with the core's own value reader."""
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute("SELECT key, value FROM state").fetchall()
    finally:
        connection.close()
    return {key_from_text(k): value_from_json(key_from_text(k), v) for k, v in rows}
