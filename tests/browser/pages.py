"""What the browser tests ask of a page: axe-core's verdict, a kept screenshot, focus styles."""

from __future__ import annotations

import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

# WCAG 2.1 level A and AA, the level the Rules' accessibility requirement is read against.
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
ARTIFACTS = Path(os.environ.get("KEPIL_ARTIFACTS") or Path(__file__).parent / "artifacts").resolve()


@cache
def _axe_source() -> str:
    # axe-core as the axe-playwright-python wheel ships it: installed from PyPI, never committed.
    return resources.files("axe_playwright_python").joinpath("axe.min.js").read_text("utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Run axe-core on the page as it stands, WCAG 2.1 A and AA rules only."""
    # Evaluated through the driver, not added as a <script>: the pages' Content-Security-Policy
    # (script-src 'self') rightly refuses inline script, and the tests must not turn it off.
    page.evaluate(_axe_source())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(AXE_TAGS),
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and per element: id, impact, where, and what to do."""
    lines = []
    for violation in violations:
        targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]]
        lines.append(
            f"{violation['id']} ({violation['impact']}): {violation['help']} "
            f"[{violation['helpUrl']}] at {'; '.join(targets)}"
        )
        lines.extend(f"    {node['failureSummary']}" for node in violation["nodes"])
    return "\n".join(lines)


def axe(page: Page) -> None:
    """Assert that axe-core finds no WCAG 2.1 AA violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe-core on {page.url}:\n{describe(violations)}"


def page_language(page: Page) -> str:
    """The page's `<html lang>`."""
    return str(page.locator("html").get_attribute("lang") or "")


def page_version(page: Page) -> str:
    """`accessible` or `standard`, as the page's body says; `none` for a page without one."""
    classes = str(page.locator("body").get_attribute("class") or "").split()
    found = [name for name in ("accessible", "standard") if name in classes]
    return found[0] if found else "none"


def screenshot(page: Page, name: str) -> Path:
    """A full-page PNG in the artefacts folder, named by `name`, the page's language and version."""
    # Script is off in some contexts, so read the page with locators, not page.evaluate.
    stem = f"{name}-{page_language(page) or 'nolang'}-{page_version(page)}"
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", stem) + ".png")
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True)
    return path


def focus_style(page: Page) -> dict[str, str]:
    """The outline and box shadow of the element that has the focus."""
    return dict(
        page.evaluate(
            """() => {
                const style = getComputedStyle(document.activeElement);
                return {outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                        outlineColor: style.outlineColor, boxShadow: style.boxShadow,
                        tag: document.activeElement.tagName.toLowerCase(),
                        id: document.activeElement.id,
                        className: String(document.activeElement.className)};
            }"""
        )
    )


def shows_focus(style: dict[str, str]) -> bool:
    """Whether an outline of at least 2px or a box shadow marks the element."""
    width = float(style["outlineWidth"].removesuffix("px") or 0)
    outlined = style["outlineStyle"] not in ("none", "hidden") and width >= 2
    return outlined or style["boxShadow"] not in ("", "none")


class Tour:
    """A person's walk through the pages: every page loaded must be checked with axe.

    `step(name)` runs axe on the page as it stands and keeps a screenshot; `done()` fails if a
    page loaded during the walk (a link followed, a form sent, a script's redirect) never was.
    """

    def __init__(self, page: Page, name: str, lang: str, version: str) -> None:
        self.page = page
        self.name = name
        self.lang = lang
        self.version = version
        self.loaded: list[str] = []
        self.audited: set[str] = set()
        self.shots: list[Path] = []
        page.on("load", lambda loaded: self.loaded.append(loaded.url))

    def step(self, name: str, *, check_preferences: bool = True) -> Path:
        """Axe and a screenshot of the page now; it must be in the walk's language and version."""
        self.page.wait_for_load_state()
        if check_preferences:
            shown = (page_language(self.page), page_version(self.page))
            assert shown == (self.lang, self.version), f"{self.page.url} is in {shown}"
        shot = screenshot(self.page, f"{self.name}-{len(self.shots) + 1:02d}-{name}")
        self.shots.append(shot)
        axe(self.page)
        self.audited.add(self.page.url)
        return shot

    def done(self) -> None:
        """Every page loaded on the walk was checked."""
        missed = [url for url in self.loaded if url not in self.audited]
        assert not missed, f"pages loaded but never checked with axe: {missed}"
