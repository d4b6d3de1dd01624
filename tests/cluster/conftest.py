"""Fixtures of the cluster tests: a local network of node processes, stopped whatever happens."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest

from .network import LocalNetwork


@pytest.fixture
def network(tmp_path: Path) -> Iterator[LocalNetwork]:
    """Five nodes on loopback, up and with a leader; every process stopped at the end."""
    local = LocalNetwork(tmp_path / "network", size=5)
    try:
        local.start()
        yield local
    finally:
        local.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed cluster test's report ends with the tail of each node's log."""
    report = yield
    network = getattr(item, "funcargs", {}).get("network")
    if report.failed and report.when == "call" and isinstance(network, LocalNetwork):
        report.sections.append(("node logs", network.log_tails()))
    return report
