"""Keyboard only: the skip link comes first and works, the registry search is filled and sent
from the keyboard, and whatever has the focus shows it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.pages import focus_style, screenshot, shows_focus

ACTIVE_ID = "document.activeElement && document.activeElement.id"


@pytest.mark.parametrize("version", ["standard", "accessible"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_the_skip_link_comes_first_and_moves_the_focus_to_the_main_content(
    page: Page, lang: str, version: str
) -> None:
    page.goto(f"/service?lang={lang}&version={version}")
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then on screen
    assert shows_focus(focus_style(page)), focus_style(page)
    screenshot(page, "skip-link-focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    assert page.url.endswith("#main")


@pytest.mark.parametrize("version", ["standard", "accessible"])
def test_the_registry_is_searched_with_the_keyboard_alone_and_the_focus_is_visible(
    page: Page, registry_number: str, version: str
) -> None:
    page.goto(f"/registry?lang=kk&version={version}")
    unfocused = page.locator("#q").evaluate("e => getComputedStyle(e).outlineStyle")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link
    expect(page.locator("main")).to_be_focused()
    page.keyboard.press("Tab")
    query = page.locator("#q")
    expect(query).to_be_focused()
    focused = focus_style(page)
    assert shows_focus(focused), focused
    assert focused["outlineStyle"] != unfocused  # the outline comes with the focus
    screenshot(page, "registry-query-focused")
    page.keyboard.type("Kepil Grain")
    for field in ("#iin_bin", "#platform", "#status"):
        page.keyboard.press("Tab")
        expect(page.locator(field)).to_be_focused()
        assert shows_focus(focus_style(page)), (field, focus_style(page))
    page.keyboard.press("Tab")
    search = page.get_by_role("button", name="Іздеу")
    expect(search).to_be_focused()
    assert shows_focus(focus_style(page)), focus_style(page)
    screenshot(page, "registry-button-focused")
    page.keyboard.press("Enter")
    expect(page).to_have_url("/registry?q=Kepil+Grain&iin_bin=&platform=&status=")
    found = page.get_by_role("link", name=registry_number)
    expect(found).to_be_visible()
    found.focus()  # the page is not scrolled by a click: the link is reached as a user tabs
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"/registry/{registry_number}")
