"""The §10 stage log: chained, append-only, safe under concurrent appenders, on both databases."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, text

from kepil.adapters.db import migrate
from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.domain.monitoring import StageRecord, verify_chain
from kepil.services.permits.monitoring import check_chain

AT = datetime(2026, 4, 10, 4, 0, tzinfo=UTC)


def _record(n: int) -> StageRecord:
    return StageRecord(
        f"APP-{n}",
        "application_registered",
        "clerk:900101300126",
        AT + timedelta(seconds=n),
        AT + timedelta(days=2),
        {"n": n, "ru": "принято"},
    )


def test_appended_stages_form_an_intact_chain_readable_as_a_feed(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    for n in range(1, 6):
        with uow:
            uow.stage_log.append(_record(n))
            uow.commit()
    with uow:
        feed = uow.stage_log.after(2, limit=2)
        everything = list(uow.stage_log.all(batch=2))
    assert [entry.seq for entry in feed] == [3, 4]
    assert feed[0].record == _record(3)
    assert verify_chain(everything).intact
    assert verify_chain(everything).checked == 5


def test_an_edited_row_is_detected(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    for n in range(1, 4):
        with uow:
            uow.stage_log.append(_record(n))
            uow.commit()
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE monitoring_events SET actor = 'someone else' WHERE seq = 2")
        )
    with uow:
        check = verify_chain(uow.stage_log.all())
    assert not check.intact
    assert check.first_broken_seq == 2


def test_a_rolled_back_transaction_leaves_no_entry_and_no_gap(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    with uow:
        uow.stage_log.append(_record(1))  # never committed
    with uow:
        uow.stage_log.append(_record(2))
        uow.commit()
    with uow:
        entries = list(uow.stage_log.all())
    assert [entry.seq for entry in entries] == [1]
    assert entries[0].record.case == "APP-2"


def test_concurrent_appenders_never_fork_the_chain(engine: Engine) -> None:
    migrate.upgrade(engine)
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        try:
            for n in range(10):
                uow = SqlUnitOfWork(engine)
                with uow:
                    uow.stage_log.append(_record(worker * 100 + n))
                    uow.commit()
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=append_many, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    uow = SqlUnitOfWork(engine)
    with uow:
        entries = list(uow.stage_log.all())
    assert [entry.seq for entry in entries] == list(range(1, 41))
    assert verify_chain(entries).intact


def test_a_cut_tail_is_detected_because_the_head_still_names_it(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    for n in range(1, 5):
        with uow:
            uow.stage_log.append(_record(n))
            uow.commit()
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM monitoring_events WHERE seq >= 3"))
    check = check_chain(uow)
    assert not check.intact
    assert (check.checked, check.first_broken_seq) == (2, 3)
    assert check.reason is not None
    assert "head names seq 4" in check.reason


def test_entries_forged_beyond_the_head_are_detected(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    for n in range(1, 3):
        with uow:
            uow.stage_log.append(_record(n))
            uow.commit()
    with uow:
        uow.stage_log.append(_record(3))
        uow.commit()
    with engine.begin() as connection:
        # The third entry stays, but the head is put back as if it had never been appended.
        connection.execute(
            text(
                "UPDATE monitoring_head SET seq = 2, "
                "hash = (SELECT hash FROM monitoring_events WHERE seq = 2)"
            )
        )
    check = check_chain(uow)
    assert not check.intact
    assert check.first_broken_seq == 3


def test_an_untouched_log_checks_up_to_its_head(engine: Engine) -> None:
    migrate.upgrade(engine)
    uow = SqlUnitOfWork(engine)
    assert check_chain(uow).intact
    for n in range(1, 4):
        with uow:
            uow.stage_log.append(_record(n))
            uow.commit()
    check = check_chain(uow)
    assert (check.intact, check.checked) == (True, 3)
