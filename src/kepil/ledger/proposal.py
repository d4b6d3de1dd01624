"""A block proposal as one consensus log entry: a header line, then one envelope per line.

Canonical JSON never holds a raw newline (strings escape it), so lines split the entry without
parsing it, and each envelope goes through decode_tx's fast path as the bytes it arrived as.
"""

from __future__ import annotations

from typing import Final

from kepil.ledger.block import BlockProposal
from kepil.ledger.codes import Refusal
from kepil.ledger.encoding import canonical_json
from kepil.ledger.fields import HEX64, Fields, malformed
from kepil.ledger.tx import decode_tx, parse_json

PROPOSAL_FORMAT: Final = "kepil/proposal/v1"
_NEWLINE: Final = b"\n"


def proposal_bytes(chain_id: str, proposal: BlockProposal) -> bytes:
    """The entry that carries `proposal` of chain `chain_id`."""
    header = {
        "format": PROPOSAL_FORMAT,
        "chain": chain_id,
        "height": proposal.height,
        "previous": proposal.previous_hash,
        "timestamp": proposal.timestamp,
        "count": len(proposal.txs),
    }
    lines = [canonical_json(header), *(tx.to_bytes() for tx in proposal.txs)]
    return _NEWLINE.join(lines)


def proposal_from_bytes(chain_id: str, entry: bytes) -> BlockProposal:
    """The proposal an entry carries; Refusal when it is not one of chain `chain_id`."""
    first, *envelopes = entry.split(_NEWLINE)
    reader = Fields(parse_json(first), "proposal")
    if reader.raw("format") != PROPOSAL_FORMAT:
        raise malformed(f"not a {PROPOSAL_FORMAT} entry")
    if reader.raw("chain") != chain_id:
        raise malformed(f"a proposal of another chain than {chain_id!r}")
    height = reader.integer("height")
    previous = reader.raw("previous")
    timestamp = reader.integer("timestamp")
    count = reader.integer("count")
    reader.done()
    if not isinstance(previous, str) or not HEX64.fullmatch(previous):
        raise malformed("proposal.previous must be 64 lowercase hex digits")
    if count != len(envelopes):
        raise malformed(f"the proposal announces {count} transactions, not {len(envelopes)}")
    try:
        txs = tuple(decode_tx(envelope) for envelope in envelopes)
    except Refusal as refusal:
        raise malformed(f"a transaction of the proposal is unreadable: {refusal}") from None
    return BlockProposal(height, previous, timestamp, txs)
