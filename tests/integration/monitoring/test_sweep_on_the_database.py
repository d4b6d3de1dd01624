"""The §10 sweeper on SQLite and PostgreSQL: the working calendar decides, each stage once."""

from __future__ import annotations

import threading

from sqlalchemy import Engine
from tests.support.applications import stored
from tests.support.clock import MovableClock, almaty

from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.calendar import WorkingCalendar
from kepil.domain.monitoring import ChainedEntry, verify_chain
from kepil.domain.permits import Application, Stage
from kepil.services.permits.policies import POLICIES
from kepil.services.permits.ports import Notification
from kepil.services.permits.sweeper import SweepReport, sweep
from kepil.services.unit_of_work import EventPolicies

from .conftest import APPLICANT, APPLICANT_BIN, CLERK, Submit, form

# As bootstrap wires them: the sweep's events write the stage log and the cabinet.
POLICIES_OF_THE_WING = EventPolicies(POLICIES)


def _sweep(engine: Engine, calendar: WorkingCalendar, clock: MovableClock) -> SweepReport:
    return sweep(SqlUnitOfWork(engine, calendar, POLICIES_OF_THE_WING), clock)


def _log(engine: Engine) -> list[ChainedEntry]:
    uow = SqlUnitOfWork(engine)
    with uow:
        return list(uow.stage_log.all())


def _inbox(engine: Engine, recipient: str) -> list[Notification]:
    uow = SqlUnitOfWork(engine)
    with uow:
        return uow.notifications.for_recipient(recipient, 100)


def test_p10_overdue_stages_follow_the_working_calendar_across_nauryz_and_a_weekend(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    # Friday 20 March after hours: Nauryz (21-25 March) moves registration to Thursday the 26th,
    # completeness to Monday the 30th (over the weekend) and the 5-day term to Thursday 2 April.
    submit("APP-2026-000001", "2026-03-20T19:00")

    clock.set("2026-03-25T17:00")
    assert _sweep(migrated, calendar, clock).marked == ()

    clock.set("2026-03-26T18:31")
    assert _sweep(migrated, calendar, clock).per_stage == {"registration": 1}

    clock.set("2026-03-30T12:00")  # the weekend is not counted: completeness is still running
    assert _sweep(migrated, calendar, clock).marked == ()

    clock.set("2026-03-30T18:31")
    assert _sweep(migrated, calendar, clock).per_stage == {"completeness_check": 1}

    clock.set("2026-04-02T18:31")
    [term] = _sweep(migrated, calendar, clock).marked
    assert term.stage is Stage.SERVICE_TERM

    entries = _log(migrated)
    assert verify_chain(entries).intact
    assert [(e.record.case, e.record.stage, e.record.details["stage"]) for e in entries] == [
        ("APP-2026-000001", "stage_overdue", "registration"),
        ("APP-2026-000001", "stage_overdue", "completeness_check"),
        ("APP-2026-000001", "stage_overdue", "service_term"),
    ]
    assert entries[0].record.deadline == almaty("2026-03-26T18:30")
    assert entries[0].record.details["responsible"] == "clerk"
    assert entries[0].record.occurred_at == almaty("2026-03-26T18:31")


def test_p10_the_responsible_roles_and_the_applicants_cabinet_are_notified(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    submit("APP-2026-000002", "2026-03-20T19:00")
    clock.set("2026-03-31T09:00")  # registration and completeness overdue, the term not yet
    _sweep(migrated, calendar, clock)
    assert [n.kind for n in _inbox(migrated, "role:clerk")] == ["stage_overdue"]
    assert [n.kind for n in _inbox(migrated, "role:examiner")] == ["stage_overdue"]
    assert _inbox(migrated, APPLICANT_BIN) == []

    clock.set("2026-04-03T09:00")
    _sweep(migrated, calendar, clock)
    [head] = _inbox(migrated, "role:head")
    assert head.case_number == "APP-2026-000002"
    assert "срок оказания услуги" in head.message
    [cabinet] = _inbox(migrated, APPLICANT_BIN)
    assert cabinet.kind == "service_term_overdue"
    assert "02.04.2026 18:30" in cabinet.message


def test_p10_sweeping_again_reports_nothing_new(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    submit("APP-2026-000003", "2026-03-20T19:00")
    submit("APP-2026-000004", "2026-03-26T10:00")
    clock.set("2026-04-10T12:00")
    first = _sweep(migrated, calendar, clock)
    assert first.per_stage == {"registration": 2, "completeness_check": 2, "service_term": 2}
    clock.set("2026-04-20T12:00")
    assert _sweep(migrated, calendar, clock).marked == ()
    assert len(_log(migrated)) == 6
    assert len(_inbox(migrated, "role:examiner")) == 2


def test_p10_a_stage_settled_in_time_is_never_reported(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    application = submit("APP-2026-000005", "2026-03-20T19:00")
    application.register(CLERK, almaty("2026-03-26T10:00"))
    uow = SqlUnitOfWork(migrated, calendar)
    with uow:
        uow.applications.save(application, 1)
        uow.applications.record_events(application.pull_events(), None)
        uow.commit()
    clock.set("2026-03-31T09:00")
    assert _sweep(migrated, calendar, clock).per_stage == {"completeness_check": 1}


def test_p10_a_long_backlog_is_swept_in_batches(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    for n in range(4):
        submit(f"APP-2026-00010{n}", "2026-03-20T19:00")
    clock.set("2026-03-27T09:00")
    report = sweep(SqlUnitOfWork(migrated, calendar, POLICIES_OF_THE_WING), clock, limit=3)
    assert report.per_stage == {"registration": 4}
    assert verify_chain(_log(migrated)).checked == 4


def test_p10_two_sweepers_racing_report_each_overdue_stage_exactly_once(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    for n in range(6):
        submit(f"APP-2026-00020{n}", "2026-03-20T19:00")
    clock.set("2026-04-10T12:00")
    reports: list[SweepReport] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            reports.append(
                sweep(SqlUnitOfWork(migrated, calendar, POLICIES_OF_THE_WING), clock, limit=4)
            )
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    marked = [(i.application_number, i.stage) for r in reports for i in r.marked]
    assert len(marked) == 18
    assert len(set(marked)) == 18
    entries = _log(migrated)
    assert len(entries) == 18
    assert verify_chain(entries).intact


def test_p10_a_published_submission_keeps_the_stage_log_verifiable(
    migrated: Engine, calendar: WorkingCalendar
) -> None:
    application = Application.submit(
        "APP-2026-000301", form(), APPLICANT, almaty("2026-03-20T19:00"), calendar
    )
    uow = SqlUnitOfWork(migrated, calendar, POLICIES_OF_THE_WING)
    with uow:
        uow.applications.add(stored(application), [])
        events = application.pull_events()
        uow.applications.record_events(events, None)
        uow.emit(*events)
        uow.commit()
    assert verify_chain(_log(migrated)).intact


def test_p10_a_stage_reopened_with_a_new_due_moment_is_reported_overdue_again(
    migrated: Engine, calendar: WorkingCalendar, clock: MovableClock, submit: Submit
) -> None:
    # A moved hearing reopens its stage with a new due moment: the mark of the old one goes.
    submit("APP-2026-000009", "2026-03-20T19:00")
    clock.set("2026-03-26T18:31")
    assert _sweep(migrated, calendar, clock).per_stage == {"registration": 1}
    uow = SqlUnitOfWork(migrated, calendar)
    with uow:
        found = uow.applications.get("APP-2026-000009")
        assert found is not None
        found.application.deadlines.open(Stage.REGISTRATION, almaty("2026-03-27T18:30"))
        uow.applications.save(found.application, found.version)
        uow.commit()
    clock.set("2026-03-27T12:00")
    assert _sweep(migrated, calendar, clock).marked == ()
    clock.set("2026-03-27T18:31")
    assert _sweep(migrated, calendar, clock).per_stage == {"registration": 1}
