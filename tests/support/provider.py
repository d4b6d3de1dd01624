"""A TEST state body's requisites, as the settings (KEPIL_PROVIDER_*) take them in prod mode,
with the public address its documents' QR codes hold (KEPIL_PUBLIC_BASE_URL, also required)."""

from __future__ import annotations

from tests.support.identities import MINISTRY_BIN

TEST_PROVIDER: dict[str, str] = {
    "provider_name_kk": "ТЕСТ Қазақстан Республикасының Цифрлық даму министрлігі",
    "provider_name_ru": "ТЕСТ Министерство цифрового развития Республики Казахстан",
    "provider_name_kk_genitive": "ТЕСТ Қазақстан Республикасының Цифрлық даму министрлігінің",
    "provider_name_ru_genitive": "ТЕСТ Министерства цифрового развития Республики Казахстан",
    "provider_bin": MINISTRY_BIN,
    "provider_address_kk": "ТЕСТ Астана қ., Мәңгілік Ел даңғылы, 8",
    "provider_address_ru": "ТЕСТ г. Астана, проспект Мангилик Ел, 8",
    "provider_phone": "+7 7172 00 00 00",
    "provider_email": "test@example.kz",
    "provider_site": "https://example.kz/test-ministry",
    "public_base_url": "https://kepil.example.kz",
}
