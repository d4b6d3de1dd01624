"""`kepil sweep` from a terminal: one sweep of the embedded database, reported per stage."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

# The stored-application builder of the integration tests: one valid form, not two copies.
from tests.integration.monitoring.conftest import store

from kepil.bootstrap import bootstrap
from kepil.config import Settings

Kepil = Callable[..., CompletedProcess[str]]


def _seed(data_dir: Path, *received: str) -> None:
    # Received in 2025: by the host's real clock every deadline of these has long passed.
    container = bootstrap(Settings(data_dir=data_dir))
    for n, moment in enumerate(received, start=1):
        store(container.engine, container.calendar, f"APP-2025-{n:06d}", moment)
    container.close()


def test_p10_kepil_sweep_marks_each_overdue_stage_once_and_counts_them_per_stage(
    kepil: Kepil, tmp_path: Path
) -> None:
    _seed(tmp_path / "data", "2025-11-14T19:00", "2025-12-01T10:00")
    first = kepil("sweep", "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["marked"] == 6
    assert report["per_stage"] == {"registration": 2, "completeness_check": 2, "service_term": 2}
    assert {s["responsible"] for s in report["stages"]} == {"clerk", "examiner", "head"}

    again = kepil("sweep", "--json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["marked"] == 0

    verified = kepil("monitoring", "verify")
    assert json.loads(verified.stdout) == {
        "intact": True,
        "checked": 6,
        "first_broken_seq": None,
        "reason": None,
    }


def test_p10_kepil_sweep_tells_a_person_what_it_marked(kepil: Kepil, tmp_path: Path) -> None:
    _seed(tmp_path / "data", "2025-11-14T19:00")
    first = kepil("sweep")
    assert first.returncode == 0, first.stderr
    lines = first.stdout.splitlines()
    assert lines[0].endswith(": 3 overdue marked")
    assert lines[1:] == ["  completeness_check: 1", "  registration: 1", "  service_term: 1"]
    again = kepil("sweep")
    assert again.stdout.strip().endswith("no new overdue stages")


def test_sweeping_a_fresh_data_directory_migrates_it_and_finds_nothing(kepil: Kepil) -> None:
    done = kepil("sweep", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["marked"] == 0


def test_sweeping_an_unreachable_database_is_one_error_line(kepil: Kepil) -> None:
    done = kepil("sweep", env={"KEPIL_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"})
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("kepil: error: cannot open the database")
    assert len(done.stderr.splitlines()) == 1, done.stderr
