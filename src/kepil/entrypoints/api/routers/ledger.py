"""`/api/v1/ledger`: submit signed transactions, follow them, read blocks, holdings, history.

Writes are commands on the bus; reads are the ledger's views; both rendered as the response
models of `schemas.ledger`. Handlers are plain functions, so FastAPI runs them in its thread
pool: `?wait=`, the signature checks and reads that wait for a block commit block a worker
thread, never the event loop. Only reading the body is async (the `_raw_body` dependency).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from kepil.entrypoints.api.errors import ApiError
from kepil.entrypoints.api.schemas import ledger as schemas
from kepil.ledger.schemas import SHAPES, payload_schema, signers_line
from kepil.services.ledger import views
from kepil.services.ledger.commands import MAX_BATCH, SubmitTransaction, SubmitTransactions
from kepil.services.ledger.node import LedgerNode, SubmitRefused
from kepil.services.messagebus import MessageBus

router = APIRouter(prefix="/api/v1/ledger", tags=["platform ledger"])

MAX_WAIT_SECONDS = 30.0
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


def ledger_bus(request: Request) -> MessageBus:
    """The bus the ledger's writes go through (install_ledger sets it with the node), or 503."""
    ledger_node(request)  # without a node there is no ledger to write to
    return request.app.state.bus  # type: ignore[no-any-return]


NodeDep = Annotated[LedgerNode, Depends(ledger_node)]
BusDep = Annotated[MessageBus, Depends(ledger_bus)]


async def _raw_body(request: Request) -> bytes:
    return await request.body()


def _refused(refused: SubmitRefused) -> ApiError:
    return ApiError(_SUBMIT_STATUS.get(refused.code, 422), refused.code, refused.message)


# The body names its type; the payload must match that type's schema (GET /types lists them).
_BODY = {
    "type": "object",
    "required": ["type", "payload"],
    "oneOf": [
        {
            "title": name,
            "properties": {"type": {"const": name}, "payload": payload_schema(name)},
        }
        for name in SHAPES
    ],
}
_ENVELOPE = {
    "type": "object",
    "required": ["body", "sigs"],
    "properties": {"body": _BODY, "sigs": {"type": "array"}},
}


@router.post(
    "/transactions",
    status_code=202,
    response_model=schemas.Accepted,
    summary="Submit a signed transaction",
    description="The body is the transaction envelope JSON as `kepil wallet build` prints it.",
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _ENVELOPE}}}
    },
)
def submit_transaction(
    envelope: Annotated[bytes, Depends(_raw_body)], bus: BusDep
) -> schemas.Accepted:
    """Queue the transaction; 202 with its id. Refusals before the block: 409, 422 or 503."""
    try:
        tx_id = bus.handle(SubmitTransaction(envelope))
    except SubmitRefused as refused:
        raise _refused(refused) from None
    return schemas.Accepted(tx_id=tx_id)


_BATCH: dict[str, Any] = {
    "type": "object",
    "required": ["transactions"],
    "properties": {"transactions": {"type": "array", "items": _ENVELOPE, "maxItems": MAX_BATCH}},
}


@router.post(
    "/transactions/batch",
    response_model=schemas.BatchOutcomes,
    summary="Submit up to 2,000 signed transactions at once",
    description=(
        '`{"transactions": [envelope, ...]}`; each is admitted or refused on its own, and the'
        " answer lists one outcome per envelope, in order."
    ),
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _BATCH}}}
    },
)
def submit_batch(body: Annotated[bytes, Depends(_raw_body)], bus: BusDep) -> schemas.BatchOutcomes:
    """One outcome per envelope: {"tx_id", "state": "pending"} or {"error": {code, message}}."""
    try:
        command = SubmitTransactions.from_body(body)
    except SubmitRefused as refused:
        raise _refused(refused) from None
    outcomes = bus.handle(command)
    return schemas.BatchOutcomes.of(outcomes)


@router.get(
    "/types",
    response_model=schemas.TransactionTypes,
    summary="Every transaction type with its payload's JSON Schema and its signers",
)
def transaction_types() -> schemas.TransactionTypes:
    """What `kepil wallet types` lists; the schemas are JSON Schema draft 2020-12."""
    return schemas.TransactionTypes(types=[_type_of(name) for name in SHAPES])


@router.get(
    "/types/{type_name}",
    response_model=schemas.TransactionType,
    summary="One transaction type's payload schema and signers",
)
def transaction_type(
    type_name: Annotated[str, Path(pattern="^[a-z_]{1,40}$", description="e.g. transfer")],
) -> schemas.TransactionType:
    """404 for a type the ledger does not know."""
    if type_name not in SHAPES:
        raise ApiError(404, "not_found", f"no transaction type {type_name!r}")
    return _type_of(type_name)


def _type_of(name: str) -> schemas.TransactionType:
    shape = SHAPES[name]
    return schemas.TransactionType(
        type=name, title=shape.title, signed_by=signers_line(shape), payload_schema=shape.schema()
    )


@router.get(
    "/transactions/{tx_id}",
    response_model=schemas.TransactionStatus,
    summary="A transaction's status",
)
def transaction_status(
    tx_id: TxId,
    node: NodeDep,
    wait: Annotated[
        float, Query(ge=0, le=MAX_WAIT_SECONDS, description="seconds to wait for the commit")
    ] = 0.0,
) -> schemas.TransactionStatus:
    """Pending, committed (height, index, result code), rejected or unknown."""
    return schemas.TransactionStatus.of(views.transaction_status(node, tx_id, wait))


@router.get("/blocks/latest", response_model=schemas.Block, summary="The last committed block")
def latest_block(node: NodeDep) -> schemas.Block:
    """The newest block with this node's checkpoint; 404 before genesis."""
    view = views.latest_block(node)
    if view is None:
        raise ApiError(404, "not_found", "no block yet: the chain has no genesis")
    return schemas.Block.of(view)


@router.get("/blocks/{height}", response_model=schemas.Block, summary="The block at a height")
def block_at(height: Annotated[int, Path(ge=0, le=2**63 - 1)], node: NodeDep) -> schemas.Block:
    """The block with its transactions, result codes and this node's checkpoint."""
    view = views.block_at(node, height)
    if view is None:
        raise ApiError(404, "not_found", f"no block at height {height}")
    return schemas.Block.of(view)


@router.get(
    "/accounts/{signer}",
    response_model=schemas.Account,
    summary="A signer's participant record and last nonce",
)
def account(signer: Signer, node: NodeDep) -> schemas.Account:
    """What a wallet needs to build the next transaction: the next nonce to use."""
    return schemas.Account.of(views.account(node, signer))


@router.get(
    "/permit",
    response_model=schemas.ChainPermit,
    summary="The operator's permit as the chain holds it",
)
def permit(node: NodeDep) -> schemas.ChainPermit:
    """Status, dates and `reference` (sha256 hex of the Ministry's last applied change, or
    "genesis"), with the "ministry" nonce: how a relay checks that a change is applied."""
    found = views.permit(node)
    if found is None:
        raise ApiError(404, "not_found", "the chain has no genesis yet")
    record, nonce = found
    return schemas.ChainPermit.model_validate({**record.to_json(), "ministry_nonce": nonce})


@router.get("/holdings/{holder}", response_model=schemas.Holdings, summary="A holder's units")
def holdings(holder: Holder, node: NodeDep) -> schemas.Holdings:
    """Free, pledged and escrowed units per asset class at the current height."""
    return schemas.Holdings.of(views.holdings(node, holder))


@router.get(
    "/history/{holder}",
    response_model=schemas.History,
    summary="Transactions involving a holder",
)
def history(
    holder: Holder,
    node: NodeDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    before: Annotated[
        int | None, Query(ge=0, le=2**63 - 1, description="next_before of the last page")
    ] = None,
) -> schemas.History:
    """Newest first, `limit` per page."""
    return schemas.History.of(views.history(node, holder, limit, before))
