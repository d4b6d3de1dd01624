"""A platform node's own explorer (`kepil node`, alone in its network) in Kazakh and Russian,
standard and for the visually impaired: axe finds nothing, and a screenshot is kept to look at."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx2
import pytest
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.pages import axe, page_language, page_version, screenshot

START_SECONDS = 30
STOP_SECONDS = 10
LANGUAGES = ("kk", "ru")
VERSIONS = ("standard", "accessible")
KEPIL = str(Path(sys.executable).parent / "kepil")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(base_url: str) -> bool:
    try:
        return httpx2.get(f"{base_url}/healthz", timeout=1).status_code == 200
    except httpx2.HTTPError:
        return False


@pytest.fixture(scope="module")
def node_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`kepil node` alone in its network on free loopback ports; its API base URL."""
    root = tmp_path_factory.mktemp("node")
    api, raft = _free_port(), _free_port()
    (root / "node.toml").write_text(
        f'name = "node-1"\nchain_id = "kepil-local"\ndata_dir = "node-1"\n'
        f'api = "127.0.0.1:{api}"\nraft = "127.0.0.1:{raft}"\npeers = []\n',
        encoding="utf-8",
    )
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KEPIL_")}
    environment["KEPIL_CLUSTER_PASSWORD"] = "a test cluster password"  # a test fixture
    log = (root / "node.log").open("w")
    command = [
        KEPIL if Path(KEPIL).exists() else "kepil",
        "node",
        "--config",
        str(root / "node.toml"),
    ]
    node = subprocess.Popen(command, env=environment, stdout=log, stderr=log)
    base_url = f"http://127.0.0.1:{api}"
    try:
        deadline = time.monotonic() + START_SECONDS
        while not _healthy(base_url):
            assert node.poll() is None, (root / "node.log").read_text()
            assert time.monotonic() < deadline, "the node's API did not answer in time"
            time.sleep(0.1)
        yield base_url
    finally:
        node.terminate()
        try:
            node.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            node.kill()
            node.wait()
        log.close()


@pytest.fixture
def node_page(browser: Browser, node_url: str) -> Iterator[Page]:
    """A page in a fresh context on the node's API address."""
    context = browser.new_context(base_url=node_url, viewport={"width": 1280, "height": 800})
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_a_nodes_explorer_overview_in_each_language_and_version_passes_axe(
    node_page: Page, lang: str, version: str
) -> None:
    response = node_page.goto(f"/explorer?lang={lang}&version={version}")
    assert response is not None
    assert response.status == 200
    screenshot(node_page, "node-explorer")
    assert page_language(node_page) == lang
    assert page_version(node_page) == version
    expect(node_page.locator(".main-nav a")).to_have_count(1)
    expect(node_page.locator('a[href="/login"]')).to_have_count(0)
    expect(node_page.locator("main table").last.locator("code")).to_be_visible()
    axe(node_page)
