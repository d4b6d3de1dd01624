"""The §4 answers history: every answer of the court records is kept, and the grounds to clear
are those of all of them."""

from __future__ import annotations

from typing import Any

from kepil.services.permits.court_checks import reported_grounds, with_check


def _answer(stage: str, day: str, grounds: list[int]) -> dict[str, Any]:
    decisions = [{"case_number": f"C-{g}", "restriction": str(g)} for g in grounds]
    return {
        "stage": stage,
        "asked_at": f"{day}T10:00:00+05:00",
        "subject": "150640123452",
        "checked_on": day,
        "court_decisions": decisions,
        "grounds": grounds,
    }


def test_a_later_answer_adds_its_grounds_and_a_lifted_ban_is_not_forgotten() -> None:
    filed = with_check({"suggested_grounds": [3]}, _answer("filing", "2026-04-06", [3]))
    drafted = with_check(filed, _answer("permit_draft", "2026-04-08", [4]))
    assert reported_grounds(drafted) == (3, 4)
    assert [c["stage"] for c in drafted["court_checks"]] == ["filing", "permit_draft"]


def test_the_same_answer_at_the_same_stage_and_day_is_kept_once() -> None:
    once = with_check({}, _answer("permit_draft", "2026-04-08", [3]))
    again = with_check(once, _answer("permit_draft", "2026-04-08", [3]))
    assert again is once
    next_day = with_check(once, _answer("permit_draft", "2026-04-09", [3]))
    assert len(next_day["court_checks"]) == 2


def test_an_application_filed_before_the_history_reads_its_filing_grounds() -> None:
    older = {"suggested_grounds": [4], "court_decisions": []}
    assert reported_grounds(older) == (4,)
    assert reported_grounds({"suggested_grounds": [True, 3]}) == (3,)
