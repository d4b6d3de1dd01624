"""Wires the relay of registry status changes to the platforms (services/bridge/relay.py)."""

from __future__ import annotations

from sqlalchemy import Engine

from kepil.adapters.db.platform_repository import SqlRelayStore
from kepil.adapters.node_addresses import NodeAddressGuard
from kepil.adapters.relay_nodes import HttpPlatformNodes, build_change_tx
from kepil.config import Settings
from kepil.domain.clock import Clock
from kepil.services.bridge.relay import Relay, RelaySettings


def relay(settings: Settings, engine: Engine, clock: Clock) -> Relay:
    """A relay over the permit service's database, reaching nodes over HTTP."""
    return Relay(
        SqlRelayStore(engine),
        HttpPlatformNodes(NodeAddressGuard(settings.relay_private_allowed)),
        build_change_tx,
        clock,
        RelaySettings(backoff_max=settings.relay_backoff_max_seconds),
    )
