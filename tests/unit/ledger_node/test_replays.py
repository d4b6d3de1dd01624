"""A copy of a transaction submitted while its original's block is being committed."""

from __future__ import annotations

from tests.support.clock import MovableClock
from tests.support.ledger import ALICE, BOB, T0, WHEAT, World, make_node

from kepil.adapters.ledger_memory import MemoryLedgerStorage
from kepil.ledger import Checkpoint
from kepil.ledger.block import BlockOutcome
from kepil.ledger.handlers.holdings import Transfer
from kepil.services.ledger.node import LedgerNode, SubmitRefused


class ReplayDuringCommit(MemoryLedgerStorage):
    """A storage that, as it records the next block, has `replay` submitted to the node."""

    def __init__(self) -> None:
        super().__init__()
        self.node: LedgerNode | None = None
        self.replay: bytes | None = None
        self.outcome: str | SubmitRefused | None = None

    def record(
        self, outcome: BlockOutcome, checkpoint: Checkpoint, log_index: int | None = None
    ) -> None:
        if self.replay is not None and self.node is not None:
            replay, self.replay = self.replay, None
            try:
                self.outcome = self.node.submit_bytes(replay)
            except SubmitRefused as refused:
                self.outcome = refused
        super().record(outcome, checkpoint, log_index)


def test_a_copy_submitted_while_the_original_is_being_committed_is_refused_as_a_duplicate() -> None:
    store, clock = ReplayDuringCommit(), MovableClock(T0)
    world = World(make_node(store, clock), store, clock)
    store.node = world.node
    world.run_setup()
    original = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    world.node.submit(original)
    store.replay = original.to_bytes()

    world.node.produce_block()

    assert isinstance(store.outcome, SubmitRefused)
    assert store.outcome.code == "duplicate"
    assert world.node.pending_count() == 0
    assert world.node.status(original.tx_id).code == "ok"
