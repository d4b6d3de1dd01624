"""The fake unit of work keeps what is committed and forgets the rest, as the database does."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest
from tests.support.applications import standing, stored, submitted
from tests.support.fakes import DuplicateKeyError
from tests.support.unit_of_work import FakeUnitOfWork

from kepil.domain.auth import Challenge
from kepil.domain.calendar import ALMATY, WorkingCalendar, kazakhstan_calendar
from kepil.domain.monitoring import StageRecord, verify_chain
from kepil.domain.permits import Actor, ApplicationStatus, PermitRole, Stage
from kepil.domain.registry import RegistryEntry, RegistryStatus
from kepil.services.errors import ConflictError
from kepil.services.permits.ports import AlreadyStored, OpenDeadline, RegistryQuery

NOW = datetime(2026, 4, 1, 10, 0, tzinfo=ALMATY)
CLERK = Actor(PermitRole.CLERK, "Канцелярия", "850315400124")


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return kazakhstan_calendar()


@pytest.fixture
def uow(calendar: WorkingCalendar) -> FakeUnitOfWork:
    return FakeUnitOfWork(calendar)


def _challenge(nonce: str) -> Challenge:
    return Challenge(nonce, NOW, NOW + timedelta(minutes=5))


def test_what_is_committed_is_there_in_the_next_transaction(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.challenges.add(_challenge("n1"))
        uow.numbers.next("APP-2026")
        uow.commit()
    with uow:
        assert uow.challenges.get("n1") == _challenge("n1")
        assert uow.numbers.next("APP-2026") == 2
    assert uow.commits == 1


def test_leaving_without_a_commit_forgets_every_change(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.challenges.add(_challenge("n1"))
        uow.stage_log.append(StageRecord("APP-1", "application_submitted", "x", NOW))
        assert uow.numbers.next("APP-2026") == 1
    with uow:
        assert uow.challenges.get("n1") is None
        assert list(uow.stage_log.all()) == []
        assert uow.numbers.next("APP-2026") == 1  # the rolled-back number is handed out again
    assert uow.commits == 0


def test_an_error_inside_the_transaction_rolls_it_back(uow: FakeUnitOfWork) -> None:
    def failing_handler() -> None:
        with uow:
            uow.challenges.add(_challenge("n1"))
            raise RuntimeError("the handler failed")

    with pytest.raises(RuntimeError, match="handler failed"):
        failing_handler()
    assert uow.challenges.get("n1") is None


def test_rollback_goes_back_to_the_last_commit_not_to_the_start(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.challenges.add(_challenge("kept"))
        uow.commit()
        uow.challenges.add(_challenge("dropped"))
        assert uow.challenges.consume("kept", NOW)
        uow.rollback()
        assert set(uow.challenges.rows) == {"kept"}
        assert uow.challenges.get("kept") == _challenge("kept")


def test_a_committed_snapshot_is_not_changed_by_later_work(uow: FakeUnitOfWork) -> None:
    # The working copy must not share mutable containers with what was committed.
    with uow:
        uow.stage_log.append(StageRecord("APP-1", "application_submitted", "x", NOW))
        uow.commit()
        uow.stage_log.append(StageRecord("APP-1", "application_registered", "x", NOW))
    with uow:
        assert [e.record.stage for e in uow.stage_log.all()] == ["application_submitted"]


def test_data_given_before_the_test_is_kept_without_counting_as_a_commit(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    with uow.given():
        uow.applications.add(stored(submitted("APP-1", NOW, calendar)), [])
    with uow:
        pass
    assert uow.applications.get("APP-1") is not None
    assert uow.commits == 0


def test_an_aggregate_changed_but_not_saved_is_not_changed_in_the_store(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    with uow.given():
        uow.applications.add(stored(submitted("APP-1", NOW, calendar)), [])
    with uow:
        found = uow.applications.get("APP-1")
        assert found is not None
        found.application.register(CLERK, NOW + timedelta(hours=1))
        again = uow.applications.get("APP-1")
        assert again is not None
        assert again.application.status is ApplicationStatus.SUBMITTED


def test_a_save_on_a_stale_version_is_a_conflict_and_a_good_one_bumps_it(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    with uow.given():
        uow.applications.add(stored(submitted("APP-1", NOW, calendar)), [])
    with uow:
        found = uow.applications.get("APP-1")
        assert found is not None
        found.application.register(CLERK, NOW + timedelta(hours=1))
        assert uow.applications.save(found.application, found.version) == 2
        with pytest.raises(ConflictError):
            uow.applications.save(found.application, found.version)
        uow.commit()
    restored = uow.applications.get("APP-1")
    assert restored is not None
    assert (restored.application.status, restored.version) == (ApplicationStatus.REGISTERED, 2)


def test_a_second_row_with_the_same_key_is_refused(uow: FakeUnitOfWork) -> None:
    with uow:
        uow.challenges.add(_challenge("n1"))
        with pytest.raises(DuplicateKeyError):
            uow.challenges.add(_challenge("n1"))
        uow.idempotency.put("iin", "k-1", "h", "APP-1", NOW)
        # The port's own word for a taken key, as the SQL store reports it.
        with pytest.raises(AlreadyStored):
            uow.idempotency.put("iin", "k-1", "h", "APP-2", NOW)
        uow.signed_acts.use("d" * 64, "form", "APP-1", NOW)
        with pytest.raises(AlreadyStored):
            uow.signed_acts.use("d" * 64, "form", "APP-2", NOW)
        assert uow.signed_acts.result_of("d" * 64) == "APP-1"


def test_a_stage_is_marked_overdue_once_and_a_rollback_unmarks_it(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    due = NOW - timedelta(hours=1)
    case = standing("APP-1", NOW - timedelta(days=3), calendar, open_stages=[(Stage.REVIEW, due)])
    with uow.given():
        uow.applications.add(stored(case), [])
    deadline = OpenDeadline("APP-1", Stage.REVIEW, due)
    with uow:
        assert uow.applications.overdue(NOW, 10) == [deadline]
        assert uow.applications.mark_overdue(deadline, NOW)
        assert not uow.applications.mark_overdue(deadline, NOW)
        assert uow.applications.overdue(NOW, 10) == []
        assert uow.applications.open_deadlines(NOW) == [deadline]
    with uow:
        assert uow.applications.overdue(NOW, 10) == [deadline]


def test_a_stage_another_sweeper_takes_is_refused_though_the_race_lever_outlives_rollback(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    due = NOW - timedelta(hours=1)
    case = standing("APP-1", NOW - timedelta(days=3), calendar, open_stages=[(Stage.REVIEW, due)])
    with uow.given():
        uow.applications.add(stored(case), [])
    uow.applications.taken.add(("APP-1", Stage.REVIEW))
    with uow:
        assert not uow.applications.mark_overdue(OpenDeadline("APP-1", Stage.REVIEW, due), NOW)
    assert uow.applications.taken == {("APP-1", Stage.REVIEW)}


def test_durations_are_measured_between_an_applications_events(
    uow: FakeUnitOfWork, calendar: WorkingCalendar
) -> None:
    application = submitted("APP-1", NOW, calendar)
    application.register(CLERK, NOW + timedelta(minutes=10))
    with uow:
        uow.applications.add(stored(application), [])
        records = uow.applications.record_events(application.pull_events(), None)
        uow.commit()
    assert [r.status for r in uow.applications.history("APP-1")] == [r.status for r in records]
    assert uow.applications.settled_durations() == {"submitted": [600.0]}
    assert uow.applications.stage_counts() == {"registered": 1}


def test_the_stage_log_is_chained_from_the_genesis_hash(uow: FakeUnitOfWork) -> None:
    with uow:
        for stage in ("application_submitted", "application_registered"):
            uow.stage_log.append(StageRecord("APP-1", stage, "x", NOW))
        uow.commit()
    entries = list(uow.stage_log.all())
    assert [e.seq for e in entries] == [1, 2]
    assert verify_chain(entries).intact
    assert uow.stage_log.after(1, 10) == entries[1:]


def test_the_registry_searches_as_the_database_does_and_keeps_each_status_change(
    uow: FakeUnitOfWork,
) -> None:
    lapsed = RegistryEntry(
        "R-1", "P-1", "A-1", "ТОО «Тест»", "120440056787", "Kepil Chain", "ОЦА", ("Алматы",),
        date(2023, 1, 1), date(2026, 1, 1),
    )  # fmt: skip
    current = replace(lapsed, registry_number="R-2", issued_on=date(2024, 1, 1),
                      valid_until=date(2030, 1, 1))  # fmt: skip
    suspended = current.change_status(RegistryStatus.SUSPENDED, "Проверка", "head", NOW)
    with uow:
        uow.registry.add(lapsed)
        uow.registry.add(current)
        uow.registry.save_status(suspended, suspended.history[-1])
        uow.commit()
    today = date(2026, 6, 1)
    expired, total = uow.registry.search(RegistryQuery(status=RegistryStatus.EXPIRED), today)
    assert ([e.registry_number for e in expired], total) == (["R-1"], 1)
    assert uow.registry.search(RegistryQuery(text="кепіл"), today) == ([], 0)
    by_platform, _ = uow.registry.search(RegistryQuery(platform="CHAIN"), today)
    assert [(e.registry_number, e.history) for e in by_platform] == [("R-2", ()), ("R-1", ())]
    stored_entry = uow.registry.get("R-2")
    assert stored_entry is not None
    assert stored_entry.status_on(today) is RegistryStatus.SUSPENDED
    assert [h.reason for h in stored_entry.history] == ["Проверка"]


def test_a_unit_of_work_without_policies_refuses_events_instead_of_losing_what_follows() -> None:
    from kepil.services.unit_of_work import NO_POLICIES

    uow = FakeUnitOfWork(policies=NO_POLICIES)
    with pytest.raises(RuntimeError, match="no event policies"):
        uow.emit(object())
