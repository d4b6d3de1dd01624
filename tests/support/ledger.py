"""The ledger test harness: deterministic keys, a fake permit verifier, a one-node chain in
memory, and a node over the in-memory storage with a movable clock.

Every key here is a TEST FIXTURE derived from a fixed seed string; none is used anywhere else.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from tests.support.clock import MovableClock

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.domain.identity import Sex, make_iin
from kepil.ledger import (
    MINISTRY,
    Block,
    BlockProposal,
    Executor,
    MemoryState,
    Payload,
    PermitFacts,
    PermitRefusal,
    ReasonCode,
    SignedTx,
    StatusChangeFacts,
    TxResult,
    Window,
    apply_block,
    build_tx,
    default_registry,
    key_from_seed,
    public_key_hex,
)
from kepil.ledger.crypto import SigningKey
from kepil.ledger.handlers.genesis import Genesis, OperatorEntry
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.handlers.issuers import DefineAsset, Issue, IssuerAgreement
from kepil.ledger.handlers.participants import Admit
from kepil.ledger.handlers.permit import PermitStatusChange
from kepil.ledger.records import Backing, NodeKey
from kepil.ledger.view import LedgerView
from kepil.ledger.vocab import AssetKind, PermitAction, RightCategory, Role
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings
from kepil.services.ledger.signatures import SignatureChecker
from kepil.services.ledger.storage import LedgerStorage

CHAIN_ID = "kepil-test"
T0 = 1_767_225_600  # 2026-01-01 00:00 UTC
DAY = 24 * 3600
YEAR = 365 * DAY
OPERATOR = "150640123452"  # a resident legal entity's BIN
WHEAT = "WHEAT-2026"
BACKING_HASH = "ab" * 32
RELAY_KEY = public_key_hex(key_from_seed(b"kepil test fixture key: relay"))  # TEST FIXTURE


def fixture_key(name: str) -> SigningKey:
    """TEST FIXTURE: the deterministic key of `name`."""
    return key_from_seed(b"kepil test fixture key: " + name.encode())


def person(n: int) -> str:
    """A deterministic valid IIN for test participant number `n`."""
    serial = 1000 + 2 * n
    while (iin := make_iin(date(1985, 3, 14), Sex.MALE, serial)) is None:
        serial += 1
    return iin


ISSUER, ALICE, BOB, PLEDGEE, AGENT, AUDITOR, CAROL = (person(n) for n in range(7))


def permit_document(
    holder: str = OPERATOR,
    number: str = "KZ-PERMIT-0001",
    valid_from: int = T0 - DAY,
    valid_until: int = T0 + 3 * YEAR,
    forged: bool = False,
    signed_at: int = T0 - DAY,
    refused_as: ReasonCode | None = None,
) -> bytes:
    """A permit document the fake verifier understands (JSON instead of CMS).

    `refused_as` stands for a signer the real verifier refuses with that code."""
    facts = {
        "number": number,
        "holder": holder,
        "valid_from": valid_from,
        "valid_until": valid_until,
        "forged": forged,
        "signed_at": signed_at,
        "refused_as": refused_as,
    }
    return json.dumps(facts).encode()


def status_change(
    action: PermitAction,
    signed_at: int,
    number: str = "KZ-PERMIT-0001",
    refused_as: ReasonCode | None = None,
) -> PermitStatusChange:
    """A fake Ministry-signed status change: the document and a JSON stand-in for its CMS."""
    document = json.dumps({"permit_number": number, "action": action, "reason": "Order 12"})
    cms = json.dumps({"signed_at": signed_at, "refused_as": refused_as, "signs": document})
    return PermitStatusChange(RELAY_KEY, b64(cms.encode()), b64(document.encode()))


def renewal(document: bytes) -> PermitStatusChange:
    """A renewal relayed: the new permit document (the fake's JSON) as the CMS."""
    return PermitStatusChange(RELAY_KEY, b64(document))


class FakePermitVerifier:
    """TEST FIXTURE: accepts the JSON permits and status changes above unless marked refused."""

    def verify(self, permit_document: bytes) -> PermitFacts | PermitRefusal:
        """Facts of an unforged permit."""
        data = json.loads(permit_document)
        if data["forged"]:
            return PermitRefusal("the signature does not verify")
        if data["refused_as"]:
            return PermitRefusal("a TEST refusal", ReasonCode(data["refused_as"]))
        return PermitFacts(
            data["number"],
            data["holder"],
            data["valid_from"],
            data["valid_until"],
            data["signed_at"],
        )

    def verify_status_change(
        self, document: bytes, cms: bytes
    ) -> StatusChangeFacts | PermitRefusal:
        """Facts of a status change whose stand-in CMS signs `document`."""
        signature, data = json.loads(cms), json.loads(document)
        if signature["signs"] != document.decode():
            return PermitRefusal("the CMS signs other bytes")
        if signature["refused_as"]:
            return PermitRefusal("a TEST refusal", ReasonCode(signature["refused_as"]))
        action = PermitAction(data["action"])
        return StatusChangeFacts(
            data["permit_number"], action, data["reason"], signature["signed_at"]
        )


def b64(data: bytes) -> str:
    """Standard base64 text."""
    return base64.b64encode(data).decode()


def genesis_payload(permit: bytes | None = None, operator: str = OPERATOR) -> Genesis:
    """A genesis with the test operator, Ministry and two nodes."""
    return Genesis(
        platform="Kepil test platform",
        operator=OperatorEntry(
            operator, "Kepil Operator LLP", public_key_hex(fixture_key(operator)), ()
        ),
        permit=b64(permit or permit_document()),
        nodes=tuple(NodeKey(f"node-{i}", public_key_hex(fixture_key(f"node-{i}"))) for i in (1, 2)),
    )


def wheat(issuer: str = ISSUER, **changes: object) -> DefineAsset:
    """The standard test asset class: wheat of the 2026 harvest, in kilograms (3 decimals)."""
    fields: dict[str, object] = {
        "asset": WHEAT,
        "issuer": issuer,
        "name": "Wheat, class 3, 2026 harvest",
        "kind": AssetKind.GOODS,
        "right": RightCategory.GOODS_OWNERSHIP,
        "unit": "kg",
        "decimals": 3,
        "cap": 10**12,
        "backing": (Backing(BACKING_HASH, "Warehouse receipt No. 17"),),
    }
    fields.update(changes)
    return DefineAsset(**fields)  # type: ignore[arg-type]


@dataclass
class Chain:
    """A one-node chain in memory: build signed transactions, run them in blocks."""

    now: int = T0
    state: MemoryState = field(default_factory=MemoryState)
    executor: Executor = field(
        default_factory=lambda: Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    )
    keys: dict[str, SigningKey] = field(default_factory=dict)
    nonces: dict[str, int] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)

    def key(self, signer: str) -> SigningKey:
        """The signer's current key (a test fixture unless rotated in the test)."""
        return self.keys.setdefault(signer, fixture_key(signer))

    def tx(
        self, payload: Payload, *signers: str, window: Window | None = None, chain: str = CHAIN_ID
    ) -> SignedTx:
        """A transaction of `payload` signed by `signers`, each with its next nonce."""
        nonces = {s: self.nonces.get(s, 0) + 1 for s in signers}
        self.nonces.update(nonces)
        window = window or Window(self.now - 60, self.now + 3600)
        unsigned = build_tx(chain, payload, nonces, window)
        return unsigned.sign({s: self.key(s) for s in signers})

    def block(self, txs: Iterable[SignedTx], timestamp: int | None = None) -> Block:
        """Execute `txs` as the next block and commit it."""
        self.now = self.now if timestamp is None else timestamp
        head = self.state.head()
        height, previous = (0, "0" * 64) if head is None else (head.height + 1, head.block_hash)
        proposal = BlockProposal(height, previous, self.now, tuple(txs))
        outcome = apply_block(self.state, proposal, self.executor)
        self.state.commit(outcome.changes, outcome.block.head())
        self.blocks.append(outcome.block)
        return outcome.block

    def send(self, tx: SignedTx) -> TxResult:
        """Run one transaction in a block of its own."""
        return self.block([tx]).results[0]

    def run(self, payload: Payload, *signers: str, **options: object) -> str:
        """Build, sign and run one transaction; "ok" or the reason code."""
        return self.send(self.tx(payload, *signers, **options)).code  # type: ignore[arg-type]

    def relay(self, change: PermitStatusChange, signed_at: int) -> str:
        """Run the Ministry's change as a relay submits it (nonce: the signing time); the code."""
        window = Window(self.now - 60, self.now + 3600)
        unsigned = build_tx(CHAIN_ID, change, {MINISTRY: signed_at}, window)
        return self.send(unsigned.sign({MINISTRY: fixture_key("relay")})).code

    def advance(self, seconds: int) -> None:
        """Move block time forward."""
        self.now += seconds

    def view(self) -> LedgerView:
        """A read view of the committed state."""
        return LedgerView(self.state)

    def balance(self, holder: str, asset: str = WHEAT) -> int:
        """`holder`'s free units."""
        return self.view().balance(holder, asset)

    def genesis(self, payload: Genesis | None = None) -> None:
        """Start the chain with the standard genesis."""
        payload = payload or genesis_payload()
        self.block([self.tx(payload, payload.operator.id)])

    def admit(self, participant: str, *roles: Role) -> str:
        """Admit a participant with `roles`; the code."""
        admit = Admit(
            participant,
            f"Participant {participant}",
            public_key_hex(self.key(participant)),
            tuple(sorted(roles)),
        )
        return self.run(admit, OPERATOR)

    def transfer(self, sender: str, recipient: str, amount: int, asset: str = WHEAT) -> str:
        """A transfer signed by the sender; the code."""
        return self.run(Transfer(asset, sender, recipient, amount), sender)


def standard_chain() -> Chain:
    """Genesis, six participants, the issuer's agreement, the wheat class, 1000+500 issued."""
    chain = Chain()
    chain.genesis()
    assert chain.admit(ISSUER, Role.ISSUER, Role.HOLDER) == "ok"
    for holder in (ALICE, BOB, CAROL):
        assert chain.admit(holder, Role.HOLDER) == "ok"
    assert chain.admit(PLEDGEE, Role.PLEDGEE) == "ok"
    assert chain.admit(AGENT, Role.PAYMENT_AGENT) == "ok"
    assert chain.admit(AUDITOR, Role.AUDITOR) == "ok"
    assert chain.run(IssuerAgreement(ISSUER, "cd" * 32), OPERATOR, ISSUER) == "ok"
    assert chain.run(wheat(), ISSUER) == "ok"
    assert chain.run(Issue(WHEAT, ALICE, 1000), ISSUER) == "ok"
    assert chain.run(Issue(WHEAT, BOB, 500), ISSUER) == "ok"
    return chain


def make_node(
    store: LedgerStorage,
    clock: MovableClock,
    settings: NodeSettings | None = None,
    checker: SignatureChecker | None = None,
    name: str = "node-1",
) -> LedgerNode:
    """A stopped node of the test chain over `store`, signing with `name`'s fixture key."""
    executor = Executor(CHAIN_ID, default_registry(FakePermitVerifier()))
    return LedgerNode(
        executor, store, clock, NodeIdentity(name, fixture_key(name)), settings, checker
    )


@dataclass
class World:
    """A node, its store and clock, and a Chain used only to build and sign transactions."""

    node: LedgerNode
    store: MemoryLedgerStorage
    clock: MovableClock
    signer: Chain = field(default_factory=Chain)

    @classmethod
    def in_memory(
        cls, settings: NodeSettings | None = None, checker: SignatureChecker | None = None
    ) -> World:
        """A stopped node over a fresh in-memory storage, its clock at T0."""
        store, clock = MemoryLedgerStorage(), MovableClock(T0)
        return cls(make_node(store, clock, settings, checker), store, clock)

    def genesis(self) -> SignedTx:
        """The standard genesis, signed by the operator."""
        payload = genesis_payload()
        return self.signer.tx(payload, payload.operator.id)

    def admit(self, participant: str, *roles: Role) -> SignedTx:
        """The operator admitting `participant` with `roles`."""
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
        """Commit setup() block by block on a node whose producer thread is not running."""
        ids = [self.node.submit(tx) for tx in self.setup()]
        while self.node.produce_block() is not None:
            pass
        assert {self.node.status(i).code for i in ids} == {"ok"}
