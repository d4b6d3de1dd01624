"""`kepil staff` grants, lists and revokes Ministry duties from a terminal."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from subprocess import CompletedProcess

Kepil = Callable[..., CompletedProcess[str]]


def test_an_operator_grants_lists_and_revokes_a_duty(kepil: Kepil) -> None:
    assert kepil("db", "upgrade").returncode == 0
    granted = kepil("staff", "grant", "781102303459", "head", "--name", "РУКОВОДИТЕЛЕВ Е.")
    assert granted.returncode == 0, granted.stderr
    assert "was already held in sqlite:///" in (
        kepil("staff", "grant", "781102303459", "head", "--name", "X").stdout
    )
    listed = json.loads(kepil("staff", "list", "--json").stdout)
    assert [(m["iin"], m["role"], m["name"]) for m in listed] == [
        ("781102303459", "head", "РУКОВОДИТЕЛЕВ Е.")
    ]
    assert kepil("staff", "revoke", "781102303459", "head").returncode == 0
    assert json.loads(kepil("staff", "list", "--json").stdout) == []


def test_a_bad_iin_or_an_unknown_role_is_one_error_line(kepil: Kepil) -> None:
    assert kepil("db", "upgrade").returncode == 0
    bad_iin = kepil("staff", "grant", "781102303458", "head", "--name", "X")
    assert bad_iin.returncode == 2
    assert bad_iin.stderr.startswith("kepil: error:")
    assert "check digit" in bad_iin.stderr
    bad_role = kepil("staff", "grant", "781102303459", "minister", "--name", "X")
    assert bad_role.returncode == 2
    assert "unknown role" in bad_role.stderr
    assert "Traceback" not in bad_iin.stderr + bad_role.stderr


def test_the_granted_line_names_the_database_it_was_written_to(
    kepil: Kepil, tmp_path: Path
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    granted = kepil("staff", "grant", "781102303459", "head", "--name", "X")
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout == (
        f"781102303459: head granted in sqlite:///{tmp_path / 'data' / 'kepil.sqlite3'}\n"
    )


def test_a_mistyped_data_directory_is_refused_and_no_database_is_created(
    kepil: Kepil, tmp_path: Path
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    mistyped = tmp_path / "dta"
    for args in (
        ("staff", "grant", "781102303459", "head", "--name", "X"),
        ("staff", "revoke", "781102303459", "head"),
        ("staff", "list"),
    ):
        done = kepil(*args, env={"KEPIL_DATA_DIR": str(mistyped)})
        assert done.returncode == 2
        [line] = done.stderr.splitlines()
        assert line.startswith(f"kepil: error: no database at sqlite:///{mistyped}")
        assert "kepil db upgrade" in line
        assert done.stdout == ""
    assert not mistyped.exists()


def test_a_database_without_the_kepil_schema_is_refused(kepil: Kepil, tmp_path: Path) -> None:
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()
    done = kepil(
        "staff", "grant", "781102303459", "head", "--name", "X",
        env={"KEPIL_DATABASE_URL": f"sqlite:///{empty}"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "holds no kepil schema" in done.stderr


def test_the_operator_grants_the_first_administrator_from_a_terminal(
    kepil: Kepil,
) -> None:
    assert kepil("db", "upgrade").returncode == 0
    granted = kepil(
        "staff", "grant", "850315400124", "administrator", "--name", "АДМИНОВА АЙГУЛЬ",
        "--position", "главный специалист отдела кадров",
    )  # fmt: skip
    assert granted.returncode == 0, granted.stderr
    assert granted.stdout.startswith("850315400124: administrator granted in sqlite:///")
    listed = json.loads(kepil("staff", "list", "--json").stdout)
    assert [(m["iin"], m["role"]) for m in listed] == [("850315400124", "administrator")]
    assert listed[0]["granted_by"].startswith("cli")
    assert "administrator" in kepil("staff", "grant", "--help").stdout
