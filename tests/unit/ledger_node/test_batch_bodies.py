"""A client's batch body is split into its envelopes' own bytes when that provably changes nothing.

The strict path is what SubmitTransactions.from_body did before: parse_json of the whole body,
each envelope then decoded from its parsed object. Bodies here join envelopes written in any
style (canonical or not, faulty or not) the way node_client.batch_body does, or otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.support.ledger import ALICE, BOB, CHAIN_ID, T0, WHEAT, fixture_key
from tests.unit.ledger.test_decode_fast_path import (
    Style,
    any_envelopes,
    envelope_input,
    outcome,
    styles,
)

from kepil.adapters.node_client import batch_body
from kepil.ledger import SignedTx, Window, decode_tx, signed_tx
from kepil.ledger.codes import ReasonCode
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.tx import parse_json
from kepil.services.ledger.commands import SubmitTransactions
from kepil.services.ledger.node import SubmitRefused


def transfers(count: int) -> list[SignedTx]:
    return [
        signed_tx(
            CHAIN_ID, Transfer(WHEAT, ALICE, BOB, 10 + n), {ALICE: fixture_key(ALICE)},
            {ALICE: n + 1}, Window(T0, T0 + 60),
        )
        for n in range(count)
    ]  # fmt: skip


def outcomes(body: bytes) -> list[SignedTx | ReasonCode] | str:
    """What from_body and decode_tx make of each envelope, or the whole body's refusal code."""
    try:
        command = SubmitTransactions.from_body(body)
    except SubmitRefused as refused:
        return refused.code
    return [outcome(decode_tx, envelope) for envelope in command.envelopes]


def strict_outcomes(body: bytes) -> list[SignedTx | ReasonCode] | str:
    """The strict path: the whole body through parse_json, each envelope decoded from its object."""
    try:
        parsed = parse_json(body)
    except Exception:
        return "malformed"
    items = parsed.get("transactions") if isinstance(parsed, dict) and len(parsed) == 1 else None
    if not isinstance(items, list) or not 0 < len(items) <= 2000:
        return "malformed"
    return [outcome(decode_tx, item) for item in items]


def test_a_client_batch_arrives_as_each_envelopes_own_bytes() -> None:
    txs = transfers(3)
    command = SubmitTransactions.from_body(batch_body(tx.to_bytes() for tx in txs))
    assert command.envelopes == tuple(tx.to_bytes() for tx in txs)
    decoded = [decode_tx(envelope) for envelope in command.envelopes]
    assert decoded == txs
    # Kept as their wire form: the node's own batch of them is not decoded again.
    assert all(tx.wire is not None for tx in decoded)


@pytest.mark.parametrize(
    "body",
    [
        b'{"transactions":["x"]}',
        b'{"transactions":[]}',
        b'{"transactions":[1]}',
        b'{"transactions":[{}],"transactions":[{}]}',
        b'{"transactions":[{"a":1,"a":2}]}',
        b'{"transactions":[{"a":NaN}]}',
        b'{"transactions":[{"b":1,"a":2}]}',
        b'{"transactions":[{"a":[' + b"[" * 300 + b"]" * 300 + b"]}]}",
        b'{"transactions": [{}]}',
    ],
)
def test_odd_bodies_end_as_on_the_strict_path(body: bytes) -> None:
    assert outcomes(body) == strict_outcomes(body)


@settings(max_examples=200, derandomize=True, deadline=None)
@given(st.lists(st.tuples(any_envelopes(), st.just(Style()) | styles), min_size=1, max_size=4))
def test_any_batch_body_ends_as_on_the_strict_path(written: list[tuple[Any, Style]]) -> None:
    texts = [envelope_input(envelope, style) for envelope, style in written]
    body = batch_body(
        t if isinstance(t, bytes) else t.encode("utf-8", "surrogatepass") for t in texts
    )
    assert outcomes(body) == strict_outcomes(body)
