"""Every answer carries a request id and leaves one log line; a bug answers a JSON 500.

A pure ASGI middleware, just inside Starlette's last-resort error handler: it sees every
answer, the error handlers' included, and every exception no handler took, so a 500 is logged
(with its traceback, for operators) and answered in the error format (without it, for clients).
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kepil.entrypoints.api.errors import error_response

log = logging.getLogger("kepil.api")

HEADER = "x-request-id"
# What a client may name its request: enough for UUIDs and ticket numbers, nothing that could
# forge a log line or a header.
_USABLE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(scope: Scope) -> str:
    """The client's request id if it sent a usable one, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == HEADER.encode("ascii"):
            sent = value.decode("latin-1")
            return sent if _USABLE_ID.fullmatch(sent) else uuid.uuid4().hex
    return uuid.uuid4().hex


class RequestLog:
    """Adds the request id to every answer and logs one line per answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve the request; answer a bug with a JSON 500 if nothing was sent yet."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        started = time.perf_counter()
        status: int | None = None

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if status is not None:
                # Too late for another answer: the server ends the connection.
                _log(scope, request_id, status, started, failed=True)
                raise
            message = f"an internal error occurred; quote request id {request_id} to report it"
            answer = error_response(500, "internal_error", message)
            await answer(scope, receive, send_with_id)
            _log(scope, request_id, 500, started, failed=True)
            return
        _log(scope, request_id, status or 500, started, failed=False)


def _log(scope: Scope, request_id: str, status: int, started: float, *, failed: bool) -> None:
    # exc_info=True inside the except block carries the traceback into this one line.
    log.log(
        logging.ERROR if failed or status >= 500 else logging.INFO,
        "request",
        exc_info=failed,
        extra={
            "request_id": request_id,
            "method": scope["method"],
            "path": scope["path"],
            "status": status,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        },
    )
