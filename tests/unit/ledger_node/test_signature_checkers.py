"""Signature checkers: worker processes agree with signatures_valid, and blocks do not differ."""

from __future__ import annotations

from tests.support.ledger import ALICE, BOB, WHEAT, World

from kepil.ledger import decode_tx, signatures_valid
from kepil.ledger.handlers.holdings import Transfer
from kepil.services.ledger.node import NodeSettings
from kepil.services.ledger.signatures import ProcessPoolChecker, items_valid, signature_items


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


def test_admission_and_blocks_are_the_same_with_and_without_the_worker_pool() -> None:
    def run(checker: ProcessPoolChecker | None) -> tuple[list[object], list[str]]:
        world = World.in_memory(NodeSettings(), checker)
        node = world.node
        honest, forged, wrong_key = _honest_and_forged(world)
        node.submit_many([tx.to_bytes() for tx in world.setup()[:1]])
        node.produce_block()
        batch = [*world.setup()[1:], honest, forged, wrong_key]
        outcomes = [getattr(o, "code", o) for o in node.submit_many([t.to_bytes() for t in batch])]
        hashes = []
        while (block := node.produce_block()) is not None:
            hashes.append(block.hash)
        node.stop()
        return outcomes, hashes

    plain, pooled = run(None), run(ProcessPoolChecker(workers=1))
    assert plain == pooled
    assert plain[0][-2:] == ["bad_signature", "bad_signature"]
