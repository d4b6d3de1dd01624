"""Read back what a kepil PDF carries: its attached files and the text of its pages."""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from typing import Any

from pypdf import PdfReader
from pypdf.errors import PyPdfError

from kepil.adapters.pdf.render import PARAMETERS_NAME

# Refuse a flood before parsing: a result document's PDF is some tens of kilobytes.
MAX_PDF_BYTES = 16 * 1024 * 1024


class UnreadablePdfError(ValueError):
    """The bytes are not a PDF kepil can read, or lack what a kepil PDF carries."""


@dataclass(frozen=True, slots=True)
class PdfParts:
    """The attached original, its CMS, the drawing's parameters and each page's text."""

    number: str
    content: bytes
    signature: bytes
    parameters: dict[str, Any]
    page_texts: tuple[str, ...]


def page_texts(pdf: bytes) -> tuple[str, ...]:
    """Each page's text as pypdf extracts it (the same extractor on both sides of a compare)."""
    return tuple(page.extract_text() for page in _reader(pdf).pages)


def read_parts(pdf: bytes) -> PdfParts:
    """The parts, or UnreadablePdfError saying which is missing."""
    reader = _reader(pdf)
    try:
        attachments = {name: datas[0] for name, datas in reader.attachments.items() if datas}
        texts = tuple(page.extract_text() for page in reader.pages)
    except (PyPdfError, ValueError, KeyError, TypeError) as error:
        raise UnreadablePdfError(f"the PDF cannot be read: {error}") from None
    originals = sorted(name for name in attachments if name.endswith(".json"))
    originals = [name for name in originals if name != PARAMETERS_NAME]
    if len(originals) != 1:
        raise UnreadablePdfError(
            f"expected one attached signed document (.json), found {len(originals)}"
        )
    number = originals[0].removesuffix(".json")
    signature = attachments.get(f"{number}.p7s")
    if signature is None:
        raise UnreadablePdfError(f"the signature {number}.p7s is not attached")
    raw_parameters = attachments.get(PARAMETERS_NAME)
    if raw_parameters is None:
        raise UnreadablePdfError(f"{PARAMETERS_NAME} is not attached")
    try:
        parameters = json.loads(raw_parameters)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UnreadablePdfError(f"{PARAMETERS_NAME} is not JSON") from None
    if not isinstance(parameters, dict) or not isinstance(parameters.get("check_url"), str):
        raise UnreadablePdfError(f"{PARAMETERS_NAME} names no check_url")
    return PdfParts(number, attachments[originals[0]], signature, parameters, texts)


def _reader(pdf: bytes) -> PdfReader:
    if len(pdf) > MAX_PDF_BYTES:
        raise UnreadablePdfError(f"larger than {MAX_PDF_BYTES} bytes")
    # pypdf logs repairs it makes to damaged files; the verdict says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return PdfReader(io.BytesIO(pdf), strict=False)
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as error:
        raise UnreadablePdfError(f"not a readable PDF: {error}") from None
