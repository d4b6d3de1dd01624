"""The relay `kepil serve` runs: it starts and stops with the app; KEPIL_RELAY=off keeps it out."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kepil.bootstrap import bootstrap
from kepil.config import Settings
from kepil.entrypoints.api.app import create_app


def _relay_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kepil-relay" and t.is_alive()]


@pytest.mark.parametrize(("setting", "running"), [("on", 1), ("off", 0)])
def test_serve_runs_the_relay_unless_it_is_turned_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str, running: int
) -> None:
    monkeypatch.setenv("KEPIL_RELAY", setting)
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'k.sqlite3'}", data_dir=tmp_path)
    assert settings.relay is (setting == "on")
    before = len(_relay_threads())
    with TestClient(create_app(bootstrap(settings))):
        assert len(_relay_threads()) == before + running
    assert len(_relay_threads()) == before
