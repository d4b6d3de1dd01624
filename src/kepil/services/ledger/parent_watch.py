"""Worker processes that never outlive the process that started them.

A worker's initializer calls watch_parent with its parent's pid: a daemon thread then waits for
the parent to end and ends the worker at once, however the parent ended (kill -9 included, when
no shutdown code runs). On Linux it waits on a pidfd of the parent, which becomes readable when
the parent exits; elsewhere it checks every second whether the worker was re-parented.

Not PR_SET_PDEATHSIG: that signal follows the *thread* that started the child, and a process
pool starts workers from whichever thread submits first (an HTTP worker thread, retired when
idle, would take the pool's workers with it).
"""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable
from typing import Final

_POLL_SECONDS: Final = 1.0  # only without pidfds (not Linux)


def watch_parent(parent: int) -> None:
    """End this process as soon as `parent` (the pid that started it) is gone."""
    # Ctrl-C reaches the whole process group; the parent handles it and closes its pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    wait = _pidfd_wait(parent) or _poll_wait(parent)
    threading.Thread(target=_exit_after, args=(wait,), name="parent-watch", daemon=True).start()


def _pidfd_wait(parent: int) -> Callable[[], None] | None:
    pidfd_open = getattr(os, "pidfd_open", None)
    if pidfd_open is None:
        return None
    try:
        handle = pidfd_open(parent)
    except OSError:  # no pidfds in this kernel, or the parent is gone already
        _exit_if_orphaned(parent)
        return None
    # The pid may have been reused if the parent died before pidfd_open: while this process's
    # parent is still `parent`, it is alive and the handle is the parent's.
    _exit_if_orphaned(parent)

    def wait() -> None:
        select.select([handle], [], [])

    return wait


def _poll_wait(parent: int) -> Callable[[], None]:
    def wait() -> None:
        stop = threading.Event()  # never set: a wait that cannot be cut short
        while os.getppid() == parent:
            stop.wait(_POLL_SECONDS)

    return wait


def _exit_if_orphaned(parent: int) -> None:
    if os.getppid() != parent:
        os._exit(0)


def _exit_after(wait: Callable[[], None]) -> None:
    wait()
    # No one is left to collect results; exit without running the pool's shutdown code.
    os._exit(0)
