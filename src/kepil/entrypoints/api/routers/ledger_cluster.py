"""`/api/v1/ledger`: receipts with the nodes' checkpoints, and this node's place in the network.

What makes a receipt confirmed (a majority of the genesis nodes' valid checkpoints agreeing
with the block) is the ledger's read model: `kepil.services.ledger.views.receipt`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kepil.entrypoints.api.errors import ApiError
from kepil.entrypoints.api.routers.ledger import MAX_WAIT_SECONDS, NodeDep, TxId
from kepil.entrypoints.api.schemas import ledger as schemas
from kepil.services.ledger import views

router = APIRouter(prefix="/api/v1/ledger", tags=["platform ledger"])


@router.get(
    "/transactions/{tx_id}/receipt",
    response_model=schemas.Receipt,
    summary="A committed transaction's receipt",
)
def receipt(
    tx_id: TxId,
    node: NodeDep,
    wait: Annotated[
        float,
        Query(ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for a majority"),
    ] = 0.0,
) -> schemas.Receipt:
    """Height, block hash, state root and the agreeing nodes' signed checkpoints."""
    try:
        view = views.receipt(node, tx_id, wait)
    except views.NotCommittedError as missing:
        raise ApiError(404, "not_committed", str(missing)) from None
    return schemas.Receipt.of(view)


@router.get(
    "/node",
    response_model=schemas.NodeStatus,
    summary="This node's head, consensus view and divergence",
)
def node_status(node: NodeDep) -> schemas.NodeStatus:
    """What `kepil cluster status` shows for one node."""
    return schemas.NodeStatus.of(views.node_status(node))
