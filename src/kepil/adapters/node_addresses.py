"""Where the relay may connect: a platform's node URLs are given by whoever registers the
platform, so a node that resolves to this server's own network (loopback, link-local, private,
multicast, unspecified or reserved addresses) is refused unless the operator allows it
(KEPIL_RELAY_ALLOW_PRIVATE; dev mode allows it by default, its nodes run on 127.0.0.1).

The check is made when a platform is registered (an address, or a name that resolves now) and
again on every connection, on the very addresses the socket connects to, so a name that
resolves elsewhere later (DNS rebinding) gains nothing. The HTTP opener built here follows no
redirect and uses no proxy from the environment.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any, Final

from kepil.services.bridge.platforms import PlatformInputError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str, int], list[str]]
_DEFAULT_PORTS: Final = {"http": 80, "https": 443}


class AddressRefused(OSError):  # noqa: N818 - names the situation
    """A node's address is one the relay may not connect to."""


def internal(address: Address) -> bool:
    """Whether the address is of this machine's or a private network, or not unicast."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_loopback
        or address.is_link_local
        or address.is_private
        or address.is_multicast
        or address.is_unspecified
        or address.is_reserved
        or not address.is_global  # e.g. 100.64.0.0/10, shared by a carrier's customers
    )


def resolve(host: str, port: int) -> list[str]:
    """The addresses a name resolves to (OSError when it does not)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


class NodeAddressGuard:
    """Refuses node addresses inside this server's networks unless `allow_private`."""

    def __init__(self, allow_private: bool, resolver: Resolver = resolve) -> None:
        """Allow internal addresses only when `allow_private`; resolve names with `resolver`."""
        self.allow_private = allow_private
        self._resolve = resolver

    def check(self, url: str) -> None:
        """At registration: PlatformInputError when the URL's host is, or resolves now to, an
        address the relay may not reach; a name that does not resolve yet is let through (it
        is checked again on every connection)."""
        if self.allow_private:
            return
        parts = urllib.parse.urlsplit(url)
        host = parts.hostname or ""
        try:
            found = self._resolve(host, parts.port or _DEFAULT_PORTS.get(parts.scheme, 80))
        except OSError:
            return
        for text in found:
            if internal(ipaddress.ip_address(text.split("%", 1)[0])):
                raise PlatformInputError(
                    "nodes",
                    f"{parts.scheme}://{host}: resolves to {text}, an address inside this "
                    "server's networks (loopback, private, link-local or multicast); the relay "
                    "does not connect there unless the operator allows it "
                    "(KEPIL_RELAY_ALLOW_PRIVATE=true)",
                )

    def create_connection(
        self,
        address: tuple[str, int],
        timeout: float | None = None,
        source_address: tuple[str, int] | None = None,
    ) -> socket.socket:
        """A connected socket to `address`, every resolved address checked first."""
        host, port = address
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        if not self.allow_private:
            for *_, sockaddr in infos:
                if internal(ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])):
                    raise AddressRefused(
                        f"node_address_refused: {host} resolves to {sockaddr[0]}, inside this "
                        "server's networks"
                    )
        error: OSError | None = None
        for family, kind, proto, _, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                if timeout is not None:
                    sock.settimeout(timeout)
                if source_address is not None:
                    sock.bind(source_address)
                sock.connect(sockaddr)
            except OSError as failed:
                sock.close()
                error = failed
                continue
            return sock
        raise error or OSError(f"{host} resolves to no address")

    def opener(self) -> urllib.request.OpenerDirector:
        """An opener whose connections go through `create_connection`, with no redirects and
        no proxy."""
        return urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            _NoRedirect(),
            _GuardedHttp(self),
            _GuardedHttps(self),
        )


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is answered as the error it is to the relay: a node does not redirect."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class _GuardedHttp(urllib.request.HTTPHandler):
    def __init__(self, guard: NodeAddressGuard) -> None:
        super().__init__()
        self._guard = guard

    def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection(host, **kwargs)
        connection._create_connection = self._guard.create_connection  # type: ignore[attr-defined]
        return connection


class _GuardedHttps(urllib.request.HTTPSHandler):
    def __init__(self, guard: NodeAddressGuard) -> None:
        super().__init__()
        self._guard = guard

    def https_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
        return self.do_open(self._connection, req)

    def _connection(self, host: str, **kwargs: Any) -> http.client.HTTPSConnection:
        kwargs.setdefault("context", self._context)  # type: ignore[attr-defined]
        connection = http.client.HTTPSConnection(host, **kwargs)
        connection._create_connection = self._guard.create_connection  # type: ignore[attr-defined]
        return connection
