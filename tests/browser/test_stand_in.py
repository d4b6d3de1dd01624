"""The NCALayer stand-in fixture itself: a taken port is said plainly, not waited out."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from tests.browser.ncalayer import HOST, PORT, NCALayerPort, StandIn


def test_a_taken_ncalayer_port_fails_at_once_saying_what_to_do(
    ncalayer_port: NCALayerPort, applicant_keys: tuple[Path, Path], tmp_path: Path
) -> None:
    ncalayer_port.close()
    taken = pytest.raises(RuntimeError, match=r"NCALayer's port, is taken.*ss -ltnp")
    with socket.create_server((HOST, PORT)), taken:  # held as a real NCALayer would hold it
        StandIn(applicant_keys, "first", tmp_path).start()
