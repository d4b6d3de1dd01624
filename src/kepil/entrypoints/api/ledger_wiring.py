"""Wiring the embedded ledger node into the API: build it from Settings, serve it, stop it.

Until the SQLite ledger store and the CMS permit verifier land, the node keeps its state in
memory and refuses every genesis permit; each is one argument of create_ledger_node.
"""

from __future__ import annotations

import logging
import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Final

from fastapi import FastAPI

from kepil.config import Settings
from kepil.domain.clock import Clock
from kepil.entrypoints.api.routers import ledger
from kepil.ledger import (
    Executor,
    MemoryState,
    PermitFacts,
    PermitRefusal,
    PermitVerifier,
    StateStore,
    default_registry,
)
from kepil.ledger.crypto import SigningKey
from kepil.services.ledger_node import (
    DEFAULT_CHAIN_ID,
    LedgerNode,
    NodeIdentity,
    NodeSettings,
)

log = logging.getLogger("kepil.ledger.wiring")

NODE_NAME: Final = "node-1"
NODE_KEY_FILE: Final = "node-key.seed"
_SEED_BYTES: Final = 32


class UnconfiguredPermitVerifier:
    """Refuses every permit: the node runs, but no genesis applies until a verifier is wired."""

    def verify(
        self, permit_document: bytes, ministry_certificate: bytes
    ) -> PermitFacts | PermitRefusal:
        """Always a refusal naming the missing configuration."""
        return PermitRefusal("this node has no permit verifier configured")


def create_ledger_node(
    settings: Settings,
    clock: Clock,
    *,
    store: StateStore | None = None,
    verifier: PermitVerifier | None = None,
    chain_id: str = DEFAULT_CHAIN_ID,
    node_settings: NodeSettings | None = None,
) -> LedgerNode:
    """A stopped node for `settings.data_dir/ledger`, keyed by its own node key file."""
    ledger_dir = settings.data_dir / "ledger"
    key = load_or_create_node_key(ledger_dir / NODE_KEY_FILE)
    executor = Executor(chain_id, default_registry(verifier or UnconfiguredPermitVerifier()))
    return LedgerNode(
        executor,
        store if store is not None else MemoryState(),
        clock,
        NodeIdentity(NODE_NAME, key),
        node_settings,
    )


def install_ledger(app: FastAPI, node: LedgerNode) -> None:
    """Serve `node` under /api/v1/ledger; start it with the app and stop it at shutdown."""
    app.state.ledger_node = node
    app.include_router(ledger.router)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(running: FastAPI) -> AsyncIterator[Any]:
        node.start()
        try:
            async with inner(running) as state:
                yield state
        finally:
            node.stop()

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
