"""Dates on the pages read as a person writes them, on Almaty's clocks."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from kepil.entrypoints.web.i18n import Language, translator

KK_MONTHS = (
    "қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым",
    "шілде", "тамыз", "қыркүйек", "қазан", "қараша", "желтоқсан",
)  # fmt: skip
RU_MONTHS = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip


def test_a_date_reads_6_zheltoqsan_2026_in_kazakh_and_6_dekabrya_2026_in_russian() -> None:
    day = date(2026, 12, 6)
    assert translator(Language.KK).date(day) == "6 желтоқсан 2026"
    assert translator(Language.RU).date(day) == "6 декабря 2026"


@pytest.mark.parametrize(
    ("language", "months"), [(Language.KK, KK_MONTHS), (Language.RU, RU_MONTHS)]
)
def test_every_month_has_its_name_in_the_language(
    language: Language, months: tuple[str, ...]
) -> None:
    words = translator(language)
    assert [words.date(date(2027, month, 1)) for month in range(1, 13)] == [
        f"1 {name} 2027" for name in months
    ]


def test_a_moment_is_told_in_almaty_time_even_across_midnight() -> None:
    # 20:30 UTC on 5 December is 01:30 on 6 December in Almaty (UTC+5).
    at = datetime(2026, 12, 5, 20, 30, tzinfo=UTC)
    assert translator(Language.RU).moment(at) == "6 декабря 2026, 01:30"
    assert translator(Language.KK).moment(at) == "6 желтоқсан 2026, 01:30"


def test_a_message_the_catalogue_lacks_shows_as_written_never_blank() -> None:
    assert translator(Language.KK).gettext("no such message") == "no such message"
    assert translator(Language.KK).gettext("Sign in") == "Кіру"
