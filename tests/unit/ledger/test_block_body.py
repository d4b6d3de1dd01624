"""A block row's body (schema 5): what encode_body writes, decode_body reads back."""

from __future__ import annotations

import json

import pytest

from kepil.adapters.ledger_store.body import decode_body, encode_body, next_movement
from kepil.adapters.ledger_store.movements import Movement
from kepil.services.ledger.storage import tx_at, tx_seq

ENVELOPES = ['{"body":{"type":"transfer"},"sigs":[]}', '{"body":{"type":"issue"},"sigs":["a\\nb"]}']


def test_a_body_reads_back_its_ids_results_movements_and_envelopes() -> None:
    moves = [[0, "WHEAT", "transfer", "111111111111", "222222222222", 5, None]]
    text = encode_body(["id-0", "id-1"], ["ok", "stale_nonce"], moves, ENVELOPES)
    body = decode_body(7, 1_767_225_600, 41, text)
    assert (body.ids, body.results, body.envelopes) == (
        ["id-0", "id-1"],
        ["ok", "stale_nonce"],
        ENVELOPES,
    )
    assert body.envelope(1) == json.loads(ENVELOPES[1])
    assert body.movement(0) == Movement(
        7, 0, "id-0", "WHEAT", "transfer", "111111111111", "222222222222", 5, None, 41
    )
    assert body.positions(0) == [0]
    assert body.positions(1) == []
    assert next_movement(body) == 42


def test_an_empty_block_has_no_envelopes_and_numbers_from_its_first_movement() -> None:
    body = decode_body(0, 0, 9, encode_body([], [], [], []))
    assert (body.ids, body.envelopes, body.moves) == ([], [], [])
    assert next_movement(body) == 9


def test_an_envelope_holding_a_raw_newline_is_refused() -> None:
    with pytest.raises(ValueError, match="newline"):
        encode_body(["id"], ["ok"], [], ['{"body":\n{}}'])


def test_a_sequence_number_gives_back_its_height_and_index() -> None:
    assert tx_at(tx_seq(123_456, 299)) == (123_456, 299)
    assert tx_at(tx_seq(0, 0)) == (0, 0)
