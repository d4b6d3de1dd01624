"""The overdue sweeper (Rules §10) against in-memory stores: once per stage, to the right people."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from tests.support.applications import standing, stored
from tests.support.clock import MovableClock
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.calendar import ALMATY, kazakhstan_calendar
from kepil.domain.monitoring import StageRecord
from kepil.domain.permits import PermitRole, Stage
from kepil.services.permits.ports import OpenDeadline
from kepil.services.permits.sweeper import RESPONSIBLE, sweep

NOW = datetime(2026, 4, 2, 19, 0, tzinfo=ALMATY)
DUE = datetime(2026, 4, 2, 18, 30, tzinfo=ALMATY)
RECEIVED = datetime(2026, 3, 27, 10, 0, tzinfo=ALMATY)
APPLICANT_BIN = "150640123452"
CALENDAR = kazakhstan_calendar()


def _store(*deadlines: OpenDeadline) -> FakeUnitOfWork:
    """Applications of the applicant, each with the given stages open until their dues."""
    uow = FakeUnitOfWork(CALENDAR)
    numbers = dict.fromkeys(d.application_number for d in deadlines)
    with uow.given():
        for number in numbers:
            stages = [(d.stage, d.due) for d in deadlines if d.application_number == number]
            case = standing(
                number, RECEIVED, CALENDAR, open_stages=stages, applicant_bin=APPLICANT_BIN
            )
            uow.applications.add(stored(case), [])
    return uow


def _records(uow: FakeUnitOfWork) -> list[StageRecord]:
    return [entry.record for entry in uow.stage_log.entries]


def _open(number: str, stage: Stage, due: datetime = DUE) -> OpenDeadline:
    return OpenDeadline(number, stage, due)


def test_p10_each_overdue_stage_is_logged_with_its_stage_due_and_responsible_role() -> None:
    uow = _store(_open("APP-2026-000001", Stage.COMPLETENESS_CHECK))
    report = sweep(uow, MovableClock(NOW))
    assert [(i.stage, i.responsible) for i in report.marked] == [
        (Stage.COMPLETENESS_CHECK, PermitRole.EXAMINER)
    ]
    [record] = _records(uow)
    assert record.case == "APP-2026-000001"
    assert record.stage == "stage_overdue"
    assert record.occurred_at == NOW
    assert record.deadline == DUE
    assert record.details == {
        "stage": "completeness_check",
        "due": "2026-04-02T13:30:00+00:00",
        "responsible": "examiner",
    }


def test_p10_the_responsible_role_is_told_and_the_applicant_only_when_the_term_runs_out() -> None:
    uow = _store(_open("APP-1", Stage.REGISTRATION), _open("APP-1", Stage.SERVICE_TERM))
    sweep(uow, MovableClock(NOW))
    sent = {(n.recipient, n.kind) for n in uow.notifications.sent}
    assert sent == {
        ("role:clerk", "stage_overdue"),
        ("role:head", "stage_overdue"),
        (APPLICANT_BIN, "service_term_overdue"),
    }
    assert all(n.case_number == "APP-1" for n in uow.notifications.sent)


def test_p10_a_second_sweep_reports_nothing_new() -> None:
    uow = _store(_open("APP-1", Stage.REGISTRATION))
    assert len(sweep(uow, MovableClock(NOW)).marked) == 1
    again = sweep(uow, MovableClock(NOW + timedelta(days=3)))
    assert again.marked == ()
    assert len(_records(uow)) == 1


def test_p10_a_stage_is_not_overdue_at_the_very_moment_it_falls_due() -> None:
    uow = _store(_open("APP-1", Stage.REVIEW))
    assert sweep(uow, MovableClock(DUE)).marked == ()
    assert len(sweep(uow, MovableClock(DUE + timedelta(seconds=1))).marked) == 1


def test_p10_a_stage_another_sweeper_marked_first_is_neither_logged_nor_notified() -> None:
    uow = _store(_open("APP-1", Stage.REVIEW), _open("APP-2", Stage.REVIEW))
    uow.applications.taken.add(("APP-1", Stage.REVIEW))
    report = sweep(uow, MovableClock(NOW))
    assert [i.application_number for i in report.marked] == ["APP-2"]
    assert [r.case for r in _records(uow)] == ["APP-2"]
    assert [n.case_number for n in uow.notifications.sent] == ["APP-2"]


def test_p10_a_long_list_is_swept_in_batches_each_committed_on_its_own() -> None:
    deadlines = [
        _open(f"APP-{n}", Stage.REGISTRATION, DUE - timedelta(minutes=n)) for n in range(5)
    ]
    uow = _store(*deadlines)
    report = sweep(uow, MovableClock(NOW), limit=2)
    assert uow.commits == 3
    assert len(report.marked) == 5
    assert report.per_stage == {"registration": 5}


def test_p10_a_full_batch_lost_to_another_sweeper_ends_the_sweep() -> None:
    uow = _store(*[_open(f"APP-{n}", Stage.HEARING) for n in range(4)])
    taken = uow.applications.taken
    taken |= {("APP-0", Stage.HEARING), ("APP-1", Stage.HEARING)}
    report = sweep(uow, MovableClock(NOW), limit=2)
    assert report.marked == ()
    assert uow.commits == 1


def test_every_stage_has_a_responsible_role() -> None:
    assert set(RESPONSIBLE) == set(Stage)
    assert RESPONSIBLE[Stage.SERVICE_TERM] is PermitRole.HEAD


def test_a_batch_of_no_stages_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        sweep(_store(), MovableClock(NOW), limit=0)
