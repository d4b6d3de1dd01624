"""Stateful property tests of the ledger's invariants over random sequences of transactions."""

from __future__ import annotations

from collections import Counter

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from tests.support.ledger import (
    AGENT,
    ALICE,
    BOB,
    CAROL,
    DAY,
    ISSUER,
    OPERATOR,
    PLEDGEE,
    WHEAT,
    standard_chain,
    wheat,
)

from kepil.ledger import MemoryState, ReasonCode, SignedTx, replay_block
from kepil.ledger.handler import Payload
from kepil.ledger.handlers.escrow import EscrowConfirm, EscrowOpen, EscrowRefund
from kepil.ledger.handlers.holdings import Leg, Redeem, Swap, Transfer
from kepil.ledger.handlers.issuers import Issue
from kepil.ledger.handlers.operator import ForcedTransfer, FreezeOrder, Unfreeze
from kepil.ledger.handlers.pledges import Encumber, Enforce, Release
from kepil.ledger.records import Encumbrance, Escrow, Supply
from kepil.ledger.statekeys import Space, value_from_json, value_json

OATS = "OATS-2026"
HOLDERS = (ALICE, BOB, CAROL, PLEDGEE)
ASSETS = (WHEAT, OATS)
holders = st.sampled_from(HOLDERS)
assets = st.sampled_from(ASSETS)
amounts = st.integers(min_value=1, max_value=700)
SUPPLY_CHANGERS = frozenset({"issue", "redeem"})
PLEDGE_MOVERS = frozenset({"release", "enforce"})


class LedgerMachine(RuleBasedStateMachine):
    """Random transactions against one chain, with the invariants checked after every block."""

    def __init__(self) -> None:
        super().__init__()
        self.chain = standard_chain()
        assert self.chain.run(wheat(asset=OATS, name="Oats"), ISSUER) == "ok"
        self.pledges: list[str] = []
        self.escrows: list[str] = []
        self.applied: list[SignedTx] = []

    def step(self, payload: Payload, *signers: str) -> str:
        """Run one transaction and check what it may and may not have changed."""
        before = self.chain.state.snapshot()
        tx = self.chain.tx(payload, *signers)
        code = self.chain.send(tx).code
        after = self.chain.state.snapshot()
        applied = code == "ok"
        if applied:
            self.applied.append(tx)
        for key, value in before.items():
            if isinstance(value, Supply) and after.get(key) != value:
                assert applied, payload.TYPE
                assert payload.TYPE in SUPPLY_CHANGERS, payload.TYPE
            if isinstance(value, Encumbrance) and after.get(key) != value:
                assert applied, payload.TYPE
                assert payload.TYPE in PLEDGE_MOVERS, payload.TYPE
        return code

    @rule(holder=holders, asset=assets, amount=amounts)
    def issue(self, holder: str, asset: str, amount: int) -> None:
        self.step(Issue(asset, holder, amount), ISSUER)

    @rule(sender=holders, recipient=holders, asset=assets, amount=amounts)
    def transfer(self, sender: str, recipient: str, asset: str, amount: int) -> None:
        self.step(Transfer(asset, sender, recipient, amount), sender)

    @rule(a=holders, b=holders, amount_a=amounts, amount_b=amounts)
    def swap(self, a: str, b: str, amount_a: int, amount_b: int) -> None:
        self.step(Swap(Leg(a, WHEAT, amount_a), Leg(b, OATS, amount_b)), a, b)

    @rule(
        pledgor=st.sampled_from((ALICE, BOB, CAROL)),
        asset=assets,
        amount=amounts,
        days=st.integers(1, 5),
    )
    def encumber(self, pledgor: str, asset: str, amount: int, days: int) -> None:
        expires = self.chain.now + days * DAY
        tx_count = len(self.applied)
        payload = Encumber(asset, pledgor, PLEDGEE, amount, "77" * 32, expires)
        if self.step(payload, pledgor, PLEDGEE) == "ok":
            self.pledges.append(self.applied[tx_count].tx_id)

    @precondition(lambda self: self.pledges)
    @rule(data=st.data(), by_pledgee=st.booleans())
    def release(self, data: st.DataObject, by_pledgee: bool) -> None:
        pledge_id = data.draw(st.sampled_from(self.pledges))
        pledge = self.chain.view().encumbrance(pledge_id)
        signer = PLEDGEE if by_pledgee or pledge is None else pledge.pledgor
        self.step(Release(pledge_id), signer)

    @precondition(lambda self: self.pledges)
    @rule(data=st.data(), amount=st.none() | amounts, buyer=st.none() | holders)
    def enforce(self, data: st.DataObject, amount: int | None, buyer: str | None) -> None:
        pledge_id = data.draw(st.sampled_from(self.pledges))
        self.step(Enforce(pledge_id, amount, buyer), PLEDGEE)

    @rule(seller=holders, buyer=holders, amount=amounts)
    def escrow_open(self, seller: str, buyer: str, amount: int) -> None:
        payload = EscrowOpen(
            WHEAT, seller, buyer, AGENT, amount, 10_000, "KZT", "inv", self.chain.now + DAY
        )
        tx_count = len(self.applied)
        if self.step(payload, seller) == "ok":
            self.escrows.append(self.applied[tx_count].tx_id)

    @precondition(lambda self: self.escrows)
    @rule(data=st.data(), confirm=st.booleans())
    def escrow_close(self, data: st.DataObject, confirm: bool) -> None:
        escrow_id = data.draw(st.sampled_from(self.escrows))
        if confirm:
            self.step(EscrowConfirm(escrow_id, "inv"), AGENT)
        else:
            self.step(EscrowRefund(escrow_id), CAROL)

    @rule(holder=holders, asset=assets, amount=amounts)
    def redeem(self, holder: str, asset: str, amount: int) -> None:
        self.step(Redeem(asset, holder, amount), holder)

    @rule(holder=holders, freeze=st.booleans())
    def freeze_or_unfreeze(self, holder: str, freeze: bool) -> None:
        order = FreezeOrder if freeze else Unfreeze
        self.step(order(holder, None, "court order", "2-1/2026"), OPERATOR)

    @rule(sender=holders, recipient=holders, amount=amounts)
    def forced_transfer(self, sender: str, recipient: str, amount: int) -> None:
        self.step(ForcedTransfer(WHEAT, sender, recipient, amount, "court", "2-2/2026"), OPERATOR)

    @rule(hours=st.integers(1, 72))
    def time_passes(self, hours: int) -> None:
        self.chain.advance(hours * 3600)

    @precondition(lambda self: self.applied)
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        index = data.draw(st.integers(0, len(self.applied) - 1))
        before = self.chain.state.snapshot()
        code = self.chain.send(self.applied[index]).code
        # Inside its window a replay meets its used nonce; after it, the window itself.
        assert code in {ReasonCode.STALE_NONCE, ReasonCode.EXPIRED}
        assert self.chain.state.snapshot() == before

    @rule()
    def a_follower_reaches_the_same_root(self) -> None:
        follower = MemoryState()
        for block in self.chain.blocks:
            outcome = replay_block(follower, block, self.chain.executor)
            follower.commit(outcome.changes, outcome.block.head())
        assert follower.state_root() == self.chain.state.state_root()

    @invariant()
    def supply_equals_free_plus_pledged_plus_escrowed_units(self) -> None:
        held: Counter[str] = Counter()
        outstanding: dict[str, int] = {}
        for key, value in self.chain.state.items():
            if key[0] == Space.BALANCE:
                assert isinstance(value, int)
                assert value > 0
                held[key[2]] += value
            elif isinstance(value, Encumbrance | Escrow):
                assert value.amount > 0
                held[value.asset] += value.amount
            elif isinstance(value, Supply):
                outstanding[key[1]] = value.outstanding
        assert dict(held) == {a: n for a, n in outstanding.items() if n}

    @invariant()
    def the_incremental_root_matches_a_full_recomputation(self) -> None:
        assert self.chain.state.state_root() == self.chain.state.recomputed_root()

    @invariant()
    def every_entry_survives_its_stored_form(self) -> None:
        for key, value in self.chain.state.items():
            assert value_from_json(key, value_json(value)) == value


TestLedgerInvariants = LedgerMachine.TestCase
TestLedgerInvariants.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
