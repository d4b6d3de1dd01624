"""Check a kepil PDF: the attached signature, who signed, the attached original, the pages.

The PDF is trusted for nothing. In this order, cheapest and most decisive first: the signature
is verified over the attached bytes against the trust store; its one signer must be the head
the document names (IIN) of the state body (BIN); on the server the attached document must be
the very one issued under that number (SHA-256); the check address must be this service's.
Only then are the pages drawn again from those bytes and compared byte for byte. A PDF that
other tools drew can only be compared by text, which proves too little: it is not valid.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from kepil.adapters.pdf.reading import PdfParts, UnreadablePdfError, page_texts, read_parts
from kepil.adapters.pdf.render import (
    DocumentUnreadableError,
    SealedDocument,
    act_case,
    act_check_url,
    check_shape,
    check_url,
    drawing_tools,
    is_result_document,
    render_pdf,
)
from kepil.services.permits.views.acts import act_name
from kepil.signing.cms_load import load_cms
from kepil.signing.cms_verify import VerificationResult, verify_cms
from kepil.signing.errors import SigningError
from kepil.signing.revocation import RevocationChecker
from kepil.signing.trust import TrustStore

STATUS_VALID: Final = "valid"
STATUS_INVALID: Final = "invalid"
STATUS_UNCONFIRMED: Final = "cannot confirm the drawing"
UNCONFIRMED_CODE: Final = "drawing_unconfirmed"
# The name of an act that names no case: what a document number may hold, nothing more.
ACT_NAME: Final = re.compile(r"[A-Z0-9][A-Z0-9-]*")
MAX_ACT_NAME: Final = 32


@dataclass(frozen=True, slots=True)
class Expectations:
    """What the PDF is held against besides the trust store.

    `issuer_bin`: the state body's BIN (KEPIL_PROVIDER_BIN, or `--ministry-bin`); `bases`: the
    public addresses a check address may start with; `issued_sha256`: on the server, the hash
    of the document issued under a number (None when none was); `issued_act`: on the server,
    whether a signed act with this SHA-256 was issued in this case (a §8 notice, a complaint
    decision: acts have no number)."""

    issuer_bin: str | None
    bases: tuple[str, ...]
    issued_sha256: Callable[[str], str | None] | None = None
    issued_act: Callable[[str, str], bool] | None = None


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
    # A signed act's case (it has no number; /check finds it by case and SHA-256), else "".
    case: str = ""

    @property
    def valid(self) -> bool:
        """The signature holds and the pages are what the signed original draws."""
        return self.signature is not None and self.signature.valid and not self.findings

    @property
    def status(self) -> str:
        """valid; invalid; or "cannot confirm the drawing" (all else held, other tools drew)."""
        if self.valid:
            return STATUS_VALID
        if [f.code for f in self.findings] == [UNCONFIRMED_CODE]:
            return STATUS_UNCONFIRMED
        return STATUS_INVALID

    def to_json(self) -> dict[str, Any]:
        """The `kepil doc verify` output."""
        return {
            "valid": self.valid,
            "status": self.status,
            "number": self.number,
            **({"case": self.case} if self.case else {}),
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
    expect: Expectations,
    revocation: Sequence[RevocationChecker] = (),
) -> PdfCheck:
    """Verify the signature, the signer and the issue first; redraw and compare only then.

    UnreadablePdfError when the PDF lacks the parts a kepil PDF carries (or has more), or
    its attached document is not a JSON object of the shape kepil draws."""
    parts = read_parts(pdf)
    body = _body(parts)
    sha256 = hashlib.sha256(parts.content).hexdigest()
    result = verify_cms(
        parts.signature,
        trust_store=trust_store,
        at=at,
        data=parts.content,
        revocation=revocation,
    )
    findings = [Finding("signature_" + issue.code.value, issue.detail) for issue in result.errors]
    findings.extend(_number_findings(parts, body, sha256, expect.bases))
    if result.valid:
        findings.extend(_signer_findings(result, body, expect))
    if not is_result_document(body) and (expect.issued_act or expect.issued_sha256):
        case = act_case(body)
        if expect.issued_act is None or not case or not expect.issued_act(case, sha256):
            findings.append(
                Finding(
                    "not_issued_here",
                    f"this service issued no act with this content in {case or 'any case'}",
                )
            )
    elif expect.issued_sha256 is not None:
        issued = expect.issued_sha256(parts.number)
        if issued != sha256:
            findings.append(
                Finding(
                    "not_issued_here",
                    f"no document {parts.number} with this content was issued by this service"
                    if issued is None
                    else f"the attached document is not the {parts.number} this service issued",
                )
            )
    warnings: tuple[str, ...] = ()
    if "document_type" not in body and "signer" not in body:
        warnings = ("the act names no signer: the certificate's IIN was not compared, its BIN was",)
    case = "" if is_result_document(body) else act_case(body)
    if findings or not result.valid:
        # Nothing is drawn for a PDF already refused: the redraw is the costly part.
        return PdfCheck(parts.number, sha256, result, False, tuple(findings), warnings, case)
    identical, drawn = _redraw(parts, pdf)
    if not identical:
        findings.append(_difference(parts, pdf, drawn))
    return PdfCheck(parts.number, sha256, result, identical, tuple(findings), warnings, case)


def _difference(parts: PdfParts, pdf: bytes, drawn: bytes) -> Finding:
    if not _same_tools(parts):
        # The unsigned kepil-render.json names the tools; whoever edits the PDF edits it too,
        # so other tools never earn a text-only "valid".
        return Finding(
            UNCONFIRMED_CODE,
            f"drawn by other tools than this kepil's ({_tools_named(parts)}): the pages cannot "
            "be redrawn byte for byte, so what they show is not confirmed; check the attached "
            "document itself (kepil eds verify) or redraw it with the same kepil version",
        )
    expected, found = page_texts(drawn), page_texts(pdf)
    if expected != found:
        return Finding(
            "text_differs",
            "the pages' text is not what the attached signed document draws "
            f"(pages {_differing_pages(expected, found)})",
        )
    # Same tools, same text, other bytes: a drawing (the QR code), an annotation or an added
    # object was changed; the text alone would not show it.
    return Finding(
        "drawing_differs",
        "the text is as signed but the file is not what the same tools draw from "
        "the attached document (the QR code or another drawing was changed)",
    )


def _signer_findings(
    result: VerificationResult, body: dict[str, Any], expect: Expectations
) -> list[Finding]:
    if len(result.signers) != 1 or result.signers[0].signer is None:
        return [Finding("signer_count", f"{len(result.signers)} signers; the head alone signs")]
    signer = result.signers[0].signer
    named = body.get("signer")
    iin = named.get("iin") if isinstance(named, dict) else None
    found = []
    # A §8 notice or complaint decision names no signer in its JSON (the act's record does):
    # only the state body's BIN can be required of it. A result document always names one.
    acts_unnamed = "document_type" not in body and "signer" not in body
    if not acts_unnamed and (not iin or signer.iin != iin):
        found.append(
            Finding(
                "signer_not_named",
                f"signed by IIN {signer.iin or 'none'}, the document names {iin or 'no one'}",
            )
        )
    if expect.issuer_bin is not None:
        if signer.bin != expect.issuer_bin:
            found.append(
                Finding(
                    "signer_not_of_state_body",
                    f"the signer's certificate names BIN {signer.bin or 'none'}, "
                    f"the state body's is {expect.issuer_bin}",
                )
            )
    elif expect.issued_sha256 is None:
        found.append(
            Finding(
                "state_body_unknown",
                "the state body's BIN was not given (--ministry-bin or KEPIL_PROVIDER_BIN), "
                "so who signed cannot be confirmed",
            )
        )
    return found


def _body(parts: PdfParts) -> dict[str, Any]:
    # A kepil PDF attaches a JSON object of the shape the drawing reads; anything else is not
    # one, refused before the signature is verified (a cheap parse spares a GOST check).
    try:
        body = json.loads(parts.content)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise UnreadablePdfError("the attached document is not JSON") from None
    if not isinstance(body, dict):
        raise UnreadablePdfError("the attached document is not a JSON object")
    try:
        check_shape(body)
    except DocumentUnreadableError as error:
        raise UnreadablePdfError(str(error)) from None
    return body


def _same_tools(parts: PdfParts) -> bool:
    return all(parts.parameters.get(key) == value for key, value in drawing_tools().items())


def _tools_named(parts: PdfParts) -> str:
    return ", ".join(f"{key} {parts.parameters.get(key, '?')}" for key in drawing_tools())


def _number_findings(
    parts: PdfParts, body: dict[str, Any], sha256: str, bases: Sequence[str]
) -> list[Finding]:
    found = []
    if is_result_document(body):
        number = body.get("number", parts.number)
        if number != parts.number:
            found.append(
                Finding(
                    "number_mismatch", f"attached as {parts.number}, the document says {number}"
                )
            )
    else:
        found.extend(_act_name_findings(parts.number, act_case(body), sha256))
    address = str(parts.parameters.get("check_url", ""))
    found.extend(
        _address_findings(parts.number, address, _accepted(parts.number, body, sha256, bases))
    )
    return found


def _act_name_findings(name: str, case: str, sha256: str) -> list[Finding]:
    """An act has no number: the name drawn on its pages is unsigned, so it must be the one
    the service gives it (its case and digest prefix), never free text posing as a verdict."""
    if case:
        expected = act_name(case, sha256)
        if name != expected:
            return [Finding("number_mismatch", f"attached as {name}, the act's name is {expected}")]
        return []
    if len(name) > MAX_ACT_NAME or not ACT_NAME.fullmatch(name):
        return [
            Finding(
                "number_mismatch",
                f"attached as {name!r}: an act's name has at most {MAX_ACT_NAME} Latin capitals, "
                "digits and hyphens",
            )
        ]
    return []


def _accepted(number: str, body: dict[str, Any], sha256: str, bases: Sequence[str]) -> set[str]:
    """The check addresses a PDF of this document may carry.

    A result document is checked at this service's /check by its number; a signed act by its
    case and the SHA-256 of its signed bytes; an act that names no case carries no address, so
    none can send a reader elsewhere."""
    if is_result_document(body):
        return {check_url(base, number) for base in bases}
    case = act_case(body)
    if not case:
        return {""}
    return {act_check_url(base, case, sha256) for base in bases}


def _address_findings(name: str, address: str, accepted: set[str]) -> list[Finding]:
    if address in accepted:
        return []
    return [
        Finding(
            "check_url_mismatch",
            f"{address or 'no address'} is not this service's check address for {name} "
            f"(accepted: {', '.join(sorted(accepted)) or 'none given'})",
        )
    ]


def _redraw(parts: PdfParts, pdf: bytes) -> tuple[bool, bytes]:
    document = SealedDocument(parts.number, parts.content, parts.signature)
    try:
        drawn = render_pdf(document, str(parts.parameters["check_url"]))
    except DocumentUnreadableError as error:
        # Signed by the head yet not drawable: still not a document PDF kepil can confirm.
        raise UnreadablePdfError(str(error)) from None
    return drawn == pdf, drawn


def _differing_pages(expected: tuple[str, ...], found: tuple[str, ...]) -> str:
    if len(expected) != len(found):
        return f"{len(found)} found, {len(expected)} expected"
    return ", ".join(
        str(i + 1) for i, (a, b) in enumerate(zip(expected, found, strict=True)) if a != b
    )
