"""The ledger explorer's pages in Kazakh and Russian, standard and for the visually impaired:
axe finds nothing, each page shows what it is about, and a screenshot is kept to look at.

The portal runs in this process under uvicorn (not `kepil serve`) because its embedded node must
run the test chain, whose genesis permit only the harness's fake verifier accepts; the story is
sent through the ledger API over HTTP like any wallet's transactions.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx2
import pytest
import uvicorn
from playwright.sync_api import Browser, Page, expect
from tests.browser.conftest import ACTION_TIMEOUT_MS
from tests.browser.pages import axe, page_language, page_version, screenshot
from tests.integration.web.explorer_story import Story, explorer_app, tell_story
from tests.support.ledger import ALICE, ISSUER, WHEAT

START_SECONDS = 20
LANGUAGES = ("kk", "ru")
VERSIONS = ("standard", "accessible")


@dataclass(frozen=True)
class Explorer:
    """The running portal and what its ledger holds."""

    base_url: str
    story: Story


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def explorer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Explorer]:
    """The portal on a free loopback port with the story committed on its node."""
    root = tmp_path_factory.mktemp("explorer")
    app = explorer_app(f"sqlite:///{root / 'kepil.sqlite3'}", root)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        assert time.monotonic() < deadline, "the explorer's server did not start"
        time.sleep(0.05)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx2.Client(base_url=base_url, timeout=15) as client:
            story = tell_story(client)
        yield Explorer(base_url, story)
    finally:
        server.should_exit = True
        thread.join(START_SECONDS)


@pytest.fixture
def explorer_page(browser: Browser, explorer: Explorer) -> Iterator[Page]:
    """A page in a fresh context on the explorer's server."""
    context = browser.new_context(
        base_url=explorer.base_url, viewport={"width": 1280, "height": 800}
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    try:
        yield context.new_page()
    finally:
        context.close()


def _pages(story: Story) -> list[tuple[str, str, int, str]]:
    """(name, address, status, a selector inside <main> the page must show)."""
    pledge, escrow, encumber = story.pledge, story.escrow, story.ids["encumber"]
    return [
        ("explorer", "/explorer", 200, 'a[href="/explorer/blocks/12"]'),
        ("explorer-search-wrong", "/explorer?q=%3F%3F", 422, '#q[aria-invalid="true"]'),
        ("explorer-block", "/explorer/blocks/12", 200, 'a[href="/explorer/blocks/11"]'),
        ("explorer-block-missing", "/explorer/blocks/99", 404, 'a[href="/explorer"]'),
        ("explorer-tx", f"/explorer/tx/{encumber}", 200, f'a[href="/explorer/pledges/{pledge}"]'),
        (
            "explorer-account",
            f"/explorer/accounts/{ALICE}",
            200,
            f'a[href="/explorer/assets/{WHEAT}"]',
        ),
        (
            "explorer-asset",
            f"/explorer/assets/{WHEAT}",
            200,
            f'a[href="/explorer/accounts/{ISSUER}"]',
        ),
        ("explorer-pledge", f"/explorer/pledges/{pledge}", 200, f'a[href="/explorer/tx/{pledge}"]'),
        ("explorer-escrow", f"/explorer/escrows/{escrow}", 200, f'a[href="/explorer/tx/{escrow}"]'),
    ]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_explorer_page_in_each_language_and_version_passes_axe(
    explorer_page: Page, explorer: Explorer, lang: str, version: str
) -> None:
    for name, address, status, shows in _pages(explorer.story):
        joiner = "&" if "?" in address else "?"
        response = explorer_page.goto(f"{address}{joiner}lang={lang}&version={version}")
        assert response is not None
        assert response.status == status, address
        screenshot(explorer_page, name)
        assert page_language(explorer_page) == lang
        assert page_version(explorer_page) == version
        expect(explorer_page.locator("main").locator(shows).first).to_be_visible()
        axe(explorer_page)


def test_the_explorer_is_reached_from_the_main_menu_and_its_search_finds_an_account(
    explorer_page: Page,
) -> None:
    explorer_page.goto("/?lang=ru")
    explorer_page.locator('.main-nav a[href="/explorer"]').click()
    expect(explorer_page.locator("h1")).to_have_text("Обозреватель реестра")
    explorer_page.get_by_label("Высота блока, ИИН или БИН").fill(ALICE)
    explorer_page.get_by_role("button", name="Найти").click()
    expect(explorer_page.locator("h1")).to_contain_text(ALICE)
