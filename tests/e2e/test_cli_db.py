"""`kepil db` applies and reports migrations on the configured database."""

from __future__ import annotations

from collections.abc import Callable
from subprocess import CompletedProcess

Kepil = Callable[..., CompletedProcess[str]]


def test_db_upgrade_then_current_reports_up_to_date(kepil: Kepil) -> None:
    upgraded = kepil("db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    assert "at revision" in upgraded.stdout
    current = kepil("db", "current")
    assert current.returncode == 0
    assert "up to date" in current.stdout


def test_db_upgrade_on_an_unreachable_database_fails_with_one_line(kepil: Kepil) -> None:
    done = kepil(
        "db", "upgrade", env={"KEPIL_DATABASE_URL": "postgresql://nobody@127.0.0.1:9/none"}
    )
    assert done.returncode == 1
    assert done.stderr.startswith("kepil: error: cannot migrate")
    assert "Traceback" not in done.stderr
