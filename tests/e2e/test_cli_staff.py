"""`kepil staff` grants, lists and revokes Ministry duties from a terminal."""

from __future__ import annotations

import json
from collections.abc import Callable
from subprocess import CompletedProcess

Kepil = Callable[..., CompletedProcess[str]]


def test_an_operator_grants_lists_and_revokes_a_duty(kepil: Kepil) -> None:
    granted = kepil("staff", "grant", "781102303459", "head", "--name", "РУКОВОДИТЕЛЕВ Е.")
    assert granted.returncode == 0, granted.stderr
    assert kepil("staff", "grant", "781102303459", "head", "--name", "X").stdout.endswith(
        "was already held\n"
    )
    listed = json.loads(kepil("staff", "list", "--json").stdout)
    assert [(m["iin"], m["role"], m["name"]) for m in listed] == [
        ("781102303459", "head", "РУКОВОДИТЕЛЕВ Е.")
    ]
    assert kepil("staff", "revoke", "781102303459", "head").returncode == 0
    assert json.loads(kepil("staff", "list", "--json").stdout) == []


def test_a_bad_iin_or_an_unknown_role_is_one_error_line(kepil: Kepil) -> None:
    bad_iin = kepil("staff", "grant", "781102303458", "head", "--name", "X")
    assert bad_iin.returncode == 2
    assert bad_iin.stderr.startswith("kepil: error:")
    assert "check digit" in bad_iin.stderr
    bad_role = kepil("staff", "grant", "781102303459", "minister", "--name", "X")
    assert bad_role.returncode == 2
    assert "unknown role" in bad_role.stderr
    assert "Traceback" not in bad_iin.stderr + bad_role.stderr
