"""`kepil demo`'s exits: 0 when every step did its work, 1 naming the step that did not, 2 for
a folder it may not use; its temporary folder goes, a --dir stays."""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kepil.entrypoints.cli.main import app
from kepil.entrypoints.demo import story
from kepil.entrypoints.demo.processes import Children
from kepil.entrypoints.demo.steps import Story

runner = CliRunner()


@pytest.fixture
def scratch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Where the demo makes its temporary folder."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _one_step(ok: bool) -> object:
    def tell(told: Story, root: Path, children: Children) -> None:
        (root / "serve.log").write_text("a log")
        with told.step("sign the permit") as step:
            step.look("registry entry", "http://127.0.0.1:1/registry/REG-1")
            step.check(ok, "the head's signature was refused")

    return tell


def test_a_story_whose_steps_all_succeed_exits_0_and_removes_its_temporary_folder(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story, "tell", _one_step(ok=True))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:1/registry/REG-1" in result.output
    assert "1 steps in" in result.output
    assert list(scratch.iterdir()) == []


def test_a_failed_step_exits_1_naming_it(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story, "tell", _one_step(ok=False))
    result = runner.invoke(app, ["demo", "--keep"])
    assert result.exit_code == 1, result.output
    assert "FAILED at step “sign the permit”: the head's signature was refused" in result.output
    kept = list(scratch.iterdir())
    assert len(kept) == 1
    assert (kept[0] / "serve.log").exists()  # --keep: the logs stay to be read


def test_the_folder_given_with_dir_is_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(story, "tell", _one_step(ok=True))
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path / "mine")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "mine" / "serve.log").exists()


def test_a_folder_that_is_not_empty_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(story, "tell", _one_step(ok=True))
    (tmp_path / "someone's file").write_text("keep me")
    result = runner.invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 2
    assert "must be an empty folder" in result.output
    assert (tmp_path / "someone's file").read_text() == "keep me"


def test_the_callers_environment_is_left_as_it_was(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEPIL_DATABASE_URL", "postgresql://someone@elsewhere/prod")
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    before = dict(os.environ)
    monkeypatch.setattr(story, "tell", _one_step(ok=True))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert dict(os.environ) == before


def test_a_sigterm_during_the_cleanup_does_not_cut_it_short(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[str] = []

    def stop_all(children: Children, timeout: float = 0.0) -> None:
        # A service manager that loses patience sends its SIGTERM again while we stop.
        os.kill(os.getpid(), signal.SIGTERM)
        stopped.append("every child")

    before = signal.getsignal(signal.SIGTERM)
    monkeypatch.setattr(Children, "stop_all", stop_all)
    monkeypatch.setattr(story, "tell", _one_step(ok=True))
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert stopped == ["every child"]
    assert "removed" in result.output
    assert list(scratch.iterdir()) == []
    assert signal.getsignal(signal.SIGTERM) == before
