"""Every public page in Kazakh and Russian, standard and for the visually impaired: axe finds
nothing, the page says what it should, and a screenshot is kept to look at."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from tests.browser.pages import axe, page_language, page_version, screenshot

LANGUAGES = ("kk", "ru")
VERSIONS = ("standard", "accessible")

# (name, address, status, what the page must show: a Playwright selector inside <main>);
# {number} stands for the registry number of the permit issued at the start of the session.
PAGES = [
    pytest.param("home", "/", 200, ':text("130/")', id="home"),
    pytest.param("service", "/service", 200, 'a[href="tel:1414"]', id="service"),
    pytest.param("registry", "/registry", 200, 'a[href="/registry/{number}"]', id="registry"),
    pytest.param(
        "registry-search",
        "/registry?q=Kepil+Grain",
        200,
        'a[href="/registry/{number}"]',
        id="search",
    ),
    pytest.param(
        "registry-nothing", "/registry?q=zzzz-none", 200, 'input[value="zzzz-none"]', id="nothing"
    ),
    pytest.param(
        "registry-wrong-iin",
        "/registry?iin_bin=12345",
        200,
        '#iin_bin[aria-invalid="true"]',
        id="wrong-iin",
    ),
    pytest.param("entry", "/registry/{number}", 200, 'h1:has-text("{number}")', id="entry"),
    pytest.param(
        "entry-unknown", "/registry/R-0000-NONE", 404, ':text("R-0000-NONE")', id="unknown-entry"
    ),
    pytest.param("login", "/login", 200, "form#sign-in button", id="login"),
    pytest.param("unknown-path", "/no-such-page", 404, 'a[href="/registry"]', id="unknown-path"),
]


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(("name", "address", "status", "shows"), PAGES)
def test_every_page_in_each_language_and_version_passes_axe(
    page: Page,
    registry_number: str,
    name: str,
    address: str,
    status: int,
    shows: str,
    lang: str,
    version: str,
) -> None:
    target = address.format(number=registry_number)
    joiner = "&" if "?" in target else "?"
    response = page.goto(f"{target}{joiner}lang={lang}&version={version}")
    assert response is not None
    assert response.status == status
    screenshot(page, name)
    assert page_language(page) == lang
    assert page_version(page) == version
    expect(page.locator("main").locator(shows.format(number=registry_number)).first).to_be_visible()
    axe(page)


def test_a_wrong_iin_is_shown_beside_its_field_and_tied_to_it(page: Page) -> None:
    page.goto("/registry?iin_bin=12345&lang=ru")
    field = page.get_by_label("ИИН или БИН")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_value("12345")
    described = (field.get_attribute("aria-describedby") or "").split()
    assert "iin_bin-error" in described
    expect(page.locator("#iin_bin-error")).to_contain_text("12")
    expect(page.locator("table")).to_have_count(0)  # a wrong form searches nothing


def test_the_language_switch_is_clicked_and_remembered_across_pages(page: Page) -> None:
    page.goto("/")
    assert page_language(page) == "kk"  # a first visit is in the state language
    page.get_by_role("link", name="Русский").click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("navigation", name="Главное меню").get_by_role(
        "link", name="Государственный реестр"
    ).click()
    expect(page).to_have_url("/registry")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("button", name="Найти")).to_be_visible()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["kepil_lang"] == "ru"
    page.get_by_role("link", name="Қазақша").click()
    expect(page.locator("html")).to_have_attribute("lang", "kk")
    page.get_by_role("link", name="Қызмет туралы").first.click()
    expect(page).to_have_url("/service")
    expect(page.locator("html")).to_have_attribute("lang", "kk")


def test_the_version_for_the_visually_impaired_is_clicked_and_remembered(page: Page) -> None:
    page.goto("/?lang=ru")
    assert page_version(page) == "standard"
    standard_size = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    page.get_by_role("link", name="Версия для слабовидящих").click()
    expect(page.locator("body")).to_have_class("accessible")
    page.get_by_role("link", name="Об услуге").first.click()
    expect(page).to_have_url("/service")
    expect(page.locator("body")).to_have_class("accessible")
    larger = page.locator("body").evaluate("b => getComputedStyle(b).fontSize")
    assert float(larger.removesuffix("px")) > float(standard_size.removesuffix("px"))
    page.get_by_role("link", name="Обычная версия").click()
    expect(page.locator("body")).to_have_class("standard")
    page.goto("/registry")
    expect(page.locator("body")).to_have_class("standard")
    assert page_language(page) == "ru"


def test_without_javascript_the_registry_is_searched_and_an_entry_opened(
    scriptless_page: Page, registry_number: str
) -> None:
    page = scriptless_page
    page.goto("/registry?lang=ru")
    page.get_by_label("Наименование владельца или платформы").fill("Kepil Grain")
    page.get_by_role("button", name="Найти").click()
    expect(page).to_have_url("/registry?q=Kepil+Grain&iin_bin=&platform=&status=")
    page.get_by_role("link", name=registry_number).click()
    expect(page).to_have_url(f"/registry/{registry_number}")
    expect(page.locator("h1")).to_contain_text(registry_number)
    screenshot(page, "entry-without-javascript")


SMALLER_THAN_BODY = """() => {
    const body = parseFloat(getComputedStyle(document.body).fontSize);
    const small = [];
    const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    while (texts.nextNode()) {
        const text = texts.currentNode.textContent.trim();
        const element = texts.currentNode.parentElement;
        if (!text || element.closest('script, style')) continue;
        const size = parseFloat(getComputedStyle(element).fontSize);
        if (size < body) small.push(`${element.tagName} ${size}px: ${text.slice(0, 40)}`);
    }
    return {body, small};
}"""


@pytest.mark.parametrize(
    "address", ["/", "/service", "/registry?iin_bin=12345", "/registry/{number}", "/login"]
)
def test_the_accessible_version_has_no_text_smaller_than_its_large_body_type(
    page: Page, registry_number: str, address: str
) -> None:
    target = address.format(number=registry_number)
    joiner = "&" if "?" in target else "?"
    page.goto(f"{target}{joiner}version=accessible")
    found = page.evaluate(SMALLER_THAN_BODY)
    assert found["body"] >= 24
    assert found["small"] == []
