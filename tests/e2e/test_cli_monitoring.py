"""`kepil monitoring verify` tells an intact stage log from a tampered one."""

from __future__ import annotations

import json
import shutil
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from subprocess import CompletedProcess

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.domain.monitoring import StageRecord

Kepil = Callable[..., CompletedProcess[str]]


def _seed(data_dir: Path) -> None:
    container = bootstrap(Settings(data_dir=data_dir))
    uow = container.uow()
    with uow:
        for n in range(3):
            uow.stage_log.append(
                StageRecord(f"A-{n}", "application_registered", "clerk", datetime.now(UTC))
            )
        uow.commit()
    container.close()


def test_an_untouched_log_verifies(kepil: Kepil, tmp_path: Path) -> None:
    _seed(tmp_path / "data")
    done = kepil("monitoring", "verify")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "intact": True,
        "checked": 3,
        "first_broken_seq": None,
        "reason": None,
    }


def test_an_edited_entry_is_named_and_exits_1(kepil: Kepil, tmp_path: Path) -> None:
    _seed(tmp_path / "data")
    with sqlite3.connect(tmp_path / "data" / "kepil.sqlite3") as db:
        db.execute("UPDATE monitoring_events SET stage = 'permit_issued' WHERE seq = 2")
    done = kepil("monitoring", "verify")
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_broken_seq"] == 2


def test_a_deleted_tail_is_named_and_exits_1(kepil: Kepil, tmp_path: Path) -> None:
    _seed(tmp_path / "data")
    with sqlite3.connect(tmp_path / "data" / "kepil.sqlite3") as db:
        db.execute("DELETE FROM monitoring_events WHERE seq = 3")
    done = kepil("monitoring", "verify")
    assert done.returncode == 1
    assert json.loads(done.stdout)["first_broken_seq"] == 3


def test_verifying_an_empty_database_neither_migrates_it_nor_makes_a_test_pki(
    kepil: Kepil, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    data.mkdir()
    sqlite3.connect(data / "kepil.sqlite3").close()  # exists, but no schema
    done = kepil("monitoring", "verify")
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kepil: error: ")
    assert "kepil db upgrade" in lines[0]
    with sqlite3.connect(data / "kepil.sqlite3") as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == []
    assert not Settings(data_dir=data).test_pki_dir.exists()


def test_verifying_without_any_database_leaves_no_file_behind(kepil: Kepil, tmp_path: Path) -> None:
    done = kepil("monitoring", "verify")
    assert done.returncode == 2
    assert done.stderr.startswith("kepil: error: ")
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "data").exists()


def test_verifying_a_seeded_log_creates_no_test_pki(kepil: Kepil, tmp_path: Path) -> None:
    data = tmp_path / "data"
    _seed(data)
    shutil.rmtree(Settings(data_dir=data).test_pki_dir)  # the seeding bootstrap made one
    assert kepil("monitoring", "verify").returncode == 0
    assert not Settings(data_dir=data).test_pki_dir.exists()


def test_an_unreachable_database_is_one_error_line(kepil: Kepil) -> None:
    done = kepil(
        "monitoring", "verify", env={"KEPIL_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    )
    assert done.returncode == 2
    assert done.stderr.startswith("kepil: error: cannot read")
    assert len(done.stderr.splitlines()) == 1, done.stderr
