"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

import kepil
from kepil.bootstrap import Container
from kepil.bootstrap.ledger import register_ledger_handlers
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.ledger_wiring import create_ledger_node, install_ledger
from kepil.entrypoints.api.openapi import document_errors
from kepil.entrypoints.api.relay_task import start_relay
from kepil.entrypoints.api.request_log import RequestLog
from kepil.entrypoints.api.routers import (
    applications,
    auth,
    cabinet,
    complaints,
    health,
    monitoring,
    platforms,
    registry,
    rule_changes,
)
from kepil.entrypoints.api.sweeper_task import start_sweeper
from kepil.entrypoints.web import install_web
from kepil.signing.certificates import ignore_long_name_warnings


def create_app(container: Container) -> FastAPI:
    """Build the API around an already wired container."""
    ignore_long_name_warnings()  # NCA certificates' names exceed 64 bytes: not worth a log line

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop_sweeper = start_sweeper(container)
        stop_relay = start_relay(container) if container.settings.relay else None
        yield
        if stop_relay is not None:
            stop_relay()
        stop_sweeper()
        container.close()

    app = FastAPI(
        title="kepil",
        version=kepil.__version__,
        summary="Permits for secured digital assets (Order 130/НҚ) and the platform ledger",
        lifespan=lifespan,
    )
    app.state.container = container
    app.add_middleware(RequestLog)
    app.openapi = document_errors(app)  # type: ignore[method-assign]
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(registry.router)
    app.include_router(platforms.router)
    app.include_router(complaints.router)
    app.include_router(rule_changes.router)
    app.include_router(applications.router)
    app.include_router(cabinet.router)
    app.include_router(monitoring.router)
    install_web(app)
    # One bus for the whole application: the permit wing's commands and, with the embedded
    # node, the ledger's. Each app gets its own copy, so two apps never share a node's handlers.
    bus = container.bus.copy()
    app.state.bus = bus
    if container.settings.ledger_enabled:
        node = create_ledger_node(container.settings, container.clock)
        register_ledger_handlers(bus, node)
        install_ledger(app, node, bus=bus)
    return app
