"""Test-wide conventions: each layer's directory marks its tests with the layer's marker."""

from __future__ import annotations

from pathlib import Path

import pytest

_LAYERS = ("unit", "integration", "e2e", "cluster", "browser")
_TESTS_ROOT = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test with the layer it lives in, so `-m unit` selects by directory."""
    for item in items:
        relative = Path(str(item.fspath)).relative_to(_TESTS_ROOT)
        layer = relative.parts[0]
        if layer in _LAYERS:
            item.add_marker(getattr(pytest.mark, layer))
