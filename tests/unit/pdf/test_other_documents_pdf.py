"""Issue 20 item 7 for the refusal, the §6 notice, other signed acts, and the forms' new words."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support.ministry import Ministry
from tests.support.pdf_documents import (
    CHECK_BASE,
    kazakh_notice,
    kazakh_permit,
    kazakh_refusal,
    pdf_text,
    seal,
)

from kepil.adapters.pdf.render import SealedDocument, check_url, render_pdf
from kepil.domain.permits import RefusalGround


def _pages(sealed: SealedDocument, tmp_path: Path) -> list[str]:
    path = tmp_path / f"{sealed.number}.pdf"
    path.write_bytes(render_pdf(sealed, check_url(CHECK_BASE, sealed.number)))
    return [re.sub(r"\s+", " ", page) for page in pdf_text(path).split("\f")]


def test_item_7_the_motivated_refusal_shows_its_grounds_motivation_and_signer(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    refusal = kazakh_refusal()
    body = refusal.to_canonical_dict()
    kazakh, russian = _pages(seal(ministry, refusal.number, body), tmp_path)[:2]
    assert "МОТИВИРОВАННЫЙ ОТКАЗ в выдаче разрешения" in russian
    assert "ДӘЛЕЛДІ БАС ТАРТУ" in kazakh
    assert re.sub(r"\s+", " ", RefusalGround(1).text) in russian
    assert re.sub(r"\s+", " ", body["grounds"][0]["text_kk"]) in kazakh  # type: ignore[index]
    for page in (kazakh, russian):
        assert "мемлекеттік жүйелердің деректеріне сәйкес емес" in page
        assert "Ұлықбек Өмірзақұлы Қасымов" in page
        assert "APP-2026-000007" in page
        assert "02.03.2026" in page


def test_item_7_the_section_6_notice_lists_what_is_wrong_with_the_package(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    notice = kazakh_notice()
    pages = _pages(seal(ministry, notice.number, notice.to_canonical_dict()), tmp_path)
    assert "Уведомление об отказе в дальнейшем рассмотрении документов" in pages[1]
    assert "Құжаттарды одан әрі қараудан бас тарту туралы хабарлама" in pages[0]
    assert "valid until 2026-01-31" in pages[0]


def test_item_7_the_forms_added_words_and_requisites_show_when_the_document_holds_them(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    body = kazakh_permit().to_canonical_dict()
    body["titles"] = {"kk": "РҰҚСАТ (заң мәтіні)", "ru": "РАЗРЕШЕНИЕ (текст закона)"}
    body["legal_basis"] = {
        "kk": "Қазақстан Республикасының Заңының 6-бабына сәйкес рұқсат берілді:",
        "ru": "в соответствии со статьей 6 Закона Республики Казахстан выдано разрешение на:",
    }
    provider = dict(body["provider"])  # type: ignore[call-overload]
    provider["requisites_kk"] = "БСН 210240044100; мекенжайы: Астана, Мәңгілік Ел, 55"
    provider["requisites_ru"] = "БИН 210240044100; адрес: Астана, Мангилик Ел, 55"
    body["provider"] = provider
    kazakh, russian = _pages(seal(ministry, "PRM-2026-000001", body), tmp_path)[:2]
    assert "РҰҚСАТ (заң мәтіні)" in kazakh
    assert "Заңының 6-бабына сәйкес рұқсат берілді:" in kazakh
    assert "в соответствии со статьей 6 Закона Республики Казахстан" in russian
    for page in (kazakh, russian):
        assert "БСН 210240044100; мекенжайы: Астана, Мәңгілік Ел, 55" in page
        assert "БИН 210240044100; адрес: Астана, Мангилик Ел, 55" in page
        assert "не настроены" not in page
        assert "бапталмаған" not in page


def test_item_7_without_configured_requisites_the_pdf_says_so_instead_of_a_blank(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    permit = kazakh_permit()
    kazakh, russian = _pages(seal(ministry, permit.number, permit.to_canonical_dict()), tmp_path)[
        :2
    ]
    assert "— бапталмаған —" in kazakh
    assert "— не настроены —" in russian


def test_item_7_the_section_8_notice_shows_grounds_hearing_time_and_place(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    act = {
        "application_number": "APP-2026-000007",
        "action": "issue_preliminary_refusal",
        "grounds": [1],
        "motivation": "Құжаттардағы мәліметтер расталмады.",
        "hearing_at": "2026-03-13T06:00:00+00:00",
        "place": "Астана, Мәңгілік Ел, 55, 301 кабинет",
    }
    kazakh, russian = _pages(seal(ministry, "APP-2026-000007-P8", act), tmp_path)[:2]
    assert "Алдын ала шешім және тыңдау туралы хабарлама" in kazakh
    assert "Уведомление о предварительном решении и заслушивании (пункт 8 Правил)" in russian
    assert "Время заслушивания: 13.03.2026 11:00:00 UTC+05:00" in russian
    assert "Тыңдау орны немесе тәсілі: Астана, Мәңгілік Ел, 55, 301 кабинет" in kazakh
    assert re.sub(r"\s+", " ", RefusalGround(1).text) in russian
    assert "Құжаттардағы мәліметтер расталмады." in russian
    assert "Министерство цифрового развития" in russian


def test_item_7_a_complaint_decision_is_drawn_with_its_decision(
    ministry: Ministry, poppler: None, tmp_path: Path
) -> None:
    act = {"complaint_number": "CMP-2026-000001", "action": "reject", "decision": "Негізсіз."}
    kazakh, russian = _pages(seal(ministry, "CMP-2026-000001", act), tmp_path)[:2]
    assert "Шағымды қанағаттандырудан бас тарту туралы шешім" in kazakh
    assert "Решение об отказе в удовлетворении жалобы" in russian
    assert "Номер жалобы: CMP-2026-000001" in russian
    assert "Решение: Негізсіз." in russian
