"""The sweeper `kepil serve` runs: it sweeps the container's database and stops with the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.support.clock import MovableClock

from kepil.adapters.db.unit_of_work import SqlUnitOfWork
from kepil.bootstrap import Container, bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app
from kepil.entrypoints.api.sweeper_task import start_sweeper

from .conftest import Submit


@pytest.fixture
def container(
    database_url: str, tmp_path: Path, clock: MovableClock, migrated: Engine
) -> Iterator[Container]:
    settings = Settings(database_url=database_url, data_dir=tmp_path, sweep_interval_seconds=45)
    built = bootstrap(settings, clock=clock)
    yield built
    built.close()


def _sweeper_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kepil-sweeper"]


def test_p10_the_background_sweeper_marks_overdue_stages_at_each_interval(
    container: Container, clock: MovableClock, submit: Submit
) -> None:
    submit("APP-2026-000031", "2026-03-20T19:00")
    clock.set("2026-03-27T09:00")
    waited: list[float] = []
    swept = threading.Event()

    def one_interval_then_stop(seconds: float) -> bool:
        waited.append(seconds)
        if len(waited) == 1:
            return False
        swept.set()
        return True

    stop = start_sweeper(container, wait=one_interval_then_stop)
    assert swept.wait(timeout=30)
    stop()
    assert waited == [45, 45]
    uow = SqlUnitOfWork(container.engine)
    with uow:
        [entry] = list(uow.stage_log.all())
        [told] = uow.notifications.for_recipient("role:clerk", 10)
    assert entry.record.details["stage"] == "registration"
    assert told.case_number == "APP-2026-000031"


def test_p10_the_app_starts_its_sweeper_at_startup_and_stops_it_at_shutdown(
    container: Container,
) -> None:
    assert _sweeper_threads() == []
    with TestClient(create_app(container)) as client:
        assert client.get("/healthz").status_code == 200
        assert len(_sweeper_threads()) == 1
    assert _sweeper_threads() == []
