"""`/healthz`: whether this instance can serve, for load balancers and operators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

import kepil
from kepil.services.health import check_health

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="Readiness of this instance and its dependencies")
def healthz(request: Request) -> JSONResponse:
    """200 with each dependency's state when all are ready, 503 otherwise."""
    container = request.app.state.container
    report = check_health(container.probes)
    body: dict[str, Any] = {
        "status": "ok" if report.healthy else "unavailable",
        "version": kepil.__version__,
        "checks": {
            name: {"ok": result.ok, **result.detail} for name, result in report.checks.items()
        },
    }
    return JSONResponse(body, status_code=200 if report.healthy else 503)
