"""Rules §8 as the applicant reads it: the notice and a move in the cabinet, in both languages."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.integration.permits.portal import Portal
from tests.integration.web.cabinet_portal import (
    HEARING_PLACE,
    notify_hearing,
    open_portal,
    portal_people,
)
from tests.support.pki import Person
from tests.support.web import sign_in_on_pages

from kepil.domain.permits import PermitRole


@pytest.fixture(scope="module")
def people() -> dict[str, Person]:
    return portal_people()


@pytest.fixture
def portal(database_url: str, tmp_path: Path, people: dict[str, Person]) -> Iterator[Portal]:
    with open_portal(database_url, tmp_path, people) as found:
        yield found


def _on_pages(portal: Portal) -> None:
    """Sign in on the pages now (the clock moved; sessions are short)."""
    sign_in_on_pages(portal.client, portal.applicant.auth, portal.clock.now())


def _words(portal: Portal, address: str, lang: str) -> str:
    answer = portal.client.get(address, params={"lang": lang})
    assert answer.status_code == 200, answer.text
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", answer.text))


def test_the_cabinet_carries_the_notice_and_then_the_move_in_the_readers_language(
    portal: Portal,
) -> None:
    number = notify_hearing(portal)
    _on_pages(portal)
    kazakh = _words(portal, "/cabinet", "kk")
    assert "Бас тарту туралы алдын ала шешім бойынша" not in kazakh  # the notice, not a title
    assert "Рұқсат беруден бас тарту туралы алдын ала шешім (Қағидалардың 8-тармағы)." in kazakh
    assert f"Тыңдау: 30.03.2026 15:00 (Алматы уақытымен), орны (тәсілі): {HEARING_PLACE}" in kazakh
    portal.at("2026-03-30T09:00")
    moved = portal.decide(
        PermitRole.EXAMINER,
        number,
        "schedule_hearing",
        hearing_at="2026-03-31T16:00:00+05:00",
        place="Астана, каб. 301",
    )
    assert moved.status_code == 200, moved.text
    _on_pages(portal)
    russian = _words(portal, "/cabinet", "ru")
    newest = russian.split("Уведомления")[1].split(number)[0]  # up to its link to the case
    assert "Заслушивание, назначенное на 30.03.2026 15:00, перенесено (пункт 8 Правил)." in newest
    assert "Заслушивание: 31.03.2026 16:00 (время Алматы), место (способ): Астана" in newest
    case = _words(portal, f"/cabinet/applications/{number}", "ru")
    assert "Заслушивание перенесено с новым уведомлением" in case
    assert "31 марта 2026, 16:00, Астана, каб. 301" in case
