"""The periodic sweep inside `kepil serve`: paced by an injected wait, never by real sleeping."""

from __future__ import annotations

import logging
import threading
from types import SimpleNamespace
from typing import Any

import pytest

from kepil.entrypoints.api.sweeper_task import start_sweeper, sweep_periodically


class ScriptedWait:
    """Answers `stop?` from a script and records the intervals it was asked to wait."""

    def __init__(self, *answers: bool) -> None:
        self.answers = list(answers)
        self.waited: list[float] = []

    def __call__(self, seconds: float) -> bool:
        self.waited.append(seconds)
        return self.answers.pop(0)


def test_p10_a_sweep_runs_after_every_interval_until_stopped() -> None:
    runs: list[int] = []
    wait = ScriptedWait(False, False, True)
    sweep_periodically(lambda: runs.append(1), 60.0, wait)
    assert len(runs) == 2
    assert wait.waited == [60.0, 60.0, 60.0]


def test_p10_a_failed_sweep_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    outcomes: list[str] = []

    def flaky() -> None:
        outcomes.append("tried")
        if len(outcomes) == 1:
            raise RuntimeError("database went away")

    with caplog.at_level(logging.ERROR, logger="kepil.sweeper"):
        sweep_periodically(flaky, 1.0, ScriptedWait(False, False, True))
    assert outcomes == ["tried", "tried"]
    assert "sweep failed" in caplog.text
    assert "database went away" in caplog.text


def test_stopping_the_sweeper_ends_its_thread_without_waiting_out_the_interval() -> None:
    # An hour-long interval: if stopping waited for it, the test would hang, not pass slowly.
    container: Any = SimpleNamespace(settings=SimpleNamespace(sweep_interval_seconds=3600.0))
    stop = start_sweeper(container)
    assert "kepil-sweeper" in {t.name for t in threading.enumerate()}
    stop()
    assert "kepil-sweeper" not in {t.name for t in threading.enumerate()}
