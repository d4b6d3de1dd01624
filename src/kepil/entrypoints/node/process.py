"""One platform node as a process: its SQLite ledger, its key, its Raft replica, its API.

The consensus engine starts before the API: it first replays its journal into the ledger file
(entries the file already holds are skipped by index) and then follows the leader.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI

import kepil
from kepil.adapters.clock import SystemClock
from kepil.adapters.ledger_permit import CmsPermitVerifier
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.adapters.raft import RaftLog, RaftSettings
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.ledger_wiring import (
    LEDGER_FILE,
    NODE_KEY_FILE,
    install_ledger,
    load_or_create_node_key,
)
from kepil.entrypoints.node.config import NodeConfig
from kepil.ledger import Executor, default_registry, public_key_hex
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings
from kepil.services.ledger.signatures import InlineChecker, ProcessPoolChecker, SignatureChecker

log = logging.getLogger("kepil.node")

STOP_TIMEOUT_SECONDS = 5.0


def node_public_key(config: NodeConfig) -> str:
    """The node's checkpoint public key (hex), creating its key file if needed."""
    return public_key_hex(load_or_create_node_key(config.data_dir / NODE_KEY_FILE))


def create_node_app(config: NodeConfig) -> FastAPI:
    """The node's API with the node and its consensus replica running in the background."""
    config.data_dir.mkdir(parents=True, exist_ok=True)
    key = load_or_create_node_key(config.data_dir / NODE_KEY_FILE)
    store = SqliteLedgerStore(config.data_dir / LEDGER_FILE)
    executor = Executor(config.chain_id, default_registry(CmsPermitVerifier()))
    workers = config.signature_workers
    checker: SignatureChecker = ProcessPoolChecker(workers) if workers else InlineChecker()
    settings = NodeSettings(
        max_block_txs=config.max_block_txs, max_wait_seconds=config.max_wait_seconds
    )
    node = LedgerNode(
        executor, store, SystemClock(), NodeIdentity(config.name, key), settings, checker
    )
    raft = RaftLog(
        RaftSettings(config.raft, config.peers, config.password, config.data_dir / "raft"),
        node.replicate(),
        snapshots=store,
    )
    node.attach(raft)
    app = FastAPI(
        title=f"kepil node {config.name}",
        version=kepil.__version__,
        summary="One node of the secured digital asset platform's ledger network",
    )
    install_error_handlers(app)
    app.state.raft = raft

    @app.get("/healthz", tags=["health"], summary="Liveness of this node")
    def healthz() -> dict[str, Any]:
        """Alive, with the node's name, head height and whether it sees a leader."""
        head = node.head()
        status = raft.status()
        return {
            "status": "ok",
            "node": config.name,
            "height": None if head is None else head.height,
            "leader": status.leader,
        }

    install_ledger(app, node, on_stop=raft.close, stop_timeout=STOP_TIMEOUT_SECONDS)
    log.info(
        "node ready",
        extra={"node": config.name, "api": config.api_url, "raft": config.raft},
    )
    return app
