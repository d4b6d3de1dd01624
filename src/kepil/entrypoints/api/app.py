"""The FastAPI application factory."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, Response

import kepil
from kepil.bootstrap import Container
from kepil.bootstrap.ledger import register_ledger_handlers
from kepil.entrypoints.api.errors import install_error_handlers
from kepil.entrypoints.api.ledger_wiring import create_ledger_node, install_ledger
from kepil.entrypoints.api.routers import (
    applications,
    auth,
    cabinet,
    complaints,
    health,
    monitoring,
    registry,
    rule_changes,
)
from kepil.entrypoints.api.sweeper_task import start_sweeper

log = logging.getLogger("kepil.api")


def create_app(container: Container) -> FastAPI:
    """Build the API around an already wired container."""

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        stop_sweeper = start_sweeper(container)
        yield
        stop_sweeper()
        container.close()

    app = FastAPI(
        title="kepil",
        version=kepil.__version__,
        summary="Permits for secured digital assets (Order 130/НҚ) and the platform ledger",
        lifespan=lifespan,
    )
    app.state.container = container
    app.middleware("http")(_log_requests)
    install_error_handlers(app)
    app.include_router(health.router)
    app.include_router(auth.router)
    app.include_router(registry.router)
    app.include_router(complaints.router)
    app.include_router(rule_changes.router)
    app.include_router(applications.router)
    app.include_router(cabinet.router)
    app.include_router(monitoring.router)
    # One bus for the whole application: the permit wing's commands and, with the embedded
    # node, the ledger's. Each app gets its own copy, so two apps never share a node's handlers.
    bus = container.bus.copy()
    app.state.bus = bus
    if container.settings.ledger_enabled:
        node = create_ledger_node(container.settings, container.clock)
        register_ledger_handlers(bus, node)
        install_ledger(app, node, bus=bus)
    return app


async def _log_requests(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    # One line per request with an id the client can quote when reporting a problem.
    request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
    started = time.perf_counter()
    response = await call_next(request)
    response.headers["x-request-id"] = request_id
    log.info(
        "request",
        extra={
            "request_id": request_id,
            "method": request.method,
            "path": request.url.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
    return response
