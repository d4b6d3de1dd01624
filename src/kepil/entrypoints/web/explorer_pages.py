"""The public ledger explorer: the chain at a glance, blocks, transactions, accounts, asset
classes, pledges and escrows, read from the node this server runs: the portal's embedded node
(`kepil serve`) or a platform node's own replica (`kepil node`, see install_node_web).

Public as the ledger API's reads are: `/api/v1/ledger` answers blocks, transactions, holdings
and history without authentication, so these pages ask for no sign-in either.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kepil.entrypoints.web import explorer_words as words
from kepil.entrypoints.web.i18n import N_
from kepil.entrypoints.web.preferences import PreferencesDep
from kepil.entrypoints.web.rendering import render
from kepil.ledger.fields import ASSET_ID
from kepil.ledger.records import AssetClass
from kepil.services.ledger import explorer
from kepil.services.ledger.consensus import ConsensusLog
from kepil.services.ledger.node import LedgerNode, TxState

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

HISTORY_PAGE: Final = 20
MAX_HEIGHT: Final = 2**63 - 1
_HEX_ID: Final = "^[0-9a-f]{64}$"
_ACCOUNT: Final = "^[0-9]{12}$"
_HEIGHT_TEXT: Final = re.compile(r"[0-9]{1,18}")
_HEX_TEXT: Final = re.compile(r"[0-9a-f]{64}")
_ACCOUNT_TEXT: Final = re.compile(r"[0-9]{12}")

TxId = Annotated[str, Path(pattern=_HEX_ID)]
RecordId = Annotated[str, Path(pattern=_HEX_ID)]
Account = Annotated[str, Path(pattern=_ACCOUNT)]
AssetId = Annotated[str, Path(pattern="^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Height = Annotated[int, Path(ge=0, le=MAX_HEIGHT)]
Before = Annotated[int | None, Query(ge=0, le=MAX_HEIGHT)]


def _node(request: Request) -> LedgerNode | None:
    return getattr(request.app.state, "ledger_node", None)


def _moment(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def units(amount: int, asset: AssetClass | None) -> str:
    """Base units as the asset class counts them: 1234 of a 3-decimal class is «1.234 kg»."""
    if asset is None:
        return str(amount)
    whole, part = divmod(amount, 10**asset.decimals)
    number = f"{whole}.{part:0{asset.decimals}d}" if asset.decimals else str(whole)
    return f"{number} {asset.unit}"


def pretty(payload: Mapping[str, Any]) -> str:
    """A payload as indented JSON, its Kazakh and Russian words kept readable."""
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True)


def _page(
    request: Request,
    prefs: PreferencesDep,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
) -> HTMLResponse:
    helpers = {"at": _moment, "units": units, "pretty": pretty, "words": words, "word": words.word}
    return render(request, prefs, template, {**helpers, **context}, status_code=status_code)


def _unavailable(request: Request, prefs: PreferencesDep) -> HTMLResponse:
    return _page(request, prefs, "explorer_unavailable.html", {}, status_code=503)


def search_target(text: str) -> str | None:
    """Where a search goes: a height, an account's IIN/BIN, a transaction id or an asset id."""
    if _ACCOUNT_TEXT.fullmatch(text):
        return f"/explorer/accounts/{text}"
    if _HEIGHT_TEXT.fullmatch(text):
        return f"/explorer/blocks/{int(text)}"
    if _HEX_TEXT.fullmatch(text.lower()):
        return f"/explorer/tx/{text.lower()}"
    if ASSET_ID.fullmatch(text):
        return f"/explorer/assets/{text}"
    return None


@router.get("/explorer", response_model=None)
def overview(request: Request, prefs: PreferencesDep) -> Response:
    """The platform, its permit, each node's height, root and checkpoints, the latest blocks; a
    search for a height, an account, a transaction or an asset class goes to its page."""
    query = request.query_params.get("q")
    error = None
    if query is not None:
        target = search_target(query.strip())
        if target is not None:
            return RedirectResponse(target, status_code=303)
        error = N_("Type a block height, a 12-digit IIN or BIN, a transaction id or an asset id.")
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    # A network node's consensus engine (kepil node); the portal's embedded node runs alone.
    consensus: ConsensusLog | None = getattr(request.app.state, "raft", None)
    status = None if consensus is None else consensus.status()
    view = explorer.overview(node, status)
    context = {"view": view, "query": query or "", "error": error}
    return _page(request, prefs, "explorer.html", context, status_code=422 if error else 200)


@router.get("/explorer/blocks/{height}")
def block(height: Height, request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """A block: its header, its transactions with their result codes and its checkpoints."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.block_page(node, height)
    if found is None:
        return _page(
            request, prefs, "explorer_missing.html", {"what": "block", "id": str(height)}, 404
        )
    return _page(request, prefs, "explorer_block.html", {"view": found})


@router.get("/explorer/tx/{tx_id}")
def transaction(tx_id: TxId, request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """A transaction: its status and result code, its signers and its payload."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.transaction(node, tx_id)
    status = 404 if found.status.state is TxState.UNKNOWN else 200
    return _page(request, prefs, "explorer_tx.html", {"view": found}, status)


@router.get("/explorer/accounts/{account}")
def account(
    account: Account, request: Request, prefs: PreferencesDep, before: Before = None
) -> HTMLResponse:
    """An account's participant record, holdings and history, newest first, page by page."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.account_page(node, account, HISTORY_PAGE, before)
    return _page(request, prefs, "explorer_account.html", {"view": found, "before": before})


@router.get("/explorer/assets/{asset}")
def asset(asset: AssetId, request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """An asset class: its kind and right, supply, backing documents and issuer."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.asset_page(node, asset)
    if found is None:
        return _page(request, prefs, "explorer_missing.html", {"what": "asset", "id": asset}, 404)
    return _page(request, prefs, "explorer_asset.html", {"view": found})


@router.get("/explorer/pledges/{pledge_id}")
def pledge(pledge_id: RecordId, request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """A pledge while the state holds it; once released or enforced, a 404 naming why."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.pledge_page(node, pledge_id)
    if found is None:
        context = {"what": "pledge", "id": pledge_id}
        return _page(request, prefs, "explorer_missing.html", context, 404)
    return _page(request, prefs, "explorer_pledge.html", {"view": found})


@router.get("/explorer/escrows/{escrow_id}")
def escrow(escrow_id: RecordId, request: Request, prefs: PreferencesDep) -> HTMLResponse:
    """An open escrow; once confirmed or refunded, a 404 naming why."""
    node = _node(request)
    if node is None:
        return _unavailable(request, prefs)
    found = explorer.escrow_page(node, escrow_id)
    if found is None:
        context = {"what": "escrow", "id": escrow_id}
        return _page(request, prefs, "explorer_missing.html", context, 404)
    return _page(request, prefs, "explorer_escrow.html", {"view": found})
