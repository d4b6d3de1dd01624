"""`kepil monitoring verify` tells an intact stage log from a tampered one."""

from __future__ import annotations

import json
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
