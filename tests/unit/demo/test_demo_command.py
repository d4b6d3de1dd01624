"""`kepil demo`'s exits: 0 when every step did its work, 1 naming the step that did not, 2 for
a folder it may not use; its temporary folder goes, a --dir stays."""

from __future__ import annotations

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


def test_the_callers_kepil_settings_do_not_reach_what_the_demo_starts(
    scratch: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, str] = {}

    def tell(told: Story, root: Path, children: Children) -> None:
        import os

        seen.update({k: v for k, v in os.environ.items() if k.startswith("KEPIL_")})
        with told.step("look at the environment"):
            pass

    monkeypatch.setenv("KEPIL_DATABASE_URL", "postgresql://someone@elsewhere/prod")
    monkeypatch.setattr(story, "tell", tell)
    result = runner.invoke(app, ["demo"])
    assert result.exit_code == 0, result.output
    assert seen == {}
