"""What a platform registered for a permit is: a name, its chain and the base URLs of its nodes.

Both wings read it: the permit service registers platforms and shows their delivery state, the
relay sends them the registry's changes. The node URLs are checked here once, for both.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from datetime import datetime
from typing import Final, Protocol

MAX_NODES: Final = 16
MAX_PLATFORMS: Final = 8
"""Platforms per permit: one holder's platforms share the relay with every other permit's."""
MAX_URL: Final = 500
MAX_NAME: Final = 200
CHAIN_ID_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-")


class PlatformInputError(ValueError):
    """A platform's name, chain id or node URL that cannot be used, with the field at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class NodeAddresses(Protocol):
    """Where the relay may connect, as the operator allows (adapters/node_addresses.py)."""

    def check(self, url: str) -> None:
        """PlatformInputError("nodes", …) when the URL's host is an address not allowed."""


def node_url(text: str) -> str:
    """The base URL of a ledger node (http or https, a host, no credentials, no query), trimmed
    of a trailing slash; PlatformInputError naming what is wrong otherwise."""
    url = text.strip()
    if not url or len(url) > MAX_URL:
        raise PlatformInputError("nodes", f"a node URL has 1 to {MAX_URL} characters")
    try:
        parts = urllib.parse.urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise PlatformInputError("nodes", f"{url!r} is not a URL ({error})") from None
    if parts.scheme not in {"http", "https"}:
        raise PlatformInputError("nodes", f"{url!r}: a node URL starts with http:// or https://")
    if parts.username is not None or parts.password is not None:
        # A password in a URL ends up in logs and on the officials' page: never accept one.
        raise PlatformInputError(
            "nodes", f"{parts.scheme}://…@{parts.hostname}: a node URL carries no user or password"
        )
    if not parts.hostname:
        raise PlatformInputError("nodes", f"{url!r}: a node URL names a host")
    if parts.query or parts.fragment:
        raise PlatformInputError("nodes", f"{url!r}: a node URL has no query or fragment")
    del port  # read only to refuse a port that is not a number
    return url.rstrip("/")


def chain_id(text: str) -> str:
    """A chain id as the ledger spells them (lower-case letters, digits, '.', '_', '-')."""
    value = text.strip()
    if not 1 <= len(value) <= 100 or not set(value) <= CHAIN_ID_CHARS or not value[0].isalnum():
        raise PlatformInputError(
            "chain_id",
            f"{text!r}: a chain id has 1 to 100 lower-case letters, digits, '.', '_' or '-', "
            "and starts with a letter or digit",
        )
    return value


def platform_name(text: str, fallback: str) -> str:
    """The platform's name, `fallback` (the chain id) when none is given."""
    value = " ".join(text.split()) or fallback
    if len(value) > MAX_NAME:
        raise PlatformInputError("name", f"a platform name has at most {MAX_NAME} characters")
    return value


def node_urls(texts: list[str]) -> tuple[str, ...]:
    """The node URLs checked, in order, each once; at least one."""
    if not texts:
        raise PlatformInputError("nodes", "name at least one node URL")
    if len(texts) > MAX_NODES:
        raise PlatformInputError("nodes", f"at most {MAX_NODES} node URLs")
    return tuple(dict.fromkeys(node_url(text) for text in texts))


@dataclass(frozen=True, slots=True)
class DeliveryState:
    """Where one change stands for one platform, as officials and the API show it."""

    change_id: int
    action: str
    recorded_at: datetime
    state: str  # pending | failing | delivered | superseded | refused | abandoned
    attempts: int
    last_error: str | None
    next_attempt_at: datetime | None
    height: int | None
    code: str | None
    delivered_at: datetime | None
    tx_id: str | None


@dataclass(frozen=True, slots=True)
class Platform:
    """A platform registered for a permit, with each change's delivery to it, oldest first."""

    id: int
    permit_number: str
    name: str
    chain_id: str
    nodes: tuple[str, ...]
    registered_at: datetime
    deliveries: tuple[DeliveryState, ...] = ()
