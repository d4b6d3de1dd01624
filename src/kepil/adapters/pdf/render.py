"""Draw a signed result document as an A4 PDF/A-3b: a Kazakh page, a Russian page, the form.

Each language version is laid out as App.3/App.4 draw the form (the state body's name and
requisites in both languages at the top, the number and dates on the left, the recipient on the
right, the title, the body, the signer) and ends with the signature card and a QR code to the
public check page. The signed JSON and the head's CMS ride along as PDF/A-3 associated files.
Everything is drawn from those bytes and the check address alone, so the same inputs give the
same PDF bytes, and `kepil doc verify` can draw it again and compare.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import cache
from html import escape
from importlib import metadata
from typing import Any, Final
from urllib.parse import quote

import segno
from fpdf import FPDF, FPDF_VERSION
from fpdf.enums import XPos, YPos

from kepil.adapters.pdf import words
from kepil.adapters.pdf.fonts import FAMILY, font_files
from kepil.adapters.pdf.seal import Seal, read_seal
from kepil.domain.permits.documents import PROVIDER_NAME_KK, PROVIDER_NAME_RU
from kepil.domain.permits.grounds import RefusalGround

# Bumped when the drawing changes: a PDF is compared byte for byte only with its own version.
RENDERER: Final = "kepil-pdf/2"
PARAMETERS_NAME: Final = "kepil-render.json"
_ALMATY: Final = timezone(timedelta(hours=5))
_MARGIN: Final = 18.0
_LINE: Final = 5.0
_SMALL: Final = 4.2
_QR_SIZE: Final = 34.0
_DESC_JSON: Final = "Қол қойылған құжат / Подписанный документ (canonical JSON, RFC 8785)"
_DESC_CMS: Final = "Басшының ЭЦҚ / ЭЦП руководителя (CMS over the .json)"


class DocumentUnreadableError(ValueError):
    """The signed bytes are not a JSON object; nothing can be drawn from them."""


@dataclass(frozen=True, slots=True)
class SealedDocument:
    """A result document as issued: its number, the signed bytes and the head's CMS."""

    number: str
    content: bytes
    signature: bytes


def check_url(base_url: str, number: str) -> str:
    """The public check page's address for one document (what the QR code holds)."""
    return f"{base_url.rstrip('/')}/check?number={quote(number, safe='-')}"


def act_check_url(base_url: str, case: str, sha256: str) -> str:
    """The check address of a signed act with no public number (a §8 notice, a complaint
    decision): its case and the SHA-256 of its signed bytes, which only its holder knows."""
    return f"{base_url.rstrip('/')}/check?act={sha256}&case={quote(case, safe='-')}"


# The key of the case an act names in its signed bytes, in the order they are looked for.
ACT_CASE_KEYS: Final = ("application_number", "complaint_number")
# A step on a complaint lives in the complaint's history, even when its bytes also name the
# application: its case is the complaint (as the service files and addresses it).
COMPLAINT_STEPS: Final = frozenset({"satisfy", "forward", "uphold", "reject"})


def act_case(body: dict[str, Any]) -> str:
    """The case a signed act names (an application's or a complaint's number), or ""."""
    keys = ACT_CASE_KEYS[::-1] if body.get("action") in COMPLAINT_STEPS else ACT_CASE_KEYS
    for key in keys:
        value = body.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def is_result_document(body: dict[str, Any]) -> bool:
    """A numbered result document (permit, refusal, §6 notice), not another signed act."""
    return "document_type" in body


def attachment_names(number: str) -> tuple[str, str]:
    """The file names of the signed JSON and of its CMS inside the PDF."""
    return f"{number}.json", f"{number}.p7s"


def render_pdf(document: SealedDocument, check_address: str) -> bytes:
    """The PDF/A-3b bytes; FontMissingError when the typeface is not installed.

    An empty `check_address` draws no QR code (an act drawn offline without its case), and the
    card says to check it with `kepil doc verify`."""
    try:
        body = json.loads(document.content)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DocumentUnreadableError(f"the signed document is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise DocumentUnreadableError("the signed document is not a JSON object")
    check_shape(body)
    seal = read_seal(document.content, document.signature)
    moment = _fixed_moment(body, seal)
    pdf = _Pdf(hashlib.sha256(document.content).hexdigest()[:32].upper())
    faces = font_files()
    pdf.add_font(FAMILY, "", str(faces.regular))
    pdf.add_font(FAMILY, "B", str(faces.bold))
    pdf.set_creation_date(moment)
    pdf.set_lang("kk-KZ")
    pdf.set_title(f"{document.number} — {words.title(body, 'ru')}")
    pdf.set_xmp_metadata(_xmp(document.number, words.title(body, "ru"), moment))
    _attach(pdf, document, check_address, moment)
    try:
        for language in words.LANGUAGES:
            _Page(pdf, body, language, seal, document, check_address).draw()
    except (AttributeError, TypeError, KeyError, IndexError) as error:
        # check_shape refuses the shapes known to break the drawing; this is the backstop
        # for one it missed, so that a crafted document is refused and never a crash.
        raise DocumentUnreadableError(f"the signed document cannot be drawn: {error}") from None
    return bytes(pdf.output())


def drawing_tools() -> dict[str, str]:
    """The versions the bytes depend on: with all of them equal, a redrawing is byte-equal."""
    return dict(_tool_versions())


@cache
def _tool_versions() -> tuple[tuple[str, str], ...]:
    # fontTools subsets the faces and zlib compresses the streams, segno lays the QR code out
    # and the font files give the glyphs: each shapes the bytes.
    faces = font_files()
    return (
        ("renderer", RENDERER),
        ("fpdf2", FPDF_VERSION),
        ("fonttools", metadata.version("fonttools")),
        ("segno", metadata.version("segno")),
        ("zlib", zlib.ZLIB_RUNTIME_VERSION),
        ("font_regular_sha256", hashlib.sha256(faces.regular.read_bytes()).hexdigest()),
        ("font_bold_sha256", hashlib.sha256(faces.bold.read_bytes()).hexdigest()),
    )


# The JSON types the drawing reads each key as; a signed document of kepil always has them.
_SHAPE: Final[dict[str, type | tuple[type, ...]]] = {
    "document_type": str,
    "number": str,
    "title": str,
    "titles": dict,
    "headings": dict,
    "provider": dict,
    "recipient": dict,
    "signer": dict,
    "wording": dict,
    "legal_basis": (str, dict),
    "opening": (str, dict),
    "activity_addresses": list,
    "ground_clearances": list,
    "grounds": list,
    "problems": list,
}


def check_shape(body: dict[str, Any]) -> None:
    """DocumentUnreadableError when a key the drawing reads holds another JSON type.

    Only a document signed by the head is ever drawn for a person, but the check page draws
    whatever a PDF carries: a wrong type is refused with its name, never a crash."""
    for key, kinds in _SHAPE.items():
        value = body.get(key)
        if (
            key in body
            and not isinstance(value, kinds)
            and not (value is None and str in _kinds(kinds))
        ):
            raise DocumentUnreadableError(f"the signed document's {key!r} has the wrong type")
    for key, drawn in _DRAWN_VALUES.items():
        for inner in drawn or body.get(key, {}):
            if not isinstance(body.get(key, {}).get(inner), _SCALARS):
                raise DocumentUnreadableError(f"the signed document's {key}.{inner} is not text")
    for key in ("headings", "wording"):
        for inner, value in body.get(key, {}).items():
            if not isinstance(value, (*_SCALARS, dict)):
                raise DocumentUnreadableError(f"the signed document's {key}.{inner} is not text")
    for key, items in (
        ("activity_addresses", (dict, str)),
        ("ground_clearances", dict),
        ("grounds", (dict, int, str)),
        ("problems", dict),
    ):
        if any(not isinstance(item, items) for item in body.get(key, [])):
            raise DocumentUnreadableError(f"an item of the signed document's {key!r} is not one")
    for clearance in body.get("ground_clearances", []):
        if not isinstance(clearance.get("examiner", {}), dict):
            raise DocumentUnreadableError("a ground clearance's examiner is not an object")


_SCALARS: Final = (str, int, float, bool, type(None))
# The values the drawing prints as text (an empty tuple: every value of that object).
_DRAWN_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "titles": (),
    "provider": ("name_kk", "name_ru", "requisites_kk", "requisites_ru"),
    "recipient": ("name", "iin_or_bin", "address", "phone", "email"),
    "signer": ("position", "name", "iin", "position_kk"),
}


def _kinds(kinds: type | tuple[type, ...]) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def render_parameters(check_address: str) -> bytes:
    """The unsigned third attachment: what besides the signed bytes the drawing used."""
    values = {"check_url": check_address, **drawing_tools()}
    return json.dumps(values, ensure_ascii=False, sort_keys=True).encode()


class _Pdf(FPDF):
    """fpdf2 with a file identifier fixed by the document, so the bytes repeat."""

    def __init__(self, identifier: str) -> None:
        super().__init__(orientation="P", unit="mm", format="A4", enforce_compliance="PDFA_3B")
        self._identifier = identifier
        self._widths: dict[tuple[str, str, float, str], float] = {}
        self.set_margins(_MARGIN, _MARGIN, _MARGIN)
        self.set_auto_page_break(auto=True, margin=_MARGIN)
        self.set_producer(RENDERER)
        self.set_creator(RENDERER)

    def file_id(self) -> str:
        """The PDF /ID: the signed document's SHA-256 prefix, twice."""
        return f"<{self._identifier}><{self._identifier}>"

    def wrap(self, width: float, height: float, text: str, align: str = "L") -> None:
        """Text broken into lines at spaces, from the current x; width 0 runs to the margin.

        fpdf2's multi_cell measures a line again for every character it adds (quadratic in
        the line's length, most of a permit's drawing time); words are measured once here."""
        left = self.get_x()
        if width == 0:
            width = self.w - self.r_margin - left
        for line in self._lines(text, width - 2 * self.c_margin):
            self.set_x(left)
            self.cell(width, height, line, align=align, new_x=XPos.LEFT, new_y=YPos.NEXT)
        self.set_x(left)

    def _width(self, text: str) -> float:
        # Words repeat (labels on both pages, the headings); each is measured once per face.
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        found = self._widths.get(key)
        if found is None:
            found = self._widths[key] = self.get_string_width(text)
        return found

    def _lines(self, text: str, room: float) -> list[str]:
        lines: list[str] = []
        space = self._width(" ")
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                for piece in self._pieces(word, room):
                    size = self._width(piece)
                    if line and used + space + size > room:
                        lines.append(line)
                        line, used = piece, size
                    else:
                        line, used = (
                            (f"{line} {piece}", used + space + size)
                            if line
                            else (
                                piece,
                                size,
                            )
                        )
            lines.append(line)
        return lines

    def _pieces(self, word: str, room: float) -> list[str]:
        # A word wider than the line (a long address, a hash) is cut where it must be.
        if self._width(word) <= room:
            return [word]
        pieces, piece = [], ""
        for char in word:
            if piece and self.get_string_width(piece + char) > room:
                pieces.append(piece)
                piece = ""
            piece += char
        return [*pieces, piece]

    def footer(self) -> None:
        """The document number and the page on every page."""
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.set_text_color(90, 90, 90)
        self.cell(0, 4, f"{self.title_text}  ·  {self.page_no()}", align="C")
        self.set_text_color(0, 0, 0)

    title_text: str = ""


def _fixed_moment(body: dict[str, Any], seal: Seal) -> datetime:
    # The signing moment the CMS states, else the issue day's midnight in Almaty: never "now".
    if seal.signed_at is not None:
        return seal.signed_at.astimezone(UTC)
    try:
        issued = date.fromisoformat(str(body.get("issue_date", ""))[:10])
    except ValueError:
        issued = date(2000, 1, 1)
    return datetime.combine(issued, time(0, 0), _ALMATY).astimezone(UTC)


def _xmp(number: str, title_ru: str, moment: datetime) -> str:
    stamp = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return "\n".join(
        [
            '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="kepil">',
            '  <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">',
            '    <rdf:Description rdf:about=""',
            '        xmlns:dc="http://purl.org/dc/elements/1.1/"',
            '        xmlns:xmp="http://ns.adobe.com/xap/1.0/"',
            '        xmlns:pdf="http://ns.adobe.com/pdf/1.3/"',
            '        xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/"',
            f'        xmp:CreatorTool="{RENDERER}"',
            f'        xmp:CreateDate="{stamp}"',
            f'        xmp:ModifyDate="{stamp}"',
            f'        xmp:MetadataDate="{stamp}"',
            f'        pdf:Producer="{RENDERER}">',
            "      <pdfaid:part>3</pdfaid:part>",
            "      <pdfaid:conformance>B</pdfaid:conformance>",
            "      <dc:title><rdf:Alt>",
            f'        <rdf:li xml:lang="x-default">{escape(number)} — {escape(title_ru)}</rdf:li>',
            "      </rdf:Alt></dc:title>",
            "      <dc:identifier>" + escape(number) + "</dc:identifier>",
            "    </rdf:Description>",
            "  </rdf:RDF>",
            "</x:xmpmeta>",
        ]
    )


def _attach(pdf: FPDF, document: SealedDocument, address: str, moment: datetime) -> None:
    json_name, cms_name = attachment_names(document.number)
    # "Source": the PDF is drawn from this JSON; the CMS and parameters "Supplement" it.
    files = (
        (json_name, document.content, "application/json", "Source", _DESC_JSON),
        (cms_name, document.signature, "application/pkcs7-signature", "Supplement", _DESC_CMS),
        (PARAMETERS_NAME, render_parameters(address), "application/json", "Supplement", ""),
    )
    for name, data, mime, relationship, description in files:
        pdf.embed_file(
            bytes=data,
            basename=name,
            modification_date=moment,
            creation_date=moment,
            mime_type=mime,
            associated_file_relationship=relationship,
            desc=description or "how kepil drew this PDF (unsigned)",
            compress=True,
        )


class _Page:
    """One language version of the document: the form, then the signature card."""

    def __init__(
        self,
        pdf: _Pdf,
        body: dict[str, Any],
        language: str,
        seal: Seal,
        document: SealedDocument,
        address: str,
    ) -> None:
        self.pdf, self.body, self.language = pdf, body, language
        self.seal, self.document, self.address = seal, document, address

    def draw(self) -> None:
        """Lay the whole version out from a fresh page."""
        self.pdf.add_page()
        # Set after add_page: the previous page's footer is drawn inside add_page.
        self.pdf.title_text = f"{self.document.number} · {words.label('version_of', self.language)}"
        self._header()
        self._requisites_row()
        self._title()
        kind = self.body.get("document_type")
        if kind == "permit":
            self._permit()
        elif kind == "motivated_refusal":
            self._refusal()
        elif kind == "refusal_of_further_consideration":
            self._further_consideration()
        else:
            self._generic()
        self._signer()
        self._card()

    # -- the form's parts --------------------------------------------------------------

    def _text(self, size: float = 10, style: str = "") -> None:
        self.pdf.set_font(FAMILY, style, size)

    def _header(self) -> None:
        # A signed act other than a result document names no body: the Ministry's is shown.
        provider = self.body.get("provider") or {
            "name_kk": PROVIDER_NAME_KK,
            "name_ru": PROVIDER_NAME_RU,
        }
        half = (self.pdf.epw - 8) / 2
        top = self.pdf.get_y()
        bottoms = []
        for column, lang in enumerate(("kk", "ru")):
            x = _MARGIN + column * (half + 8)
            self.pdf.set_xy(x, top)
            self._text(10, "B")
            name = provider.get(f"name_{lang}", "")
            self.pdf.wrap(half, _LINE, name, align="C")
            self._text(7.5)
            self.pdf.set_x(x)
            self.pdf.wrap(
                half, 3.5, f"({words.heading(self.body, 'provider_name', lang)})", align="C"
            )
            self.pdf.set_x(x)
            self._text(9)
            self.pdf.wrap(half, _SMALL, self._requisites(provider, lang), align="C")
            self._text(7.5)
            self.pdf.set_x(x)
            caption = f"({words.heading(self.body, 'provider_requisites', lang)})"
            self.pdf.wrap(half, 3.5, caption, align="C")
            bottoms.append(self.pdf.get_y())
        self.pdf.set_y(max(bottoms) + 2)
        self.pdf.line(_MARGIN, self.pdf.get_y(), _MARGIN + self.pdf.epw, self.pdf.get_y())
        self.pdf.ln(3)

    def _requisites(self, provider: dict[str, Any], lang: str) -> str:
        line = provider.get(f"requisites_{lang}", "")
        if line:
            return str(line)
        return f"— {words.label('not_configured', lang)} —"

    def _requisites_row(self) -> None:
        lang, body = self.language, self.body
        half = (self.pdf.epw - 8) / 2
        top = self.pdf.get_y()
        rows = [
            (words.heading(body, "number", lang), str(body.get("number") or self.document.number)),
            (
                words.heading(body, "application_number", lang),
                str(body.get("application_number", "")),
            ),
            (words.heading(body, "issue_date", lang), words.day(body.get("issue_date"))),
        ]
        for caption, value in rows:
            self.pdf.set_x(_MARGIN)
            self._text(10)
            self.pdf.wrap(half, _LINE, f"{caption}: {value}")
        left_bottom = self.pdf.get_y()
        recipient = body.get("recipient", {})
        right = _MARGIN + half + 8
        self.pdf.set_xy(right, top)
        self._text(10, "B")
        self.pdf.wrap(half, _LINE, str(recipient.get("name", "")))
        self._small_caption(right, half, words.heading(body, "recipient_name", lang))
        details = "; ".join(
            str(value)
            for value in (
                recipient.get("iin_or_bin"),
                recipient.get("address"),
                recipient.get("phone"),
                recipient.get("email"),
            )
            if value
        )
        self.pdf.set_x(right)
        self._text(9)
        self.pdf.wrap(half, _SMALL, details, align="L")
        self._small_caption(right, half, words.heading(body, "recipient_requisites", lang))
        self.pdf.set_y(max(left_bottom, self.pdf.get_y()) + 4)

    def _small_caption(self, x: float, width: float, caption: str) -> None:
        self.pdf.set_x(x)
        self._text(7.5)
        self.pdf.wrap(width, 3.5, f"({caption})")

    def _title(self) -> None:
        self._text(12, "B")
        self.pdf.wrap(0, 6, words.title(self.body, self.language), align="C")
        self.pdf.ln(3)

    def _paragraph(self, text: str, size: float = 10, style: str = "") -> None:
        if not text:
            return
        self._text(size, style)
        self.pdf.set_x(_MARGIN)
        self.pdf.wrap(0, _LINE, text, align="L")
        self.pdf.ln(1.5)

    def _field(self, key: str, value: str) -> None:
        if not value:
            return
        self.pdf.set_x(_MARGIN)
        self._text(10, "B")
        self.pdf.wrap(0, _LINE, f"{words.heading(self.body, key, self.language)}:")
        self._paragraph(value)

    def _permit(self) -> None:
        body, lang = self.body, self.language
        provider = body.get("provider", {})
        self._paragraph(str(provider.get(f"name_{lang}", "")), 10, "B")
        self._paragraph(words.pick(body, "legal_basis", lang))
        self._field("platform_name", str(body.get("platform_name", "")))
        self._field("purpose", str(body.get("purpose", "")))
        addresses = [_address(a) for a in body.get("activity_addresses", [])]
        self._field("activity_addresses", "\n".join(a for a in addresses if a))
        wording = body.get("wording", {})
        special = words.pick(wording, "special_conditions", lang) or str(
            body.get("special_conditions", "")
        )
        self._field("special_conditions", special)
        validity = words.label("from_to", lang).format(
            start=words.day(body.get("valid_from")), end=words.day(body.get("valid_until"))
        )
        self._field("validity", validity)
        note = words.pick(wording, "note", lang) or str(body.get("note", ""))
        self._field("note", note)
        clearances = body.get("ground_clearances") or []
        if clearances:
            lines = [_clearance(c, lang) for c in clearances if isinstance(c, dict)]
            self._field("clearances", "\n".join(lines))

    def _refusal(self) -> None:
        body, lang = self.body, self.language
        self._paragraph(words.pick(body, "opening", lang, self._opening_fallback()))
        grounds = [
            f"{g.get('number', '')}. {_ground_text(g, lang)}".strip()
            for g in body.get("grounds", [])
            if isinstance(g, dict)
        ]
        self._field("grounds", "\n".join(grounds))
        self._field("motivation", str(body.get("motivation", "")))

    def _opening_fallback(self) -> str:
        # Older refusals lack App.4's opening; what they hold is said plainly instead.
        body = self.body
        return (
            f"{words.heading(body, 'application_number', self.language)}: "
            f"{body.get('application_number', '')}, "
            f"{words.label('application_date', self.language)}: "
            f"{words.day(body.get('application_date'))}"
        )

    def _further_consideration(self) -> None:
        body = self.body
        self._paragraph(self._opening_fallback())
        problems = [
            words.problem(problem, self.language)
            for problem in body.get("problems", [])
            if isinstance(problem, dict)
        ]
        self._field("problems", "\n".join(f"– {p}" for p in problems if p))

    def _generic(self) -> None:
        # Any other signed act (a §8 notice, a complaint decision): its fields as signed, the
        # known ones under their names in the language, the rest under their own keys.
        skip = {"document_type", "title", "titles", "headings", "provider", "recipient",
                "signer", "number", "application_number", "issue_date", "wording_sources",
                "action"}  # fmt: skip
        known = [key for key in words.ACT_FIELDS if key in self.body and key not in skip]
        for key in known + sorted(set(self.body) - skip - set(words.ACT_FIELDS)):
            value = self.body[key]
            if key == "hearing_at" and isinstance(value, str):
                text = _moment_text(value)
            elif key == "grounds" and isinstance(value, list):
                text = "\n".join(_ground(g, self.language) for g in value)
            elif isinstance(value, str):
                text = value
            else:
                text = json.dumps(value, ensure_ascii=False)
            caption = words.ACT_FIELDS.get(key, {}).get(self.language, key)
            self.pdf.set_x(_MARGIN)
            self._text(10, "B")
            self.pdf.wrap(0, _LINE, f"{caption}:")
            self._paragraph(text)

    def _signer(self) -> None:
        signer = self.body.get("signer", {})
        self.pdf.ln(2)
        self._text(10)
        half = self.pdf.epw / 2
        top = self.pdf.get_y()
        self.pdf.set_x(_MARGIN)
        self.pdf.wrap(half, _LINE, words.in_language(signer, "position", self.language))
        left = self.pdf.get_y()
        self.pdf.set_xy(_MARGIN + half, top)
        self._text(10, "B")
        self.pdf.wrap(half, _LINE, str(signer.get("name", "")), align="R")
        self.pdf.set_x(_MARGIN + half)
        self._text(7.5)
        self.pdf.wrap(half, 3.5, f"({words.label('eds', self.language)})", align="R")
        self.pdf.set_y(max(left, self.pdf.get_y()) + 4)

    def _card(self) -> None:
        lang, seal = self.language, self.seal
        least = _QR_SIZE + 8
        # The card and its QR stay together on one page, after the signer.
        if self.pdf.get_y() + least + 8 > self.pdf.h - _MARGIN - 6:
            self.pdf.add_page()
        top = self.pdf.get_y()
        text_width = self.pdf.epw - _QR_SIZE - 10
        self.pdf.set_xy(_MARGIN + 3, top + 2)
        self._text(10, "B")
        self.pdf.cell(
            text_width, _LINE, words.label("card", lang), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        signer = self.body.get("signer", {})
        validity = ""
        if seal.not_before is not None and seal.not_after is not None:
            validity = words.label("from_to", lang).format(
                start=words.moment(seal.not_before), end=words.moment(seal.not_after)
            )
        signed = words.moment(seal.signed_at) if seal.signed_at else "—"
        source = words.label(f"source_{seal.moment_source}", lang)
        json_name, cms_name = attachment_names(self.document.number)
        rows = [
            ("card_signer", seal.signer_name or str(signer.get("name", ""))),
            ("card_position", words.in_language(signer, "position", lang)),
            ("card_serial", seal.certificate_serial or "—"),
            ("card_validity", validity or "—"),
            ("card_moment", f"{signed} ({source})"),
            ("card_sha256", seal.sha256),
            ("card_files", f"{json_name}, {cms_name}"),
            ("card_check", self.address or words.label("check_offline", lang)),
        ]
        for key, value in rows:
            self.pdf.set_x(_MARGIN + 3)
            self._text(8)
            self.pdf.wrap(text_width, 3.9, f"{words.label(key, lang)}: {value}")
        height = max(self.pdf.get_y() - top + 2, least)
        self.pdf.set_draw_color(60, 60, 60)
        self.pdf.rect(_MARGIN, top, self.pdf.epw, height)
        if self.address:
            _qr(self.pdf, self.address, _MARGIN + self.pdf.epw - _QR_SIZE - 4, top + 4)
        self.pdf.set_y(top + height + 2)


def _qr(pdf: FPDF, data: str, x: float, y: float) -> None:
    # Drawn as vector squares, one rectangle per run of dark modules: sharp at any zoom and
    # free of image encoders whose output could vary.
    code = segno.make(data, error="m", micro=False)
    matrix = [list(row) for row in code.matrix_iter(scale=1, border=2)]
    module = _QR_SIZE / len(matrix)
    pdf.set_fill_color(0, 0, 0)
    for row_index, row in enumerate(matrix):
        start = None
        for column, dark in enumerate([*row, 0]):
            if dark and start is None:
                start = column
            elif not dark and start is not None:
                pdf.rect(
                    x + start * module,
                    y + row_index * module,
                    (column - start) * module,
                    module,
                    style="F",
                )
                start = None


# App.3: «почтовый индекс, область, город, район, населенный пункт, улица, номер дома».
_ADDRESS_ORDER: Final = (
    "postal_code",
    "region",
    "city",
    "district",
    "settlement",
    "street",
    "building",
)


def _address(value: object) -> str:
    if not isinstance(value, dict):
        return str(value)
    parts = [value.get(key) for key in _ADDRESS_ORDER]
    return ", ".join(str(part) for part in parts if isinstance(part, str) and part)


def _moment_text(value: str) -> str:
    try:
        return words.moment(datetime.fromisoformat(value))
    except ValueError:
        return value


def _ground_text(ground: dict[str, Any], language: str) -> str:
    # The Kazakh text rides beside the law's Russian as text_kk once the forms carry it.
    return words.in_language(ground, "text", language) or str(ground.get("title", ""))


def _ground(value: object, language: str) -> str:
    # A §8 act cites grounds by their App.1 §10 numbers; the law's text is shown beside.
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            return f"{value}. {RefusalGround(value).text}"
        except ValueError:
            return str(value)
    if isinstance(value, dict):
        return f"{value.get('number', '')}. {_ground_text(value, language)}".strip()
    return str(value)


def _clearance(value: dict[str, Any], language: str) -> str:
    examiner = value.get("examiner", {})
    name = examiner.get("name", "") if isinstance(examiner, dict) else ""
    text = words.in_language(value, "ground_text", language)
    return (
        f"{value.get('ground', '')}. {text} — {value.get('reason', '')} "
        f"({name}, {words.day(value.get('recorded_at'))})"
    )
