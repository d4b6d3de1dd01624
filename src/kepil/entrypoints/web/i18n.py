"""Kazakh and Russian: the gettext catalogues, read from their .po files at start, and dates."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path

from babel.dates import format_date, format_time
from babel.messages.pofile import read_po

from kepil.domain.calendar import to_almaty

LOCALE_DIR = Path(__file__).parent / "locale"


class Language(enum.StrEnum):
    """A language the pages speak; Kazakh, the state language, comes first and is the default."""

    KK = "kk"
    RU = "ru"

    @property
    def babel_locale(self) -> str:
        """The CLDR locale whose month names and patterns the dates use."""
        return {Language.KK: "kk_KZ", Language.RU: "ru_RU"}[self]


DEFAULT_LANGUAGE = Language.KK


def N_(message: str) -> str:  # noqa: N802 (gettext's name for a marker)
    """Mark a message for extraction where it is defined; translate it where it is shown."""
    return message


@dataclass(frozen=True, slots=True)
class Translator:
    """One language's catalogue: msgid -> translation."""

    language: Language
    messages: dict[str, str]

    def gettext(self, message: str) -> str:
        """The translation, or the msgid itself (never blank) when the catalogue lacks it."""
        return self.messages.get(message) or message

    def date(self, day: date) -> str:
        """«6 желтоқсан 2026» / «6 декабря 2026»."""
        return format_date(day, "d MMMM y", locale=self.language.babel_locale)

    def moment(self, at: datetime) -> str:
        """A moment on Almaty's clocks with its time: «6 желтоқсан 2026, 11:00»."""
        local = to_almaty(at)
        clock = format_time(local, "HH:mm", locale=self.language.babel_locale)
        return f"{self.date(local.date())}, {clock}"


def read_catalogue(language: Language) -> dict[str, str]:
    """The translated messages of the language's .po files (fuzzy ones are not translations).

    messages.po is the catalogue pybabel maintains; a feature branch may carry its new messages
    in a file of its own beside it until they are folded in, so several files are read.
    """
    messages: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / language.value / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as file:
            catalogue = read_po(file, locale=language.value)
        messages.update(
            (str(message.id), str(message.string))
            for message in catalogue
            if message.id and message.string and not message.fuzzy
        )
    return messages


@cache
def translator(language: Language) -> Translator:
    """The language's translator, read once per process."""
    return Translator(language, read_catalogue(language))
