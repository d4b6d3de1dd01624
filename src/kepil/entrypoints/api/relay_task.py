"""The relay of registry changes to the platforms inside `kepil serve`, on a thread of its own."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kepil.bootstrap import Container
from kepil.bootstrap.relay import relay
from kepil.entrypoints.api.sweeper_task import STOP_TIMEOUT_SECONDS, Wait
from kepil.services.bridge.relay import Relay

log = logging.getLogger("kepil.relay")


def relay_periodically(relay_: Relay, interval: float, wait: Wait) -> None:
    """After each interval, a pass; a failed pass is logged and the next one still runs."""
    # The first pass waits one interval too, as the sweeper's: a short-lived process (a test
    # client, a restart loop) never races the database with a pass it did not ask for.
    while not wait(interval):
        try:
            relay_.run_once()
        except Exception:
            log.exception("relay pass failed; retrying after the next interval")


def start_relay(container: Container, wait: Wait | None = None) -> Callable[[], None]:
    """Relay every `relay_interval_seconds` in the background; call the result to stop."""
    stop = threading.Event()
    thread = threading.Thread(
        target=relay_periodically,
        args=(
            relay(container.settings, container.engine, container.clock),
            container.settings.relay_interval_seconds,
        ),
        kwargs={"wait": wait or stop.wait},
        name="kepil-relay",
        daemon=True,
    )
    thread.start()

    def stop_relay() -> None:
        stop.set()
        thread.join(STOP_TIMEOUT_SECONDS)

    return stop_relay
