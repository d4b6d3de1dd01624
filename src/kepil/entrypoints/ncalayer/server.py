"""The stand-in's server: NCALayer's WebSocket over TLS, and a plain HTTPS page on the same port."""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import ssl
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from kepil.entrypoints.ncalayer.protocol import GREETING, StandIn

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 13579

# Shown when a person opens https://127.0.0.1:13579/ to accept the certificate once.
_PAGE = """<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>kepil: NCALayer stand-in</title></head>
<body>
<main>
<h1>kepil: NCALayer stand-in</h1>
<p lang="kk">Бұл — kepil-дің әзірлеуге арналған NCALayer алмастырғышы, нағыз NCALayer емес.
Сертификат енді қабылданды: порталға оралып, әрекетті қайталаңыз.</p>
<p lang="ru">Это заменитель NCALayer из kepil для разработки, а не настоящий NCALayer.
Сертификат теперь принят: вернитесь на портал и повторите действие.</p>
<p>This is kepil's NCALayer stand-in for development, not the real NCALayer.
The certificate is now accepted: go back to the portal and try again.</p>
</main>
</body>
</html>
"""


def tls_context(certificate: Path, key: Path) -> ssl.SSLContext:
    """A server TLS context from PEM files; OSError or ssl.SSLError when they are unusable."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(certificate, key)
    return context


async def serve_until(
    stand_in: StandIn,
    host: str,
    port: int,
    context: ssl.SSLContext,
    stop: asyncio.Event,
    ready: Callable[[int], None] = lambda _port: None,
    origins: frozenset[str] = frozenset(),
) -> None:
    """Serve until `stop` is set; `ready` gets the bound port once connections are accepted.

    Only pages served from this computer (or from `origins`) may ask for a signature: the
    stand-in signs without a dialog, so any other site open in the browser would get one.
    """

    def screen(connection: ServerConnection, request: Request) -> Response | None:
        return _screen(stand_in, origins, request)

    async def converse(connection: ServerConnection) -> None:
        await connection.send(json.dumps(GREETING))
        with contextlib.suppress(ConnectionClosed):
            async for message in connection:
                try:
                    answer = stand_in.reply(message)
                except Exception as error:  # a bug must not drop the page's connection unanswered
                    stand_in.log(f"internal error: {type(error).__name__}: {error}")
                    answer = {"code": "500", "message": f"stand-in error: {type(error).__name__}"}
                await connection.send(json.dumps(answer, ensure_ascii=False))

    async with serve(converse, host, port, ssl=context, process_request=screen) as server:
        bound = next(iter(server.sockets)).getsockname()[1]
        ready(int(bound))
        await stop.wait()


def run(
    stand_in: StandIn,
    host: str,
    port: int,
    context: ssl.SSLContext,
    ready: Callable[[int], None],
    origins: frozenset[str] = frozenset(),
) -> None:
    """Serve in the foreground until Ctrl-C or SIGTERM, then close every connection and return."""

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await serve_until(stand_in, host, port, context, stop, ready, origins)

    asyncio.run(main())


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def allowed_origin(origin: str | None, origins: frozenset[str]) -> bool:
    """A page on this computer, a page listed with --origin, or no browser at all (no Origin)."""
    if origin is None:
        return True
    return urlsplit(origin).hostname in LOOPBACK_HOSTS or origin.rstrip("/") in origins


def _screen(stand_in: StandIn, origins: frozenset[str], request: Request) -> Response | None:
    # A WebSocket handshake from an allowed page goes on; any other request is a person
    # accepting the certificate.
    if request.headers.get("Upgrade", "").lower() == "websocket":
        origin = request.headers.get("Origin")
        if allowed_origin(origin, origins):
            return None
        stand_in.log(f"refused a page from {origin}: not on this computer (see --origin)")
        body = b"this page may not ask the NCALayer stand-in for signatures\n"
        headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return Response(HTTPStatus.FORBIDDEN.value, HTTPStatus.FORBIDDEN.phrase, headers, body)
    body = _PAGE.encode("utf-8")
    headers = Headers(
        [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(HTTPStatus.OK.value, HTTPStatus.OK.phrase, headers, body)
