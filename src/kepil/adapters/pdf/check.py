"""Check a kepil PDF: the attached signature, the attached original, and the visible text.

The PDF is trusted for nothing: the signature is verified over the attached bytes against the
trust store, and the pages are drawn again from those bytes and compared, so an edited page, a
swapped attachment or a foreign signature is each refused with its own reason.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kepil.adapters.pdf.reading import PdfParts, page_texts, read_parts
from kepil.adapters.pdf.render import (
    DocumentUnreadableError,
    SealedDocument,
    check_url,
    drawing_tools,
    render_pdf,
)
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.errors import SigningError
from kepil.signing.revocation import RevocationChecker
from kepil.signing.trust import TrustStore


@dataclass(frozen=True, slots=True)
class Finding:
    """One reason the PDF is refused."""

    code: str
    detail: str


@dataclass(frozen=True, slots=True)
class PdfCheck:
    """The verdict on one PDF: valid only when nothing at all was found wrong."""

    number: str
    sha256: str
    signature: VerificationResult | None
    identical: bool
    findings: tuple[Finding, ...] = field(default=())
    warnings: tuple[str, ...] = field(default=())

    @property
    def valid(self) -> bool:
        """The signature holds and the pages are what the signed original draws."""
        return self.signature is not None and self.signature.valid and not self.findings

    def to_json(self) -> dict[str, Any]:
        """The `kepil doc verify` output."""
        return {
            "valid": self.valid,
            "number": self.number,
            "sha256": self.sha256,
            "identical_bytes": self.identical,
            "signature": self.signature.to_json() if self.signature else None,
            "findings": [{"code": f.code, "detail": f.detail} for f in self.findings],
            "warnings": list(self.warnings),
        }


def signing_moment(cms: bytes) -> datetime | None:
    """The signing time the CMS claims (the moment an archived signature is judged at)."""
    try:
        loaded = load_cms(cms)
    except SigningError:
        return None
    return loaded.signers[0].signing_time if loaded.signers else None


def check_pdf(
    pdf: bytes,
    trust_store: TrustStore,
    at: datetime,
    revocation: Sequence[RevocationChecker] = (),
) -> PdfCheck:
    """Verify the attached CMS over the attached original at `at`, then redraw and compare.

    UnreadablePdfError when the PDF lacks the parts a kepil PDF carries."""
    parts = read_parts(pdf)
    sha256 = hashlib.sha256(parts.content).hexdigest()
    result = verify_cms(
        parts.signature,
        trust_store=trust_store,
        at=at,
        data=parts.content,
        revocation=revocation,
    )
    findings = [Finding("signature_" + issue.code.value, issue.detail) for issue in result.errors]
    findings.extend(_number_findings(parts))
    identical, drawn = _redraw(parts, pdf, findings)
    warnings = []
    if not identical and drawn is not None:
        if page_texts(drawn) != parts.page_texts:
            findings.append(
                Finding(
                    "text_differs",
                    "the pages' text is not what the attached signed document draws "
                    f"(pages {_differing_pages(page_texts(drawn), parts.page_texts)})",
                )
            )
        elif _same_tools(parts):
            # Same tools, same text, other bytes: a drawing (the QR code), an annotation or an
            # added object was changed; the text alone would not show it.
            findings.append(
                Finding(
                    "drawing_differs",
                    "the text is as signed but the file is not what the same tools draw from "
                    "the attached document (the QR code or another drawing was changed)",
                )
            )
        else:
            warnings.append(
                "drawn by other tools than this kepil's "
                f"({_tools_named(parts)}); the text was compared, the drawings (QR code) not"
            )
    return PdfCheck(parts.number, sha256, result, identical, tuple(findings), tuple(warnings))


def _same_tools(parts: PdfParts) -> bool:
    return all(parts.parameters.get(key) == value for key, value in drawing_tools().items())


def _tools_named(parts: PdfParts) -> str:
    return ", ".join(f"{key} {parts.parameters.get(key, '?')}" for key in drawing_tools())


def _number_findings(parts: PdfParts) -> list[Finding]:
    try:
        body = json.loads(parts.content)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return [Finding("original_unreadable", "the attached document is not JSON")]
    if not isinstance(body, dict):
        return [Finding("original_unreadable", "the attached document is not a JSON object")]
    # Result documents carry their number; other signed acts are named by the file alone.
    number = body.get("number", parts.number)
    found = []
    if number != parts.number:
        found.append(
            Finding("number_mismatch", f"attached as {parts.number}, the document says {number}")
        )
    address = str(parts.parameters.get("check_url", ""))
    if not address.endswith(check_url("", parts.number)):
        found.append(Finding("check_url_mismatch", f"{address} does not check {parts.number}"))
    return found


def _redraw(parts: PdfParts, pdf: bytes, findings: list[Finding]) -> tuple[bool, bytes | None]:
    document = SealedDocument(parts.number, parts.content, parts.signature)
    try:
        drawn = render_pdf(document, str(parts.parameters["check_url"]))
    except DocumentUnreadableError as error:
        findings.append(Finding("original_unreadable", str(error)))
        return False, None
    return drawn == pdf, drawn


def _differing_pages(expected: tuple[str, ...], found: tuple[str, ...]) -> str:
    if len(expected) != len(found):
        return f"{len(found)} found, {len(expected)} expected"
    return ", ".join(
        str(i + 1) for i, (a, b) in enumerate(zip(expected, found, strict=True)) if a != b
    )
