"""What the applicant's story needs besides the pages: small real files, the words the pages
should say in each language, and moving through a form with the keyboard alone."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Locator, Page
from tests.browser.pages import focus_style, shows_focus

from kepil.entrypoints.web.i18n import Language, translator

# Each Tab stop is one step; the date field alone has four (day, month, year, its picker).
MAX_TABS = 8


def words(lang: str) -> Callable[[str], str]:
    """The catalogue's translation of an English msgid, as the pages show it in `lang`."""
    return translator(Language(lang)).gettext


def pdf(path: Path, text: str) -> Path:
    """A small, well-formed one-page PDF saying `text` (ASCII)."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, content in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n%s\nendobj\n" % (number, content)
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    body += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(body)
    return path


def png(path: Path, seed: int) -> Path:
    """A small, well-formed 8x8 greyscale PNG whose pixels depend on `seed`."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    rows = b"".join(b"\x00" + bytes((seed + x * y) % 256 for x in range(8)) for y in range(8))
    header = struct.pack(">IIBBBBB", 8, 8, 8, 0, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
    return path


def is_focused(control: Locator) -> bool:
    """Whether the control has the focus."""
    return bool(control.evaluate("e => e === document.activeElement"))


def tab_to(page: Page, control: Locator) -> None:
    """Press Tab until `control` has the focus, every stop on the way showing a focus ring."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        style = focus_style(page)
        assert shows_focus(style), f"no visible focus on {style}"
        if is_focused(control):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab did not reach {control}: {focus_style(page)}")


def sign_in_with_ncalayer(page: Page, lang: str, version: str = "standard") -> None:
    """Through /login as a person does: the button, NCALayer's signature, the cabinet."""
    page.goto(f"/login?lang={lang}&version={version}")
    page.locator("#sign-in button[type=submit]").click()
    page.wait_for_url("**/cabinet")
