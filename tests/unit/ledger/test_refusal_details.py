"""A refusal for a missing signature names whose signature is missing."""

from __future__ import annotations

import pytest
from tests.support.ledger import ALICE, BOB, CHAIN_ID, WHEAT, Chain

from kepil.ledger import ReasonCode, Refusal, Window, build_tx
from kepil.ledger.handlers.holdings import Leg, Swap
from kepil.ledger.handlers.issuers import DefineAsset
from kepil.ledger.handlers.rules import require_signers


def test_a_transaction_built_for_two_but_signed_by_one_names_the_one_who_has_not_signed(
    chain: Chain,
) -> None:
    swap = Swap(Leg(ALICE, WHEAT, 1), Leg(BOB, WHEAT, 1))
    unsigned = build_tx(CHAIN_ID, swap, {ALICE: 1, BOB: 1}, Window(chain.now, chain.now + 60))
    half = unsigned.sign({ALICE: chain.key(ALICE)})
    with pytest.raises(Refusal) as refused:
        chain.executor.static_check(half)
    assert refused.value.code is ReasonCode.MISSING_SIGNATURE
    assert refused.value.detail == f"not yet signed by {BOB}"


def test_a_party_left_out_of_the_signers_is_named_by_account() -> None:
    with pytest.raises(Refusal) as refused:
        require_signers(frozenset({ALICE}), (ALICE, BOB))
    assert refused.value.code is ReasonCode.MISSING_SIGNATURE
    assert refused.value.detail == f"needs the signature of {BOB} too"


def test_a_bad_backing_document_is_named_by_its_place_in_the_list() -> None:
    good = {"sha256": "ab" * 32, "title": "Warehouse receipt"}
    payload = {
        "asset": WHEAT, "issuer": ALICE, "name": "Wheat", "kind": "goods",
        "right": "goods_ownership", "unit": "tonne", "decimals": 0, "cap": None,
        "backing": [good, {**good, "sha256": "AB" * 32}],
    }  # fmt: skip
    with pytest.raises(Refusal) as refused:
        DefineAsset.parse(payload)
    assert refused.value.detail.startswith("payload.backing[1].sha256 ")
