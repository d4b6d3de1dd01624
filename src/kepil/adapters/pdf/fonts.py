"""The one typeface the PDFs use: Source Sans Pro, shipped on PyPI as font-source-sans-pro.

It holds every letter of the Kazakh Cyrillic alphabet (ә ғ қ ң ө ұ ү һ і and their capitals),
is under the SIL Open Font License (embedding allowed) and installs with kepil itself, so a
fresh machine needs no system font package (docs/documents-pdf.md says why not DejaVu).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Final

FONT_PACKAGE: Final = "font_source_sans_pro"
FAMILY: Final = "SourceSansPro"
_FILES: Final = {"": "SourceSansPro-Regular.ttf", "B": "SourceSansPro-Bold.ttf"}


class FontMissingError(RuntimeError):
    """The PDF typeface is not installed; the PDF cannot be made (the rest of kepil runs)."""


@dataclass(frozen=True, slots=True)
class FontFiles:
    """The TrueType files of the regular and bold faces."""

    regular: Path
    bold: Path


def font_files() -> FontFiles:
    """Where the faces are, or FontMissingError naming the package to install."""
    spec = importlib.util.find_spec(FONT_PACKAGE)
    origin = spec.origin if spec is not None else None
    if origin is None:
        raise FontMissingError(
            f"the PDF font package is not installed: pip install font-source-sans-pro "
            f"(Python package {FONT_PACKAGE})"
        )
    folder = Path(origin).parent / "files"
    found = FontFiles(folder / _FILES[""], folder / _FILES["B"])
    for path in (found.regular, found.bold):
        if not path.is_file():
            raise FontMissingError(f"the PDF font file {path} is missing; reinstall the package")
    return found
