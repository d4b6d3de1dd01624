"""Wiring the embedded ledger node into the API: build it from Settings, serve it, stop it.

The node keeps its chain in its own SQLite file (`<data dir>/ledger/ledger.sqlite3`) and checks
the genesis permit with the CMS permit verifier; tests may pass other storage or a verifier.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI

from kepil.adapters.ledger_permit import CmsPermitVerifier
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.config import Settings
from kepil.domain.clock import Clock
from kepil.entrypoints.api.routers import ledger, ledger_cluster
from kepil.ledger import Executor, PermitVerifier, default_registry
from kepil.ledger.crypto import SigningKey
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings
from kepil.services.ledger.signatures import (
    InlineChecker,
    ProcessPoolChecker,
    SignatureChecker,
)
from kepil.services.ledger.storage import LedgerStorage

log = logging.getLogger("kepil.ledger.wiring")

NODE_NAME: Final = "node-1"
NODE_KEY_FILE: Final = "node-key.seed"
_SEED_BYTES: Final = 32


LEDGER_FILE: Final = "ledger.sqlite3"


def create_ledger_node(
    settings: Settings,
    clock: Clock,
    *,
    storage: LedgerStorage | None = None,
    verifier: PermitVerifier | None = None,
    chain_id: str | None = None,
    node_settings: NodeSettings | None = None,
) -> LedgerNode:
    """A stopped node over `settings.data_dir/ledger`, keyed by its own node key file."""
    ledger_dir = settings.data_dir / "ledger"
    key = load_or_create_node_key(ledger_dir / NODE_KEY_FILE)
    if storage is None:
        storage = SqliteLedgerStore(ledger_dir / LEDGER_FILE)
    executor = Executor(
        chain_id or settings.ledger_chain_id, default_registry(verifier or CmsPermitVerifier())
    )
    workers = settings.ledger_signature_workers
    checker: SignatureChecker = ProcessPoolChecker(workers) if workers else InlineChecker()
    return LedgerNode(
        executor, storage, clock, NodeIdentity(NODE_NAME, key), node_settings, checker
    )


def install_ledger(
    app: FastAPI,
    node: LedgerNode,
    on_stop: Callable[[], None] | None = None,
    stop_timeout: float = 30.0,
) -> None:
    """Serve `node` under /api/v1/ledger; start it with the app and stop it at shutdown.

    `on_stop` runs after the node stopped and before its storage closes (say, the consensus
    engine leaving the network, so it applies nothing to a closed file).
    """
    app.state.ledger_node = node
    app.include_router(ledger.router)
    app.include_router(ledger_cluster.router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[Any]:
        node.start()
        try:
            async with inner(running) as state:
                yield state
        finally:
            node.stop(stop_timeout)
            if on_stop is not None:
                on_stop()
            node.close()

    app.router.lifespan_context = lifespan


def load_or_create_node_key(path: Path) -> SigningKey:
    """The node's checkpoint key from its seed file (hex), created with mode 0600 if missing."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        seed = secrets.token_bytes(_SEED_BYTES).hex()
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(f"{seed}\n")
        log.info("created the ledger node key", extra={"path": str(path)})
    seed_hex = path.read_text().strip()
    try:
        return SigningKey(bytes.fromhex(seed_hex))
    except ValueError as error:
        raise ValueError(f"{path} does not hold a 32-byte hex seed: {error}") from None
