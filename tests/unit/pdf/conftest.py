"""A Ministry with its own test PKI, its signed permit, and that permit drawn as a PDF."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from tests.support.ministry import Ministry
from tests.support.pdf_documents import CHECK_BASE, sealed_permit

from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf

POPPLER = ("pdftotext", "pdfdetach", "pdftoppm", "pdffonts")


def _require_poppler() -> None:
    missing = [tool for tool in POPPLER if shutil.which(tool) is None]
    if not missing:
        return
    message = (
        f"poppler-utils is not installed ({', '.join(missing)}): apt-get install poppler-utils"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def ministry() -> Ministry:
    """A Ministry official's signing key under a fresh test PKI."""
    return Ministry.create()


@pytest.fixture(scope="module")
def sealed(ministry: Ministry) -> SealedDocument:
    """The Kazakh holder's permit, signed."""
    return sealed_permit(ministry)


@pytest.fixture(scope="module")
def permit_pdf(sealed: SealedDocument) -> bytes:
    """The signed permit drawn as a PDF."""
    return render_pdf(sealed, check_url(CHECK_BASE, sealed.number))


@pytest.fixture
def poppler() -> None:
    """poppler-utils on the PATH: skipped without it, failed under CI (.ci/run installs it)."""
    _require_poppler()


@pytest.fixture
def pdf_path(permit_pdf: bytes, tmp_path: Path, poppler: None) -> Path:
    """The PDF as a file, for poppler's tools."""
    path = tmp_path / "permit.pdf"
    path.write_bytes(permit_pdf)
    return path
