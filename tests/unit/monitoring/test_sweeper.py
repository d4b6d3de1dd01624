"""The overdue sweeper (Rules §10) against in-memory stores: once per stage, to the right people."""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest

from kepil.domain.calendar import ALMATY
from kepil.domain.monitoring import StageRecord
from kepil.domain.permits import PermitRole, Stage
from kepil.services.permits.ports import Notification, OpenDeadline
from kepil.services.permits.sweeper import RESPONSIBLE, sweep
from kepil.services.unit_of_work import UnitOfWork

NOW = datetime(2026, 4, 2, 19, 0, tzinfo=ALMATY)
DUE = datetime(2026, 4, 2, 18, 30, tzinfo=ALMATY)
APPLICANT_BIN = "150640123452"


class FakeClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


class FakeApplications:
    """Open deadlines; `taken` are stages another sweeper marks just before this one tries."""

    def __init__(self, deadlines: list[OpenDeadline]) -> None:
        self.deadlines = deadlines
        self.marked: dict[tuple[str, Stage], datetime] = {}
        self.taken: set[tuple[str, Stage]] = set()

    def overdue(self, now: datetime, limit: int) -> list[OpenDeadline]:
        found = [d for d in self.deadlines if d.due < now and _key(d) not in self.marked]
        return sorted(found, key=lambda d: d.due)[:limit]

    def mark_overdue(self, deadline: OpenDeadline, at: datetime) -> bool:
        if _key(deadline) in self.marked:
            return False
        self.marked[_key(deadline)] = at
        return _key(deadline) not in self.taken

    def get(self, number: str) -> Any:
        form = SimpleNamespace(applicant_identifier=APPLICANT_BIN)
        return SimpleNamespace(application=SimpleNamespace(number=number, form=form))


class FakeStageLog:
    def __init__(self) -> None:
        self.records: list[StageRecord] = []

    def append(self, record: StageRecord) -> None:
        self.records.append(record)


class FakeNotifications:
    def __init__(self) -> None:
        self.sent: list[Notification] = []

    def add(self, notification: Notification) -> None:
        self.sent.append(notification)


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, deadlines: list[OpenDeadline]) -> None:
        self.applications = FakeApplications(deadlines)
        self.stage_log = FakeStageLog()
        self.notifications = FakeNotifications()
        self.commits = 0

    def commit(self) -> None:
        self.commits += 1

    def rollback(self) -> None:
        pass


def _key(deadline: OpenDeadline) -> tuple[str, Stage]:
    return deadline.application_number, deadline.stage


def _open(number: str, stage: Stage, due: datetime = DUE) -> OpenDeadline:
    return OpenDeadline(number, stage, due)


def test_p10_each_overdue_stage_is_logged_with_its_stage_due_and_responsible_role() -> None:
    uow = FakeUnitOfWork([_open("APP-2026-000001", Stage.COMPLETENESS_CHECK)])
    report = sweep(uow, FakeClock(NOW))
    assert [(i.stage, i.responsible) for i in report.marked] == [
        (Stage.COMPLETENESS_CHECK, PermitRole.EXAMINER)
    ]
    [record] = uow.stage_log.records
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
    uow = FakeUnitOfWork([_open("APP-1", Stage.REGISTRATION), _open("APP-1", Stage.SERVICE_TERM)])
    sweep(uow, FakeClock(NOW))
    sent = {(n.recipient, n.kind) for n in uow.notifications.sent}
    assert sent == {
        ("role:clerk", "stage_overdue"),
        ("role:head", "stage_overdue"),
        (APPLICANT_BIN, "service_term_overdue"),
    }
    assert all(n.case_number == "APP-1" for n in uow.notifications.sent)


def test_p10_a_second_sweep_reports_nothing_new() -> None:
    uow = FakeUnitOfWork([_open("APP-1", Stage.REGISTRATION)])
    assert len(sweep(uow, FakeClock(NOW)).marked) == 1
    again = sweep(uow, FakeClock(NOW + timedelta(days=3)))
    assert again.marked == ()
    assert len(uow.stage_log.records) == 1


def test_p10_a_stage_is_not_overdue_at_the_very_moment_it_falls_due() -> None:
    uow = FakeUnitOfWork([_open("APP-1", Stage.REVIEW)])
    assert sweep(uow, FakeClock(DUE)).marked == ()
    assert len(sweep(uow, FakeClock(DUE + timedelta(seconds=1))).marked) == 1


def test_p10_a_stage_another_sweeper_marked_first_is_neither_logged_nor_notified() -> None:
    uow = FakeUnitOfWork([_open("APP-1", Stage.REVIEW), _open("APP-2", Stage.REVIEW)])
    uow.applications.taken.add(("APP-1", Stage.REVIEW))
    report = sweep(uow, FakeClock(NOW))
    assert [i.application_number for i in report.marked] == ["APP-2"]
    assert [r.case for r in uow.stage_log.records] == ["APP-2"]
    assert [n.case_number for n in uow.notifications.sent] == ["APP-2"]


def test_p10_a_long_list_is_swept_in_batches_each_committed_on_its_own() -> None:
    deadlines = [
        _open(f"APP-{n}", Stage.REGISTRATION, DUE - timedelta(minutes=n)) for n in range(5)
    ]
    uow = FakeUnitOfWork(deadlines)
    report = sweep(uow, FakeClock(NOW), limit=2)
    assert uow.commits == 3
    assert len(report.marked) == 5
    assert report.per_stage == {"registration": 5}


def test_p10_a_full_batch_lost_to_another_sweeper_ends_the_sweep() -> None:
    uow = FakeUnitOfWork([_open(f"APP-{n}", Stage.HEARING) for n in range(4)])
    taken = uow.applications.taken
    taken |= {("APP-0", Stage.HEARING), ("APP-1", Stage.HEARING)}
    report = sweep(uow, FakeClock(NOW), limit=2)
    assert report.marked == ()
    assert uow.commits == 1


def test_every_stage_has_a_responsible_role() -> None:
    assert set(RESPONSIBLE) == set(Stage)
    assert RESPONSIBLE[Stage.SERVICE_TERM] is PermitRole.HEAD


def test_a_batch_of_no_stages_is_refused() -> None:
    with pytest.raises(ValueError, match="at least one"):
        sweep(FakeUnitOfWork([]), FakeClock(NOW), limit=0)
