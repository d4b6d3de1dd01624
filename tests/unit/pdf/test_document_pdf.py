"""Issue 20 items 7, 8, 11: the permit's PDF read as a person's tools read it (poppler)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from tests.support.ministry import Ministry
from tests.support.pdf_documents import (
    CHECK_BASE,
    KAZAKH_LETTERS,
    kazakh_permit,
    pdf_attachments,
    pdf_pages_png,
    pdf_text,
    sealed_permit,
)

from kepil.adapters.pdf import fonts
from kepil.adapters.pdf.render import (
    PARAMETERS_NAME,
    SealedDocument,
    check_url,
    render_pdf,
)
from kepil.domain.permits import ActivityAddress
from kepil.domain.permits.documents import PERMIT_NOTE, PERMIT_SPECIAL_CONDITION


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_item_7_permit_text_copies_out_with_every_kazakh_letter_intact(pdf_path: Path) -> None:
    text = pdf_text(pdf_path)
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter
    assert "«Әділет Қазына Һолдинг» ЖШС" in text
    assert "Ұлықбек Өмірзақұлы Қасымов" in text


def test_item_7_permit_shows_the_law_s_sentences_of_appendix_3(
    pdf_path: Path, sealed: SealedDocument
) -> None:
    text = _flat(pdf_text(pdf_path))
    assert _flat(PERMIT_SPECIAL_CONDITION) in text
    assert _flat(PERMIT_NOTE) in text
    assert "РАЗРЕШЕНИЕ на выпуск и обращение обеспеченных цифровых активов" in text
    body = json.loads(sealed.content)
    # Whatever sentence pairs the signed document holds (the legal basis among them) show.
    for key in ("legal_basis", "titles"):
        for sentence in (body.get(key) or {}).values():
            assert _flat(sentence) in text, sentence


def test_item_7_both_language_versions_carry_the_form_s_headings(pdf_path: Path) -> None:
    kazakh, russian = pdf_text(pdf_path).split("\f")[:2]
    assert "(Мемлекеттік органның атауы)" in kazakh
    assert "(Мемлекеттік органның деректемелері)" in kazakh
    assert "Берілген күні: 14.03.2026" in kazakh
    assert "(Наименование государственного органа)" in russian
    assert "(Реквизиты государственного органа)" in russian
    assert "Дата выдачи: 14.03.2026" in russian
    assert "Номер заявления: APP-2026-000007" in russian


def test_item_7_every_font_is_embedded_and_the_file_declares_pdfa_3b(
    pdf_path: Path, permit_pdf: bytes
) -> None:
    listing = subprocess.run(
        ["pdffonts", str(pdf_path)], capture_output=True, check=True, text=True
    ).stdout.splitlines()[2:]
    assert listing
    for line in listing:
        assert re.search(r"\byes\b\s+yes\b", line), line  # emb yes, sub yes
    reader = PdfReader(pdf_path)
    intents = reader.trailer["/Root"]["/OutputIntents"]
    assert intents[0].get_object()["/S"] == "/GTS_PDFA1"
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<pdfaid:conformance>B</pdfaid:conformance>" in xmp
    assert permit_pdf.startswith(b"%PDF-1.7")


def test_item_8_attachments_are_the_exact_signed_bytes_and_the_cms(
    pdf_path: Path, sealed: SealedDocument, tmp_path: Path
) -> None:
    assert pdf_attachments(pdf_path) == [
        "PRM-2026-000001.json",
        "PRM-2026-000001.p7s",
        PARAMETERS_NAME,
    ]
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(pdf_path)], check=True)
    assert (out / "PRM-2026-000001.json").read_bytes() == sealed.content
    assert (out / "PRM-2026-000001.p7s").read_bytes() == sealed.signature


def test_item_8_signature_card_names_signer_certificate_moment_and_hash(
    pdf_path: Path, sealed: SealedDocument, ministry: Ministry
) -> None:
    russian = _flat(pdf_text(pdf_path).split("\f")[1])
    serial = format(ministry.credential.certificate.serial_number, "x")
    assert "Карточка электронного документа" in russian
    assert "Подписант: ИВАНОВ ИВАН ИВАНОВИЧ" in russian
    assert "Должность: Вице-министр" in russian
    assert f"Серийный номер сертификата: {serial}" in russian
    assert "Срок действия сертификата: с 01.06.2025 05:00:00 UTC+05:00" in russian
    # SIGNED_AT, 09:00 UTC, on Almaty clocks; the source is the signer's own clock.
    assert "Момент подписания: 31.12.2025 14:00:00 UTC+05:00 (часы подписанта" in russian
    assert f"SHA-256 документа: {__import__('hashlib').sha256(sealed.content).hexdigest()}" in (
        russian
    )


def test_item_8_qr_code_on_the_rendered_page_points_at_the_check_page(
    pdf_path: Path, tmp_path: Path
) -> None:
    pages = pdf_pages_png(pdf_path, tmp_path)
    assert len(pages) == 2
    for page in pages:
        found = zxingcpp.read_barcodes(Image.open(page))
        assert [code.text for code in found] == [f"{CHECK_BASE}/check?number=PRM-2026-000001"]


def test_item_8_the_same_document_gives_the_same_pdf_bytes(
    sealed: SealedDocument, permit_pdf: bytes
) -> None:
    again = render_pdf(sealed, check_url(CHECK_BASE, sealed.number))
    assert again == permit_pdf
    # and nothing of today's date leaks in: the moments inside are the signing moment's
    assert b"D:20251231090000" in permit_pdf or b"2025-12-31T09:00:00Z" in permit_pdf


def test_a_missing_font_package_is_a_clear_error_naming_what_to_install(
    monkeypatch: pytest.MonkeyPatch, sealed: SealedDocument
) -> None:
    monkeypatch.setattr(fonts.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(fonts.FontMissingError, match="pip install font-source-sans-pro"):
        render_pdf(sealed, check_url(CHECK_BASE, sealed.number))


def test_check_address_quotes_the_number_and_drops_a_trailing_slash() -> None:
    assert check_url("https://x.kz/", "PRM-1") == "https://x.kz/check?number=PRM-1"
    assert check_url("https://x.kz", "A B&c") == "https://x.kz/check?number=A%20B%26c"


def test_item_8_another_process_draws_the_same_bytes(
    sealed: SealedDocument, permit_pdf: bytes, tmp_path: Path
) -> None:
    (tmp_path / "doc.json").write_bytes(sealed.content)
    (tmp_path / "doc.p7s").write_bytes(sealed.signature)
    script = (
        "import sys; from pathlib import Path\n"
        "from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf\n"
        "folder = Path(sys.argv[1])\n"
        "doc = SealedDocument(sys.argv[2], (folder / 'doc.json').read_bytes(),"
        " (folder / 'doc.p7s').read_bytes())\n"
        "sys.stdout.buffer.write(render_pdf(doc, check_url(sys.argv[3], doc.number)))\n"
    )
    other = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path), sealed.number, CHECK_BASE],
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert other.stdout == permit_pdf


def test_item_7_a_long_permit_flows_onto_more_pages_with_nothing_lost(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    many = tuple(
        ActivityAddress("010000", "Мәңгілік Ел даңғылы", str(n), city="Астана")
        for n in range(1, 61)
    )
    permit = replace(kazakh_permit(), activity_addresses=many)
    sealed = sealed_permit(ministry, permit)
    path = tmp_path / "long.pdf"
    path.write_bytes(render_pdf(sealed, check_url(CHECK_BASE, sealed.number)))
    text = _flat(pdf_text(path))
    pages = pdf_text(path).count("\f")
    assert pages >= 4
    for n in (1, 30, 60):
        assert f"010000, Астана, Мәңгілік Ел даңғылы, {n} " in text + " "
    assert text.count("Карточка электронного документа") == 1
    assert text.count("Электрондық құжаттың карточкасы") == 1


def test_a_word_wider_than_its_line_is_cut_not_lost(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    long_word = "Қ" * 150
    sealed = sealed_permit(ministry, replace(kazakh_permit(), platform_name=long_word))
    path = tmp_path / "wide.pdf"
    path.write_bytes(render_pdf(sealed, check_url(CHECK_BASE, sealed.number)))
    assert re.sub(r"\s+", "", pdf_text(path)).count(long_word) == 2
