"""Serving a ledger node from a FastAPI app: its routers, its bus, its start and stop.

The node itself is assembled in `kepil.bootstrap.ledger` (create_ledger_node, re-exported here
for the callers that build the embedded node next to the app).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI

from kepil.bootstrap.ledger import create_ledger_node, ledger_bus, routes_ledger_commands
from kepil.entrypoints.api.errors import error_answers
from kepil.entrypoints.api.routers import ledger, ledger_cluster
from kepil.services.ledger.node import LedgerNode
from kepil.services.messagebus import MessageBus

__all__ = ["LEDGER_ERRORS", "create_ledger_node", "install_ledger"]

# What the ledger's routes answer besides success, documented for all of them at once.
LEDGER_ERRORS = error_answers(
    {
        404: "no such block, or no block yet; a transaction not committed (receipts)",
        409: "this transaction was submitted before (submitting only)",
        503: "no ledger node here, or it is stopped, diverged or its mempool is full",
    }
)


def install_ledger(
    app: FastAPI,
    node: LedgerNode,
    on_stop: Callable[[], None] | None = None,
    stop_timeout: float = 30.0,
    *,
    bus: MessageBus | None = None,
) -> None:
    """Serve `node` under /api/v1/ledger; start it with the app and stop it at shutdown.

    The ledger routers send writes to `bus` (kept as `app.state.bus`): the application's bus,
    on which bootstrap registered the ledger handlers for `node`; without one, a bus of the
    ledger's commands alone. `on_stop` runs after the node stopped and before its storage
    closes (say, the consensus engine leaving the network, so it applies nothing to a closed
    file).
    """
    if bus is None:
        if getattr(app.state, "bus", None) is not None:
            # Two buses would split the app: the routers see one, the rest the other.
            raise ValueError("the app has a bus: pass it as install_ledger(..., bus=)")
        bus = ledger_bus(node)
    elif not routes_ledger_commands(bus):
        raise ValueError("the bus lacks the ledger handlers: see register_ledger_handlers")
    app.state.ledger_node = node
    app.state.bus = bus
    app.include_router(ledger.router, responses=LEDGER_ERRORS)
    app.include_router(ledger_cluster.router, responses=LEDGER_ERRORS)
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
