"""Every message the pages use has a Kazakh and a Russian translation in the catalogues."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg

from kepil.entrypoints.web import i18n
from kepil.entrypoints.web.i18n import Language, read_catalogue

WEB = Path(i18n.__file__).parent
KEYWORDS = {"_": None, "gettext": None, "N_": None}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def used_messages(directory: Path) -> set[str]:
    """The msgids Babel extracts from the templates and the .py files, as babel.cfg says."""
    with (WEB / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    return {
        str(found[2])
        for found in extract_from_dir(
            directory, method_map, options_map, keywords=KEYWORDS, comment_tags=()
        )
    }


def untranslated(used: set[str], catalogue: dict[str, str]) -> list[str]:
    """The messages in use that the catalogue does not translate."""
    return sorted(message for message in used if message not in catalogue)


def test_the_extraction_finds_messages_in_templates_and_in_code() -> None:
    used = used_messages(WEB)
    assert "Version for the visually impaired" in used  # templates/base.html
    assert "Suspended" in used  # words.py, marked with N_


@pytest.mark.parametrize("language", list(Language))
def test_every_message_in_use_is_translated(language: Language) -> None:
    assert untranslated(used_messages(WEB), read_catalogue(language)) == []


@pytest.mark.parametrize("language", list(Language))
def test_a_translation_keeps_the_placeholders_of_its_message(language: Language) -> None:
    for message, translation in read_catalogue(language).items():
        assert set(PLACEHOLDER.findall(translation)) == set(PLACEHOLDER.findall(message)), message


def test_a_message_missing_from_a_catalogue_is_caught(tmp_path: Path) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "new.html").write_text(
        '<p>{{ _("A sentence nobody translated") }}</p>'
    )
    (tmp_path / "words.py").write_text('WORD = N_("Another untranslated word")\n')
    catalogue = read_catalogue(Language.RU)
    assert untranslated(used_messages(tmp_path), catalogue) == [
        "A sentence nobody translated",
        "Another untranslated word",
    ]
