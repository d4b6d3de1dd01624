"""`/api/v1/ledger`: receipts with the nodes' checkpoints, and this node's place in the network.

A receipt proves a transaction's block to someone who trusts no single node: the block hash and
state root, with the signed checkpoints of the nodes that reached the same ones (only those a
genesis node signed with its registered key). It is `confirmed` once a majority of the nodes
genesis lists have signed it.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kepil.entrypoints.api.errors import ApiError
from kepil.entrypoints.api.routers.ledger import MAX_WAIT_SECONDS, NodeDep, TxId
from kepil.ledger.checkpoint import agrees_with, checkpoint_valid
from kepil.services.ledger.node import LedgerNode, TxState

router = APIRouter(prefix="/api/v1/ledger", tags=["platform ledger"])

_POLL_SECONDS = 0.02


@router.get("/transactions/{tx_id}/receipt", summary="A committed transaction's receipt")
def receipt(
    tx_id: TxId,
    node: NodeDep,
    wait: Annotated[
        float,
        Query(ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for a majority"),
    ] = 0.0,
) -> dict[str, Any]:
    """Height, block hash, state root and the agreeing nodes' signed checkpoints."""
    deadline = time.monotonic() + wait
    status = node.wait(tx_id, wait)
    if status.state is not TxState.COMMITTED or status.height is None:
        raise ApiError(404, "not_committed", f"transaction {tx_id} is {status.state.value}")
    while True:
        body = _receipt(node, status.height)
        if body["confirmed"] or time.monotonic() >= deadline:
            body["transaction"] = status.to_json()
            return body
        time.sleep(_POLL_SECONDS)


def _receipt(node: LedgerNode, height: int) -> dict[str, Any]:
    block = node.block(height)
    if block is None:  # pragma: no cover - a committed transaction's block exists
        raise ApiError(404, "not_committed", f"no block at height {height}")
    chain = node.chain()
    nodes = chain.nodes if chain is not None else ()
    members = max(1, len(nodes))
    agreeing = [
        c for c in node.checkpoints(height) if checkpoint_valid(c, nodes) and agrees_with(c, block)
    ]
    return {
        "chain_id": block.header.chain_id,
        "height": height,
        "block_hash": block.hash,
        "state_root": block.header.state_root,
        "nodes": members,
        "majority": members // 2 + 1,
        "confirmed": len({c.node for c in agreeing}) >= members // 2 + 1,
        "checkpoints": [c.to_json() for c in agreeing],
    }


@router.get("/node", summary="This node's head, consensus view and divergence")
def node_status(node: NodeDep) -> dict[str, Any]:
    """What `kepil cluster status` shows for one node."""
    head = node.head()
    replica = node.replica
    consensus = None if replica is None else replica.consensus_status()
    divergence = node.divergence()
    return {
        "name": node.name,
        "chain_id": node.chain_id,
        "height": None if head is None else head.height,
        "block_hash": None if head is None else head.block_hash,
        "state_root": None if head is None else head.state_root,
        "pending": node.pending_count(),
        "applied_log_index": node.applied_log_index(),
        "consensus": None if consensus is None else consensus.to_json(),
        "diverged": None if divergence is None else divergence.to_json(),
        "divergent_peers": {} if replica is None else replica.divergent_peers(),
    }
