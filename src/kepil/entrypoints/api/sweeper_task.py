"""Periodic overdue sweeps inside `kepil serve` (Rules §10), on a thread of their own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kepil.bootstrap import Container
from kepil.services.permits.sweeper import SweepOverdue

log = logging.getLogger("kepil.sweeper")

Wait = Callable[[float], bool]
"""Wait up to the given seconds; True means stop (as `threading.Event.wait` answers)."""

# A sweep in progress is a few short transactions; shutdown waits for it rather than cut it.
STOP_TIMEOUT_SECONDS = 30.0


def sweep_periodically(run_once: Callable[[], object], interval: float, wait: Wait) -> None:
    """After each interval, sweep; a failed sweep is logged and the next one still runs."""
    # The first sweep waits one interval too: a short-lived process (a test client, a restart
    # loop) never races the database with a sweep it did not ask for.
    while not wait(interval):
        try:
            run_once()
        except Exception:
            log.exception("sweep failed; retrying after the next interval")


def _sweep_once(container: Container) -> None:
    report = container.bus.handle(SweepOverdue())
    if report.marked:
        log.info("overdue stages marked", extra={"marked": len(report.marked), **report.per_stage})


def start_sweeper(container: Container, wait: Wait | None = None) -> Callable[[], None]:
    """Sweep every `sweep_interval_seconds` in the background; call the result to stop."""
    stop = threading.Event()
    thread = threading.Thread(
        target=sweep_periodically,
        args=(lambda: _sweep_once(container), container.settings.sweep_interval_seconds),
        kwargs={"wait": wait or stop.wait},
        name="kepil-sweeper",
        daemon=True,
    )
    thread.start()

    def stop_sweeper() -> None:
        stop.set()
        thread.join(STOP_TIMEOUT_SECONDS)

    return stop_sweeper
