"""One platform node as a process: its SQLite ledger, its key, its Raft replica, its API and
its explorer pages.

The consensus engine starts before the API: it first replays its journal into the ledger file
(entries the file already holds are skipped by index) and then follows the leader.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI

import kepil
from kepil.adapters.clock import SystemClock
from kepil.bootstrap.ledger import (
    NODE_KEY_FILE,
    LedgerNodeSpec,
    RaftMembership,
    create_network_node,
    ledger_bus,
    load_or_create_node_key,
    permit_verifier,
)
from kepil.config import Settings
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.ledger_wiring import install_ledger
from kepil.entrypoints.api.schemas.ledger import NodeHealth
from kepil.entrypoints.node.config import NodeConfig
from kepil.entrypoints.web import install_node_web
from kepil.ledger import public_key_hex
from kepil.services.ledger.node import NodeSettings

log = logging.getLogger("kepil.node")

STOP_TIMEOUT_SECONDS = 5.0


def node_public_key(config: NodeConfig) -> str:
    """The node's checkpoint public key (hex), creating its key file if needed."""
    return public_key_hex(load_or_create_node_key(config.data_dir / NODE_KEY_FILE))


def node_spec(config: NodeConfig) -> tuple[LedgerNodeSpec, RaftMembership]:
    """What the node in `config` is made of (its files and tuning) and its place in the network."""
    spec = LedgerNodeSpec(
        name=config.name,
        chain_id=config.chain_id,
        directory=config.data_dir,
        signature_workers=config.signature_workers,
        settings=NodeSettings(
            max_block_txs=config.max_block_txs, max_wait_seconds=config.max_wait_seconds
        ),
    )
    return spec, RaftMembership(config.raft, config.peers, config.password)


def node_trust_settings(config: NodeConfig) -> Settings:
    """The settings whose anchors and Ministry BIN the node trusts: node.toml's, else the
    environment's (KEPIL_TRUST_DIR, KEPIL_LEDGER_MINISTRY_BIN or KEPIL_PROVIDER_BIN)."""
    settings = Settings()
    update: dict[str, object] = {}
    if config.trust_dir is not None:
        update["trust_dir"] = config.trust_dir
    if config.ministry_bin:
        update["ledger_ministry_bin"] = config.ministry_bin
    return settings.model_copy(update=update) if update else settings


def create_node_app(config: NodeConfig) -> FastAPI:
    """The node's API and explorer pages with the node and its consensus replica running in the
    background."""
    clock = SystemClock()
    verifier = permit_verifier(node_trust_settings(config), clock)
    assembled = create_network_node(*node_spec(config), clock, verifier)
    node, raft = assembled.node, assembled.raft
    app = FastAPI(
        title=f"kepil node {config.name}",
        version=kepil.__version__,
        summary="One node of the secured digital asset platform's ledger network",
    )
    install_error_handlers(app)
    app.state.raft = raft

    @app.get(
        "/healthz", tags=["health"], summary="Liveness of this node", response_model=NodeHealth
    )
    def healthz() -> NodeHealth:
        """Alive, with the node's name, head height and whether it sees a leader."""
        head = node.head()
        status = raft.status()
        return NodeHealth(
            node=config.name,
            height=None if head is None else head.height,
            leader=status.leader,
        )

    install_ledger(
        app, node, on_stop=raft.close, stop_timeout=STOP_TIMEOUT_SECONDS, bus=ledger_bus(node)
    )
    # People read the node's own replica at /explorer, in kk/ru, as on the portal.
    install_node_web(app)
    log.info(
        "node ready",
        extra={"node": config.name, "api": config.api_url, "raft": config.raft},
    )
    return app
