"""No page loads anything from outside the server (Issue 17 item 10): every address a page or
its stylesheets name is on the server itself, in both languages and both versions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from fastapi.testclient import TestClient
from tests.support.clock import MovableClock

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.entrypoints.api.app import create_app
from kepil.entrypoints.web.rendering import STATIC_DIR

NOW = datetime(2026, 12, 6, 6, 0, tzinfo=UTC)
ENTRY = RegistryEntry(
    "REG-2026-000001",
    "PRM-2026-000001",
    "APP-2026-000001",
    "ТОО «Кепіл Платформ»",
    "190640022316",
    "Kepil Chain",
    "Выпуск ОЦА",
    ("050000, г. Алматы, ул. Абая, 1",),
    date(2026, 1, 15),
    date(2029, 1, 15),
)
PAGES = [
    "/",
    "/service",
    "/login",
    "/registry",
    "/registry?q=%D0%BA%D0%B5%D0%BF%D1%96%D0%BB&status=suspended",
    "/registry?iin_bin=12",  # a form with a mistake
    f"/registry/{ENTRY.registry_number}",
    "/registry/REG-0000-000000",  # the "not found" page
]
ORIGIN = "http://testserver"
# Attributes whose address the browser fetches or sends to, and <a href>, which must stay here too.
ADDRESS_ATTRIBUTES = {"src", "href", "action", "formaction", "data", "poster", "background"}
# Links that open the person's phone or mail program, and load nothing.
NOT_LOADS = {"tel", "mailto"}
# A link a person follows to the state's own sites (where NCALayer and EDS keys come from)
# loads nothing on this page; any other outside address, link or not, is refused.
OFFICIAL_LINKS = {"https://pki.gov.kz", "https://egov.kz", "https://www.egov.kz"}
CSS_ADDRESS = re.compile(
    r"""url\(\s*(['"]?)(?P<url>[^'")]*)\1\s*\)|@import\s+(['"])(?P<import>[^'"]*)\3""",
    re.IGNORECASE,
)


class _Addresses(HTMLParser):
    """Every address an HTML page names: in attributes, srcset, meta refresh and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self.inline_css: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name in ADDRESS_ATTRIBUTES:
                self.found.append((f"<{tag} {name}>", value))
            elif name in {"srcset", "imagesrcset"}:
                self.found += [(f"<{tag} {name}>", c.split()[0]) for c in value.split(",") if c]
            elif name == "style":
                self.inline_css.append(value)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.found.append(("<meta refresh>", values.get("content", "").partition("=")[2]))
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.inline_css.append(data)


def _css_addresses(css: str) -> list[str]:
    return [m.group("url") or m.group("import") or "" for m in CSS_ADDRESS.finditer(css)]


def _outside(address: str, *, link: bool) -> bool:
    parts = urlsplit(urljoin(ORIGIN + "/", address.strip()))
    if link and parts.scheme in NOT_LOADS:
        return False
    if link and f"{parts.scheme}://{parts.netloc}" in OFFICIAL_LINKS:
        return False
    if parts.scheme == "data":
        return False  # inline bytes, fetched from nowhere
    return f"{parts.scheme}://{parts.netloc}" != ORIGIN


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    container = bootstrap(
        Settings(database_url=database_url, data_dir=tmp_path), clock=MovableClock(NOW)
    )
    with container.uow() as uow:
        uow.registry.add(ENTRY)
        suspended = ENTRY.change_status(RegistryStatus.SUSPENDED, "Тексеру", "head", NOW)
        uow.registry.save_status(suspended, suspended.history[-1])
        uow.commit()
    with TestClient(create_app(container), base_url=ORIGIN) as test_client:
        yield test_client


@pytest.mark.parametrize("version", ["standard", "accessible"])
@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_every_page_names_only_addresses_on_the_server_itself(
    client: TestClient, lang: str, version: str
) -> None:
    outside: list[str] = []
    stylesheets: set[str] = set()
    for page in PAGES:
        separator = "&" if "?" in page else "?"
        response = client.get(f"{page}{separator}lang={lang}&version={version}")
        assert response.status_code in {200, 404}, page
        parser = _Addresses()
        parser.feed(response.text)
        assert parser.found, f"{page} names no address at all: the parser missed them"
        for where, address in parser.found:
            if _outside(address, link=where.startswith("<a ")):
                outside.append(f"{page} {where}: {address}")
            if where == "<link href>":
                stylesheets.add(urljoin(ORIGIN + page, address))
        for css in parser.inline_css:
            outside += [
                f"{page} style: {a}" for a in _css_addresses(css) if _outside(a, link=False)
            ]
    assert outside == []
    assert stylesheets, "no page links a stylesheet: the parser missed them"
    for sheet in stylesheets:
        css = client.get(sheet)
        assert css.status_code == 200, sheet
        outside += [f"{sheet}: {a}" for a in _css_addresses(css.text) if _outside(a, link=False)]
    assert outside == []


def test_every_stylesheet_the_server_holds_names_only_its_own_addresses() -> None:
    sheets = sorted(STATIC_DIR.glob("*.css"))
    assert sheets
    for sheet in sheets:
        outside = [a for a in _css_addresses(sheet.read_text()) if _outside(a, link=False)]
        assert outside == [], sheet.name


@pytest.mark.parametrize(
    ("address", "outside"),
    [
        ("/static/site.css", False),
        ("site.css", False),
        ("http://testserver/registry", False),
        ("tel:1414", False),
        ("data:image/png;base64,AAAA", False),
        ("https://cdn.example.org/font.woff2", True),
        ("//fonts.example.org/css", True),
        ("mailto:info@example.org", False),
    ],
)
def test_the_check_tells_an_address_on_the_server_from_one_outside(
    address: str, outside: bool
) -> None:
    assert _outside(address, link=address.startswith(("tel:", "mailto:"))) is outside
    assert _css_addresses(f"a {{ background: url('{address}') }}") == [address]


def test_the_check_reads_addresses_in_every_place_a_page_can_name_them() -> None:
    parser = _Addresses()
    parser.feed(
        '<link rel="stylesheet" href="https://cdn.example.org/a.css">'
        '<img srcset="/a.png 1x, https://cdn.example.org/b.png 2x">'
        '<meta http-equiv="refresh" content="0; url=https://example.org/">'
        "<style>@import 'https://example.org/c.css';</style>"
        '<div style="background: url(//example.org/d.png)"></div>'
    )
    found = [address for _, address in parser.found]
    css = [a for style in parser.inline_css for a in _css_addresses(style)]
    assert [a for a in found + css if _outside(a, link=False)] == [
        "https://cdn.example.org/a.css",
        "https://cdn.example.org/b.png",
        "https://example.org/",
        "https://example.org/c.css",
        "//example.org/d.png",
    ]
