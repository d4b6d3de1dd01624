"""Fixtures of the node tests: a stopped node over the in-memory storage, with a movable clock."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.support.ledger import World

from kepil.services.ledger.node import NodeSettings


@pytest.fixture
def world() -> Iterator[World]:
    """A node taking three transactions a block, its mempool holding twenty."""
    world = World.in_memory(NodeSettings(max_block_txs=3, mempool_limit=20))
    yield world
    world.node.stop()
