"""Block proposals as consensus log entries: a round trip, and every way one is refused."""

from __future__ import annotations

import pytest

from kepil.ledger import BlockProposal, Refusal
from kepil.ledger.handlers.holdings import Transfer
from kepil.ledger.proposal import proposal_bytes, proposal_from_bytes

from .harness import ALICE, BOB, CHAIN_ID, WHEAT, standard_chain


def _proposal() -> BlockProposal:
    chain = standard_chain()
    txs = tuple(chain.tx(Transfer(WHEAT, ALICE, BOB, n), ALICE) for n in (1, 2, 3))
    head = chain.state.head()
    assert head is not None
    return BlockProposal(head.height + 1, head.block_hash, chain.now, txs)


def test_a_proposal_comes_back_from_its_entry_unchanged() -> None:
    proposal = _proposal()
    again = proposal_from_bytes(CHAIN_ID, proposal_bytes(CHAIN_ID, proposal))
    assert again == proposal
    assert [tx.sigs for tx in again.txs] == [tx.sigs for tx in proposal.txs]


def test_an_empty_proposal_comes_back_empty() -> None:
    empty = BlockProposal(7, "ab" * 32, 1_000, ())
    assert proposal_from_bytes(CHAIN_ID, proposal_bytes(CHAIN_ID, empty)) == empty


@pytest.mark.parametrize(
    "spoil",
    [
        lambda entry: entry.replace(b'"count":3', b'"count":2'),
        lambda entry: entry.rsplit(b"\n", 1)[0],
        lambda entry: entry.replace(b"kepil/proposal/v1", b"kepil/proposal/v0"),
        lambda entry: entry + b"\n{}",
        lambda entry: b"not json\n" + entry,
        lambda entry: entry.replace(b'"previous":"', b'"previous":"X', 1),
    ],
    ids=["count", "missing tx", "format", "extra line", "garbage header", "previous"],
)
def test_a_spoilt_entry_is_refused_as_malformed(spoil: object) -> None:
    entry = proposal_bytes(CHAIN_ID, _proposal())
    with pytest.raises(Refusal) as refused:
        proposal_from_bytes(CHAIN_ID, spoil(entry))  # type: ignore[operator]
    assert refused.value.code.value == "malformed"


def test_a_proposal_of_another_chain_is_refused() -> None:
    entry = proposal_bytes("another-chain", _proposal())
    with pytest.raises(Refusal, match="another chain"):
        proposal_from_bytes(CHAIN_ID, entry)
