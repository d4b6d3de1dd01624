"""Issue 20 item 6 on the PDFs: the Kazakh page says the §6 problems, grounds and position in
Kazakh when the document carries them, and falls back to the signed Russian without failing."""

from __future__ import annotations

import re

from tests.support.ministry import Ministry
from tests.support.pdf_documents import CHECK_BASE, kazakh_notice, kazakh_refusal, seal

from kepil.adapters.pdf import words
from kepil.adapters.pdf.reading import page_texts
from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf
from kepil.domain.permits import ProblemCode


def _pages(sealed: SealedDocument) -> tuple[str, ...]:
    pdf = render_pdf(sealed, check_url(CHECK_BASE, sealed.number))
    return tuple(re.sub(r"\s+", " ", page) for page in page_texts(pdf))


def test_every_problem_code_has_a_kazakh_and_a_russian_sentence() -> None:
    for code in ProblemCode:
        assert set(words.PROBLEMS[code.value]) == {"kk", "ru"}, code


def test_the_section_6_notice_names_its_problem_in_kazakh_on_the_kazakh_page(
    ministry: Ministry,
) -> None:
    notice = kazakh_notice()
    kazakh, russian = _pages(seal(ministry, notice.number, notice.to_canonical_dict()))[:2]
    assert "Құжаттың қолданылу мерзімі өткен (attachments[0]; valid until 2026-01-31)" in kazakh
    assert "Истёк срок действия документа" in russian
    assert "document_expired" not in kazakh


def test_an_unknown_problem_code_is_shown_as_signed_rather_than_dropped() -> None:
    shown = words.problem({"code": "newer_code", "field": "form", "detail": "x"}, "kk")
    assert shown == "newer_code; form; x"


def test_grounds_and_position_show_their_kazakh_text_on_the_kazakh_page_when_present(
    ministry: Ministry,
) -> None:
    refusal = kazakh_refusal()
    body = refusal.to_canonical_dict()
    body["grounds"] = [{**body["grounds"][0], "text_kk": "ҚАЗАҚША НЕГІЗ МӘТІНІ"}]  # type: ignore[index]
    body["signer"] = {**body["signer"], "position_kk": "Вице-министрі"}  # type: ignore[dict-item]
    kazakh, russian = _pages(seal(ministry, refusal.number, body))[:2]
    assert "ҚАЗАҚША НЕГІЗ МӘТІНІ" in kazakh
    assert "ҚАЗАҚША НЕГІЗ МӘТІНІ" not in russian
    assert "Вице-министрі" in kazakh
    assert "Вице-министрі" not in russian


def test_without_kazakh_keys_the_kazakh_page_shows_the_signed_russian_ground(
    ministry: Ministry,
) -> None:
    refusal = kazakh_refusal()
    body = refusal.to_canonical_dict()
    # A document signed before the grounds carried their Kazakh text.
    body["grounds"] = [  # type: ignore[index]
        {key: value for key, value in ground.items() if key != "text_kk"}
        for ground in body["grounds"]  # type: ignore[union-attr]
    ]
    ground_ru = re.sub(r"\s+", " ", body["grounds"][0]["text"])  # type: ignore[index]
    kazakh = _pages(seal(ministry, refusal.number, body))[0]
    assert ground_ru[:40] in kazakh


def test_a_clearance_shows_its_kazakh_ground_text_on_the_kazakh_page() -> None:
    clearance = {"ground": 3, "ground_text": "по-русски", "ground_text_kk": "қазақша"}
    assert words.in_language(clearance, "ground_text", "kk") == "қазақша"
    assert words.in_language(clearance, "ground_text", "ru") == "по-русски"
    assert words.in_language({"ground_text": "по-русски"}, "ground_text", "kk") == "по-русски"
