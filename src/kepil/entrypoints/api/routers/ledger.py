"""`/api/v1/ledger`: submit signed transactions, follow them, read blocks, holdings, history.

Handlers are plain functions, so FastAPI runs them in its thread pool: `?wait=` blocks a worker
thread, never the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from kepil.entrypoints.api.errors import ApiError
from kepil.ledger import Block
from kepil.services.ledger_node import LedgerNode, SubmitRefused

router = APIRouter(prefix="/api/v1/ledger", tags=["platform ledger"])

MAX_WAIT_SECONDS = 30.0
_SUBMIT_STATUS = {"duplicate": 409, "mempool_full": 503, "stopped": 503}
TxId = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 hex of the body")]
Holder = Annotated[str, Path(pattern="^[0-9]{12}$", description="an IIN or BIN")]


def ledger_node(request: Request) -> LedgerNode:
    """The node this app serves, or 503 when the ledger is not wired in."""
    node = getattr(request.app.state, "ledger_node", None)
    if node is None:
        raise ApiError(503, "ledger_unavailable", "this server runs no ledger node")
    return node  # type: ignore[no-any-return]


NodeDep = Annotated[LedgerNode, Depends(ledger_node)]
_ENVELOPE = {
    "type": "object",
    "required": ["body", "sigs"],
    "properties": {"body": {"type": "object"}, "sigs": {"type": "array"}},
}


@router.post(
    "/transactions",
    status_code=202,
    summary="Submit a signed transaction",
    description="The body is the transaction envelope JSON as `kepil wallet build` prints it.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ENVELOPE}}}
    },
)
async def submit_transaction(request: Request, node: NodeDep) -> JSONResponse:
    """Queue the transaction; 202 with its id. Refusals before the block: 409, 422 or 503."""
    envelope = await request.body()
    try:
        tx_id = node.submit_bytes(envelope)
    except SubmitRefused as refused:
        status = _SUBMIT_STATUS.get(refused.code, 422)
        raise ApiError(status, refused.code, refused.message) from None
    return JSONResponse({"tx_id": tx_id, "state": "pending"}, status_code=202)


@router.get("/transactions/{tx_id}", summary="A transaction's status")
def transaction_status(
    tx_id: TxId,
    node: NodeDep,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for the commit")
    ] = 0.0,
) -> dict[str, Any]:
    """Pending, committed (height, index, result code), rejected or unknown."""
    status = node.wait(tx_id, wait) if wait > 0 else node.status(tx_id)
    return status.to_json()


@router.get("/blocks/latest", summary="The last committed block")
def latest_block(node: NodeDep) -> dict[str, Any]:
    """The newest block with this node's checkpoint; 404 before genesis."""
    block = node.latest_block()
    if block is None:
        raise ApiError(404, "not_found", "no block yet: the chain has no genesis")
    return _block_json(node, block)


@router.get("/blocks/{height}", summary="The block at a height")
def block_at(height: Annotated[int, Path(ge=0)], node: NodeDep) -> dict[str, Any]:
    """The block with its transactions, result codes and this node's checkpoint."""
    block = node.block(height)
    if block is None:
        raise ApiError(404, "not_found", f"no block at height {height}")
    return _block_json(node, block)


@router.get("/holdings/{holder}", summary="A holder's units")
def holdings(holder: Holder, node: NodeDep) -> dict[str, Any]:
    """Free, pledged and escrowed units per asset class at the current height."""
    head = node.head()
    return {
        "holder": holder,
        "height": None if head is None else head.height,
        "holdings": [h.to_json() for h in node.holdings(holder)],
    }


@router.get("/history/{holder}", summary="Transactions involving a holder")
def history(
    holder: Holder,
    node: NodeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[int | None, Query(ge=0, description="next_before of the last page")] = None,
) -> dict[str, Any]:
    """Newest first, `limit` per page."""
    page = node.history(holder, limit, before)
    return {
        "holder": holder,
        "entries": [e.to_json() for e in page.entries],
        "next_before": page.next_before,
    }


def _block_json(node: LedgerNode, block: Block) -> dict[str, Any]:
    checkpoint = node.checkpoint(block.header.height)
    return {
        **block.to_json(),
        "checkpoint": None if checkpoint is None else checkpoint.to_json(),
    }
