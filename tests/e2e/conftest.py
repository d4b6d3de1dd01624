"""End-to-end helpers: run the installed `kepil` command as a user would."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

KEPIL = shutil.which("kepil", path=str(Path(sys.executable).parent)) or "kepil"


@pytest.fixture
def kepil(tmp_path: Path) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `kepil ARGS...` in a scratch data directory; returns the finished process."""

    def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        environment = {**os.environ, "KEPIL_DATA_DIR": str(tmp_path / "data"), **(env or {})}
        return subprocess.run(
            [KEPIL, *args], capture_output=True, text=True, env=environment, timeout=60, check=False
        )

    return run


@pytest.fixture
def kepil_executable() -> str:
    """Path of the installed `kepil` console script."""
    return KEPIL
