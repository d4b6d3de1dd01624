"""Read back what a kepil PDF carries: its attached files and the text of its pages.

A kepil PDF is written once and never updated: exactly three attached files under distinct
names, a few pages, one cross-reference section. Anything else is refused here, before a byte
of page text is extracted, so a crafted upload costs a parse and not the CPU of a redraw.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from typing import Any, Final

from pypdf import PdfReader

from kepil.adapters.pdf.render import PARAMETERS_NAME

# Refuse a flood before parsing: a result document's PDF is some tens of kilobytes.
MAX_PDF_BYTES: Final = 16 * 1024 * 1024
# Two language versions of a long refusal fit in a few pages; more is not a kepil PDF.
MAX_PAGES: Final = 12
MAX_JSON_BYTES: Final = 256 * 1024
MAX_CMS_BYTES: Final = 64 * 1024
MAX_PARAMETERS_BYTES: Final = 4 * 1024


class UnreadablePdfError(ValueError):
    """The bytes are not a PDF kepil can read, or lack what a kepil PDF carries."""


@dataclass(frozen=True, slots=True)
class PdfParts:
    """The attached original, its CMS and the drawing's parameters."""

    number: str
    content: bytes
    signature: bytes
    parameters: dict[str, Any]


def page_texts(pdf: bytes) -> tuple[str, ...]:
    """Each page's text as pypdf extracts it (the same extractor on both sides of a compare)."""
    reader = _reader(pdf)
    try:
        _page_count(reader)
        return tuple(page.extract_text() for page in reader.pages)
    except UnreadablePdfError:
        raise
    except Exception as error:
        raise UnreadablePdfError(f"the pages cannot be read: {_named(error)}") from None


def read_parts(pdf: bytes) -> PdfParts:
    """The parts, or UnreadablePdfError saying what is missing, extra or too large."""
    _refuse_updates(pdf)
    reader = _reader(pdf)
    try:
        _page_count(reader)
        attachments = reader.attachments
        found = {name: list(datas) for name, datas in attachments.items()}
        # A damaged name string can come back as bytes (pypdf's ByteStringObject); names are
        # compared and sorted as text below, so such a file is refused here, not crashed on.
        if not all(isinstance(name, str) for name in found):
            raise UnreadablePdfError("an attached file's name is not text")
    except UnreadablePdfError:
        raise
    except Exception as error:
        raise UnreadablePdfError(f"the PDF cannot be read: {_named(error)}") from None
    return _parts(found)


def _parts(found: dict[str, list[bytes]]) -> PdfParts:
    twice = sorted(name for name, datas in found.items() if len(datas) != 1)
    if twice:
        raise UnreadablePdfError(f"attached more than once or empty: {', '.join(twice)}")
    originals = [n for n in sorted(found) if n.endswith(".json") and n != PARAMETERS_NAME]
    if len(originals) != 1:
        raise UnreadablePdfError(
            f"expected one attached signed document (.json), found {len(originals)}"
        )
    number = originals[0].removesuffix(".json")
    expected = {originals[0], f"{number}.p7s", PARAMETERS_NAME}
    missing, extra = sorted(expected - set(found)), sorted(set(found) - expected)
    if missing or extra:
        raise UnreadablePdfError(
            "a kepil PDF carries exactly the document, its signature and kepil-render.json; "
            f"missing: {', '.join(missing) or 'none'}; extra: {', '.join(extra) or 'none'}"
        )
    content, signature = found[originals[0]][0], found[f"{number}.p7s"][0]
    raw_parameters = found[PARAMETERS_NAME][0]
    for name, data, limit in (
        (originals[0], content, MAX_JSON_BYTES),
        (f"{number}.p7s", signature, MAX_CMS_BYTES),
        (PARAMETERS_NAME, raw_parameters, MAX_PARAMETERS_BYTES),
    ):
        if len(data) > limit:
            raise UnreadablePdfError(f"{name} is larger than {limit} bytes")
    try:
        parameters = json.loads(raw_parameters)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise UnreadablePdfError(f"{PARAMETERS_NAME} is not JSON") from None
    if not isinstance(parameters, dict) or not isinstance(parameters.get("check_url"), str):
        raise UnreadablePdfError(f"{PARAMETERS_NAME} names no check_url")
    return PdfParts(number, content, signature, parameters)


def _refuse_updates(pdf: bytes) -> None:
    # An incremental update appends objects that override the drawn ones while the original
    # bytes stay in front; kepil writes one body, one xref and one end-of-file marker.
    if pdf.count(b"%%EOF") > 1 or pdf.count(b"startxref") > 1:
        raise UnreadablePdfError("the PDF was updated after it was made (more than one %%EOF)")


def _page_count(reader: PdfReader) -> int:
    count = len(reader.pages)
    if count > MAX_PAGES:
        raise UnreadablePdfError(f"{count} pages; a kepil document has at most {MAX_PAGES}")
    return count


def _named(error: BaseException) -> str:
    return f"{type(error).__name__}: {str(error)[:200]}"


def _reader(pdf: bytes) -> PdfReader:
    if len(pdf) > MAX_PDF_BYTES:
        raise UnreadablePdfError(f"larger than {MAX_PDF_BYTES} bytes")
    # pypdf logs repairs it makes to damaged files; the verdict says what matters.
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        return PdfReader(io.BytesIO(pdf), strict=False)
    except Exception as error:
        raise UnreadablePdfError(f"not a readable PDF: {_named(error)}") from None
