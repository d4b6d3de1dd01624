"""Signature checkers: worker processes agree with signatures_valid, and blocks do not differ."""

from __future__ import annotations

from kepil.ledger import MemoryState, decode_tx, signatures_valid
from kepil.ledger.handlers.holdings import Transfer
from kepil.services.ledger_node import NodeSettings
from kepil.services.ledger_signatures import ProcessPoolChecker, items_valid, signature_items

from ..ledger.harness import ALICE, BOB, WHEAT
from .conftest import MovableClock, World, make_node


def _honest_and_forged(world: World) -> list:  # type: ignore[type-arg]
    honest = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 5, None), ALICE)
    forged = honest.to_json()
    forged["sigs"][0]["sig"] = "11" * 64
    wrong_key = honest.to_json()
    wrong_key["sigs"][0]["key"] = "22" * 32
    return [honest, decode_tx(forged), decode_tx(wrong_key)]


def test_items_valid_agrees_with_signatures_valid(world: World) -> None:
    txs = [world.genesis(), *_honest_and_forged(world)]
    assert (
        [items_valid(signature_items(tx)) for tx in txs]
        == [signatures_valid(tx) for tx in txs]
        == [True, True, False, False]
    )


def test_a_worker_pool_checks_a_batch_in_order(world: World) -> None:
    checker = ProcessPoolChecker(workers=1, chunk=2)
    try:
        flags = checker.start([world.genesis(), *_honest_and_forged(world)]).result()
    finally:
        checker.close()
    assert flags == [True, True, False, False]


def test_the_blocks_are_the_same_with_and_without_the_worker_pool() -> None:
    def run(checker: ProcessPoolChecker | None) -> list[str]:
        extra = {"checker": checker} if checker else {}
        node = make_node(MemoryState(), MovableClock(), NodeSettings(), **extra)
        world = World(node, MemoryState(), MovableClock())
        honest, _forged, _ = _honest_and_forged(world)
        other = world.signer.tx(Transfer(WHEAT, ALICE, BOB, 7, None), ALICE).to_json()
        other["sigs"][0]["sig"] = "33" * 64
        for tx in [*world.setup(), honest, decode_tx(other)]:
            node.submit(tx)
        hashes = []
        while (block := node.produce_block()) is not None:
            hashes.append(block.hash)
        node.stop()
        return hashes

    assert run(None) == run(ProcessPoolChecker(workers=1))
