"""The filing form refuses bad input in the browser: a file of a type the service does not take
is refused before anything is sent, with words beside its input; a form wrong in every field
gets every problem beside its field, and the focus moves to the summary of problems."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, expect
from tests.browser.ncalayer import StandIn
from tests.browser.pages import axe, focus_style, screenshot, shows_focus
from tests.browser.story import pdf, sign_in_with_ncalayer, words

from kepil.entrypoints.web import filing_words

NEW = "/cabinet/applications/new"


def _posts(page: Page) -> list[str]:
    sent: list[str] = []

    def note(request: Request) -> None:
        if request.method == "POST":
            sent.append(request.url)

    page.on("request", note)
    return sent


def _problem_beside(page: Page, control_id: str) -> str:
    """The words placed beside the control and tied to it by aria-describedby."""
    control = page.locator(f"#{control_id}")
    expect(control).to_have_attribute("aria-invalid", "true")
    note = page.locator(f"#{control_id}-js-error")
    expect(note).to_be_visible()
    described = (control.get_attribute("aria-describedby") or "").split()
    assert f"{control_id}-js-error" in described, described
    return note.inner_text()


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_file_of_a_wrong_type_is_refused_before_upload_with_words_beside_it(
    page: Page, ncalayer: StandIn, tmp_path: Path, lang: str
) -> None:
    sign_in_with_ncalayer(page, lang)
    page.goto(NEW)
    text = tmp_path / "notes.txt"
    text.write_text("not a document the service takes")
    page.locator("#attachments-0-file").set_input_files(text)
    page.locator("#attachments-1-file").set_input_files(pdf(tmp_path / "letter.pdf", "letter"))
    posts = _posts(page)
    page.locator("button[data-sign]").click()
    said = _problem_beside(page, "attachments-0-file")
    assert words(lang)(filing_words.FILE_WRONG_TYPE) in said
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a[href='#attachments-0-file']")).to_be_visible()
    assert posts == [], f"sent before the file was refused: {posts}"
    expect(page.locator("#attachments-1-file-js-error")).to_have_count(0)
    screenshot(page, "filing-wrong-file-type")
    axe(page)


# Every control of the form that a wrong or missing value marks, in the order of the page.
WRONG_EVERYWHERE = [
    ("applicant_name", ""),
    ("iin_or_bin", "12345"),
    ("address", ""),
    ("phone", "12"),
    ("email", "no-at-sign"),
    ("platform_name", ""),
    ("purpose", ""),
    ("addresses-0-postal_code", "12"),
    ("addresses-0-city", ""),
    ("addresses-0-street", ""),
    ("addresses-0-building", ""),
]


@pytest.mark.parametrize(("lang", "version"), [("ru", "standard"), ("kk", "accessible")])
def test_a_form_wrong_everywhere_shows_each_problem_beside_its_field_and_focuses_the_summary(
    page: Page, ncalayer: StandIn, tmp_path: Path, lang: str, version: str
) -> None:
    sign_in_with_ncalayer(page, lang, version)
    page.goto(NEW)
    for control, value in WRONG_EVERYWHERE:
        page.locator(f"#{control}").fill(value)
    # A document chosen but not said what it is.
    page.locator("#attachments-0-file").set_input_files(pdf(tmp_path / "contract.pdf", "c"))
    posts = _posts(page)
    decisions = len(ncalayer.log().splitlines())
    page.locator("button[data-sign]").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    assert shows_focus(focus_style(page)), focus_style(page)
    expected = [control for control, _ in WRONG_EVERYWHERE] + ["attachments-0-kind"]
    said = {control: _problem_beside(page, control) for control in expected}
    assert said["attachments-0-kind"].endswith(words(lang)(filing_words.CHOOSE_KIND))
    # The summary links each problem to its field, in the order of the page.
    links = summary.locator("a")
    assert [
        href.removeprefix("#")
        for href in links.evaluate_all("links => links.map(l => l.getAttribute('href'))")
    ] == expected
    for control in expected:
        assert said[control].endswith(summary.locator(f"a[href='#{control}']").inner_text())
    # Checked, never signed: nothing went to NCALayer, nothing was filed.
    assert [url.rsplit("/", 1)[1] for url in posts] == ["prepare"]
    assert len(ncalayer.log().splitlines()) == decisions
    screenshot(page, "filing-wrong-everywhere")
    axe(page)
    # The first link takes the person to the field.
    links.first.click()
    expect(page.locator(f"#{expected[0]}")).to_be_focused()
