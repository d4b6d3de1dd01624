"""The ledger API's response models answer the JSON the hand-built answers did, key for key."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from tests.support.ledger import ALICE, World

from kepil.entrypoints.api.schemas import ledger as schemas
from kepil.ledger.records import SignatureRules
from kepil.ledger.vocab import Role
from kepil.services.ledger import views
from kepil.services.ledger.consensus import ConsensusStatus
from kepil.services.ledger.replica import Divergence


def _same_json(model: BaseModel, expected: dict[str, Any]) -> bool:
    # Compared as text, so the order of the keys counts too.
    compact = {"separators": (",", ":"), "ensure_ascii": False}
    return json.dumps(model.model_dump(mode="json"), **compact) == json.dumps(expected, **compact)


def test_a_network_node_status_answers_its_consensus_and_divergence_as_their_json() -> None:
    consensus = ConsensusStatus(
        "127.0.0.1:9101", "127.0.0.1:9102", False, 4, 120, 118, True, {"127.0.0.1:9102": True}
    )
    divergence = Divergence(7, ("aa" * 32, "bb" * 32), {"node-2": ("cc" * 32, "dd" * 32)})
    head = ("ee" * 32, "ff" * 32)
    rules = views.SignatureRulesView(1, SignatureRules(2, 150, 40), (1, 2))
    view = views.NodeStatusView(
        "node-1", "kepil-test", 9, *head, 3, 130, consensus, divergence, {"node-3": 7}, "ab" * 32,
        rules,
    )  # fmt: skip
    assert _same_json(
        schemas.NodeStatus.of(view),
        {
            "name": "node-1",
            "public_key": "ab" * 32,
            "chain_id": "kepil-test",
            "height": 9,
            "block_hash": "ee" * 32,
            "state_root": "ff" * 32,
            "pending": 3,
            "applied_log_index": 130,
            "consensus": consensus.to_json(),
            "diverged": divergence.to_json(),
            "divergent_peers": {"node-3": 7},
            "signature_rules": {
                "next_block": 1,
                "scheduled": {"version": 2, "height": 150, "scheduled_at": 40},
                "known": [1, 2],
            },
        },
    )


def test_a_block_answers_its_own_json_with_the_checkpoint_after_it() -> None:
    world = World.in_memory()
    world.run_setup()
    view = views.block_at(world.node, 1)
    assert view is not None
    assert view.checkpoint is not None
    expected = {**view.block.to_json(), "checkpoint": view.checkpoint.to_json()}
    assert _same_json(schemas.Block.of(view), expected)


def test_an_account_answers_the_participant_record_as_the_ledger_stores_it() -> None:
    world = World.in_memory()
    world.run_setup()
    view = views.account(world.node, ALICE)
    assert view.participant is not None
    assert view.participant.roles == (Role.HOLDER,)
    assert _same_json(
        schemas.Account.of(view),
        {"signer": ALICE, "participant": view.participant.to_json(), "nonce": 0, "next_nonce": 1},
    )
