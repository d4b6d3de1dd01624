"""`/api/v1/ledger`: submit signed transactions, follow them, read blocks, holdings, history.

Handlers are plain functions, so FastAPI runs them in its thread pool: `?wait=` blocks a worker
thread, never the event loop.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import JSONResponse

from kepil.entrypoints.api.errors import ApiError
from kepil.ledger import Block, Refusal
from kepil.ledger.tx import parse_json
from kepil.services.ledger.node import LedgerNode, SubmitRefused

router = APIRouter(prefix="/api/v1/ledger", tags=["platform ledger"])

MAX_WAIT_SECONDS = 30.0
MAX_BATCH = 2000
_SUBMIT_STATUS = {"duplicate": 409, "mempool_full": 503, "stopped": 503, "diverged": 503}
TxId = Annotated[str, Path(pattern="^[0-9a-f]{64}$", description="SHA-256 hex of the body")]
Holder = Annotated[str, Path(pattern="^[0-9]{12}$", description="an IIN or BIN")]
Signer = Annotated[
    str, Path(pattern="^([0-9]{12}|ministry)$", description="an IIN or BIN, or 'ministry'")
]


def ledger_node(request: Request) -> LedgerNode:
    """The node this app serves, or 503 when the ledger is not wired in."""
    node = getattr(request.app.state, "ledger_node", None)
    if node is None:
        raise ApiError(503, "ledger_unavailable", "this server runs no ledger node")
    return node  # type: ignore[no-any-return]


NodeDep = Annotated[LedgerNode, Depends(ledger_node)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


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


@router.post(
    "/transactions/batch",
    summary="Submit up to 2,000 signed transactions at once",
    description=(
        '`{"transactions": [envelope, ...]}`; each is admitted or refused on its own, and the'
        " answer lists one outcome per envelope, in order."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["transactions"],
                        "properties": {
                            "transactions": {
                                "type": "array",
                                "items": _ENVELOPE,
                                "maxItems": MAX_BATCH,
                            }
                        },
                    }
                }
            },
        }
    },
)
def submit_batch(body: Annotated[bytes, Depends(_raw_body)], node: NodeDep) -> dict[str, Any]:
    """One outcome per envelope: {"tx_id", "state": "pending"} or {"error": {code, message}}."""
    try:
        parsed = parse_json(body)
    except Refusal as refusal:
        raise ApiError(422, refusal.code.value, str(refusal)) from None
    items = parsed.get("transactions") if isinstance(parsed, dict) and len(parsed) == 1 else None
    if not isinstance(items, list) or not 0 < len(items) <= MAX_BATCH:
        raise ApiError(
            422, "malformed", f'the body must be {{"transactions": [1-{MAX_BATCH} envelopes]}}'
        )
    results: list[dict[str, Any]] = []
    for outcome in node.submit_many(items):
        if isinstance(outcome, SubmitRefused):
            results.append({"error": {"code": outcome.code, "message": outcome.message}})
        else:
            results.append({"tx_id": outcome, "state": "pending"})
    return {"results": results}


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


@router.get("/accounts/{signer}", summary="A signer's participant record and last nonce")
def account(signer: Signer, node: NodeDep) -> dict[str, Any]:
    """What a wallet needs to build the next transaction: the next nonce to use."""
    participant, nonce = node.account(signer)
    return {
        "signer": signer,
        "participant": None if participant is None else participant.to_json(),
        "nonce": nonce,
        "next_nonce": nonce + 1,
    }


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
