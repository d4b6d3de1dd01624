"""Fixtures of the node tests: a stopped node over MemoryState, a hand-moved clock, a signer."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.ledger import Executor, SignedTx, default_registry, public_key_hex
from kepil.ledger.handlers.issuers import Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.vocab import Role
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings

from ..ledger.harness import (
    ALICE,
    BOB,
    CAROL,
    CHAIN_ID,
    ISSUER,
    OPERATOR,
    T0,
    WHEAT,
    Chain,
    FakePermitVerifier,
    fixture_key,
    genesis_payload,
    wheat,
)


class MovableClock:
    """A clock tests move by hand."""

    def __init__(self, at: int = T0) -> None:
        self.at = at

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.at, UTC)


@dataclass
class World:
    """A node, its store and clock, and a Chain used only to build and sign transactions."""

    node: LedgerNode
    store: MemoryLedgerStorage
    clock: MovableClock
    signer: Chain = field(default_factory=Chain)

    def genesis(self) -> SignedTx:
        payload = genesis_payload()
        return self.signer.tx(payload, payload.operator.id)

    def admit(self, participant: str, *roles: Role) -> SignedTx:
        key = public_key_hex(self.signer.key(participant))
        return self.signer.tx(
            Admit(participant, f"P {participant}", key, tuple(sorted(roles))), OPERATOR
        )

    def setup(self) -> list[SignedTx]:
        """Genesis, the issuer and two holders, the wheat class, 1000 units to Alice."""
        return [
            self.genesis(),
            self.admit(ISSUER, Role.ISSUER, Role.HOLDER),
            self.admit(ALICE, Role.HOLDER),
            self.admit(BOB, Role.HOLDER),
            self.admit(CAROL, Role.HOLDER),
            self.signer.tx(IssuerAgreement(ISSUER, "cd" * 32), OPERATOR, ISSUER),
            self.signer.tx(wheat(), ISSUER),
            self.signer.tx(Issue(WHEAT, ALICE, 1000), ISSUER),
        ]

    def run_setup(self) -> None:
        ids = [self.node.submit(tx) for tx in self.setup()]
        while self.node.produce_block() is not None:
            pass
        assert {self.node.status(i).code for i in ids} == {"ok"}


def make_node(
    store: MemoryLedgerStorage,
    clock: MovableClock,
    settings: NodeSettings | None = None,
    **extra: object,
) -> LedgerNode:
    executor = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    identity = NodeIdentity("node-1", fixture_key("node-1"))
    return LedgerNode(executor, store, clock, identity, settings, **extra)  # type: ignore[arg-type]


@pytest.fixture
def world() -> Iterator[World]:
    store, clock = MemoryLedgerStorage(), MovableClock()
    node = make_node(store, clock, NodeSettings(max_block_txs=3, mempool_limit=20))
    yield World(node, store, clock)
    node.stop()
