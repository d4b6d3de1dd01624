"""Rules §8 on the pages: the limits partial and the domain's refusals, in Kazakh and Russian."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from tests.support.clock import almaty

from kepil.entrypoints.web.hearing_words import hearing_refusal
from kepil.entrypoints.web.i18n import Language, translator
from kepil.entrypoints.web.rendering import TEMPLATE_DIR
from kepil.services.permits.views.hearing import HearingLimitsView

NOTICE = HearingLimitsView(
    application_number="APP-2026-000001",
    status="under_review",
    action="issue_preliminary_refusal",
    moving=False,
    now=almaty("2026-04-09T10:00"),
    earliest=almaty("2026-04-09T10:00"),
    latest=almaty("2026-04-13T18:30"),
    latest_rule="the hearing is held no later than 2 working days from the notice: by …",
    capped_by_term=False,
    notice_due=almaty("2026-04-08T18:30"),
    notice_late=True,
    service_term_due=almaty("2026-04-13T18:30"),
    hearing_at=None,
    place=None,
    moves_left=1,
    blocked=None,
    refusal=None,
)


def _shown(limits: HearingLimitsView, language: Language) -> str:
    words = translator(language)
    environment = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR), autoescape=True, undefined=StrictUndefined
    )
    page = environment.from_string(
        '{% from "_hearing_limits.html" import hearing_limits with context %}'
        "{{ hearing_limits(limits) }}"
    ).render(limits=limits, _=words.gettext, moment=words.moment)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))


def test_the_limits_of_a_notice_are_shown_with_the_late_notice_said_in_words() -> None:
    russian = _shown(NOTICE, Language.RU)
    assert "Сроки заслушивания (пункт 8 Правил)" in russian
    assert "с 9 апреля 2026, 10:00 до 13 апреля 2026, 18:30" in russian
    assert "8 апреля 2026, 18:30: не менее чем за 3 рабочих дня" in russian
    assert "отмечается как просроченное" in russian
    kazakh = _shown(NOTICE, Language.KK)
    assert "9 сәуір 2026, 10:00 бастап 13 сәуір 2026, 18:30 дейін" in kazakh
    assert "мерзімі өтіп жіберілді деп белгіленеді" in kazakh


def test_a_move_shows_the_hearing_set_and_a_blocked_move_says_why() -> None:
    move = replace(
        NOTICE,
        action="schedule_hearing",
        moving=True,
        hearing_at=almaty("2026-04-10T15:00"),
        place="видеосвязь",
        notice_late=False,
    )
    russian = _shown(move, Language.RU)
    assert "10 апреля 2026, 15:00, видеосвязь" in russian
    assert "осталось переносов: 1" in russian
    assert "Срок уведомления" not in russian
    blocked = replace(move, moves_left=0, blocked="moved_already", refusal="…")
    kazakh = _shown(blocked, Language.KK)
    assert "Тыңдау бұрын ауыстырылған" in kazakh
    assert "белгілеуге болады" not in kazakh


@pytest.mark.parametrize(
    ("reason", "message", "moment"),
    [
        (
            "cannot issue_preliminary_refusal from under_review: the hearing is held no later "
            "than 2 working days from the notice: by 2026-04-09T18:30+05:00 (Rules §8)",
            "The hearing is held no later than 2 working days from the notice: by %(moment)s "
            "(Rules §8).",
            "2026-04-09T18:30",
        ),
        (
            "the hearing cannot be set before its notice (2026-04-07T10:00+05:00)",
            "The hearing cannot be set before its notice (%(moment)s).",
            "2026-04-07T10:00",
        ),
        (
            "a moved hearing is held within 2 working days of the new notice and not after the "
            "service's term ends: by 2026-03-31T18:30+05:00 (Rules §8)",
            "A moved hearing is held within 2 working days of the new notice and not after the "
            "term of the service ends: by %(moment)s (Rules §8).",
            "2026-03-31T18:30",
        ),
        (
            "the hearing was moved already (to 2026-04-10T11:00+05:00); §8 allows one move",
            "The hearing was moved already; the Rules allow one move.",
            None,
        ),
        (
            "the hearing's moment (2026-04-16T15:00+05:00) came; it cannot be moved",
            "The time of the hearing has come; it can no longer be moved.",
            None,
        ),
    ],
)
def test_a_refusal_of_the_hearing_is_said_again_with_its_limit(
    reason: str, message: str, moment: str | None
) -> None:
    found = hearing_refusal(reason)
    assert found is not None
    assert found.message == message
    if moment is None:
        return
    assert found.moment == almaty(moment)
    said = translator(Language.RU).gettext(found.message) % {"moment": "…"}
    assert "…" in said


def test_other_refusals_are_not_the_hearings() -> None:
    assert hearing_refusal("cannot register from registered") is None
    assert hearing_refusal(None) is None
