"""The administrator's staff table in a browser: signed in through NCALayer, in Kazakh and
Russian, standard and for the visually impaired; a refused grant shows its errors, a grant and
a revocation and the end of an acting period go through the confirm step; axe-core on every
page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from tests.browser.ncalayer import NCALayerPort, StandIn, write_p12
from tests.browser.pages import axe, screenshot
from tests.browser.server import KepilServer
from tests.browser.story import sign_in_with_ncalayer
from tests.support.pki import Person, ministry_official

ADMIN_IIN = "880412401234"
ADMIN_NAME = "АДМИНОВА ЖАНАР"
DEPUTY_IIN = "750903304562"
DEPUTY_NAME = "ЗАМЕСТИТЕЛЕВ БОЛАТ"


@pytest.fixture(scope="session")
def administrator(server: KepilServer, tmp_path_factory: pytest.TempPathFactory) -> Person:
    """The first administrator, granted from the operator's terminal as the README says."""
    server.kepil("staff", "grant", ADMIN_IIN, "administrator", "--name", ADMIN_NAME)
    return ministry_official(ADMIN_IIN, ADMIN_NAME)


@pytest.fixture
def admin_ncalayer(
    ncalayer_port: NCALayerPort, administrator: Person, tmp_path_factory: pytest.TempPathFactory
) -> StandIn:
    keys = tmp_path_factory.mktemp("admin-keys")
    files = (
        write_p12(administrator.auth, Path(keys) / "AUTH_admin.p12"),
        write_p12(administrator.sign, Path(keys) / "SIGN_admin.p12"),
    )
    return ncalayer_port.offer(files)


@pytest.mark.parametrize("version", ["standard", "accessible"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_administrator_keeps_the_staff_table_in_the_browser(
    page: Page, admin_ncalayer: StandIn, lang: str, version: str
) -> None:
    sign_in_with_ncalayer(page, lang, version)
    page.goto(f"/desk/staff?lang={lang}&version={version}")
    expect(page.locator("main h1")).to_be_visible()
    expect(page.locator("main table").first).to_contain_text(ADMIN_IIN)
    axe(page)
    screenshot(page, "staff-table")

    page.fill("#iin", "123")
    page.locator("form[action='/desk/staff/duties'] button[type=submit]").click()
    expect(page.locator("#error-summary")).to_be_visible()
    expect(page.locator("#iin")).to_have_attribute("aria-invalid", "true")
    axe(page)
    screenshot(page, "staff-refused")

    page.fill("#iin", DEPUTY_IIN)
    page.select_option("#role", "examiner")
    page.fill("#name", DEPUTY_NAME)
    page.locator("form[action='/desk/staff/duties'] button[type=submit]").click()
    expect(page).to_have_url("/desk/staff?done=granted")
    expect(page.locator("main [role=status]")).to_be_visible()
    axe(page)

    # Days far ahead of the real clock the server runs on: the period has not begun, so
    # ending it cancels it and frees the days for the next language and version.
    page.select_option("#acting_iin", DEPUTY_IIN)
    page.fill("#first_day", "2030-01-07")
    page.fill("#last_day", "2030-01-11")
    page.fill("#basis", "приказ № 15-к от 01.12.2029")
    page.locator("form[action='/desk/staff/acting'] button[type=submit]").click()
    expect(page).to_have_url("/desk/staff?done=recorded")
    acting = page.locator("section[aria-labelledby=acting-heading]")
    period = acting.locator("tr", has_text=DEPUTY_IIN).filter(has=page.locator("button"))
    expect(period).to_have_count(1)
    axe(page)
    period.locator("button").click()
    expect(page.locator("form input[name=confirmed]")).to_have_count(1)
    axe(page)
    screenshot(page, "staff-end-acting")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/desk/staff?done=ended")
    expect(period).to_have_count(0)

    row = page.locator("tr", has_text=DEPUTY_IIN).first
    row.locator("button[type=submit]").click()
    expect(page.locator("form input[name=confirmed]")).to_have_count(1)
    axe(page)
    screenshot(page, "staff-revoke")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url("/desk/staff?done=revoked")
    expect(page.locator("main table").first).not_to_contain_text(DEPUTY_IIN)
