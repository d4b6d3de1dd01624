"""A bug in a command is one line naming a file with the traceback and exit 1, never a dump."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kepil.entrypoints.cli import main as cli


def test_an_unexpected_exception_is_one_line_pointing_at_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(**_: Any) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr(cli, "app", broken)
    with pytest.raises(SystemExit) as exited:
        cli.main()
    assert exited.value.code == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith("kepil: internal error: RuntimeError: a bug over two lines")
    log = Path(line.split("the traceback is in ")[1].split(";")[0])
    try:
        assert "Traceback" in log.read_text()
        assert "Traceback" not in captured.err
    finally:
        log.unlink()
