"""`/desk/monitoring` in the browser: the auditor's dashboard in Kazakh and Russian, standard and
for the visually impaired; axe finds nothing, the chart is drawn, a screenshot is kept."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx2
import pytest
from playwright.sync_api import BrowserContext, expect
from tests.browser.pages import axe, screenshot
from tests.browser.server import KepilServer
from tests.support.pki import Person, ministry_official
from tests.support.web import sign_in_on_pages

AUDITOR_IIN, AUDITOR_NAME = "880808300143", "АУДИТОРОВА ДАНА"


@pytest.fixture(scope="module")
def auditor(server: KepilServer) -> Person:
    """An auditor, granted the duty with `kepil staff grant`."""
    server.kepil("staff", "grant", AUDITOR_IIN, "auditor", "--name", AUDITOR_NAME)
    return ministry_official(AUDITOR_IIN, AUDITOR_NAME)


def _signed_in(context: BrowserContext, server: KepilServer, person: Person) -> None:
    # Signed in over HTTP as the login page does it; the browser takes the session's cookies.
    with httpx2.Client(base_url=server.base_url, timeout=10) as client:
        sign_in_on_pages(client, person.auth, datetime.now(UTC))  # type: ignore[arg-type]
        found = {cookie.name: cookie.value for cookie in client.cookies.jar}
    cookies = [
        {"name": name, "value": value, "url": server.base_url} for name, value in found.items()
    ]
    context.add_cookies(cookies)  # type: ignore[arg-type]


@pytest.mark.parametrize("version", ["standard", "accessible"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_auditor_reads_the_dashboard_in_both_languages_and_versions(
    context: BrowserContext,
    server: KepilServer,
    auditor: Person,
    registry_number: str,
    lang: str,
    version: str,
) -> None:
    _signed_in(context, server, auditor)
    page = context.new_page()
    page.goto(f"/desk/monitoring?lang={lang}&version={version}")
    expect(page.locator("svg.chart[role=img]")).to_be_visible()
    expect(page.locator("table.weeks tbody tr")).to_have_count(12)
    expect(page.locator('tr[data-status="permit_issued"] td')).not_to_have_text("0")
    axe(page)
    screenshot(page, "desk-monitoring")
