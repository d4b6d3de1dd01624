"""Fixtures of the ledger tests: a chain after the standard setup."""

from __future__ import annotations

import pytest
from tests.support.ledger import Chain, standard_chain


@pytest.fixture
def chain() -> Chain:
    """A chain with participants, an agreement, the wheat class, and units issued."""
    return standard_chain()
