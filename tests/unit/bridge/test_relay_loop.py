"""The relay's loop inside `kepil serve`: a failed pass is logged and the next one still runs."""

from __future__ import annotations

import logging

import pytest

from kepil.entrypoints.api.relay_task import relay_periodically
from kepil.services.bridge.relay import Relay, RelayReport


class _Flaky(Relay):
    def __init__(self) -> None:
        self.passes = 0

    def run_once(self) -> RelayReport:
        self.passes += 1
        if self.passes == 1:
            raise RuntimeError("the database is restarting")
        return RelayReport()


def test_a_failed_pass_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    relay, waits = _Flaky(), []

    def wait(seconds: float) -> bool:
        waits.append(seconds)
        return len(waits) > 2

    with caplog.at_level(logging.ERROR, logger="kepil.relay"):
        relay_periodically(relay, 0.5, wait)

    assert relay.passes == 2
    assert waits == [0.5, 0.5, 0.5]
    assert "relay pass failed" in caplog.text
