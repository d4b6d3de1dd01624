"""The applier thread: committed entries are applied off the Raft engine's thread, in order.

pysyncobj calls a replicated method on its one engine thread, which also sends, receives and
acknowledges. Applying a block there (tens of milliseconds of signatures, execution and SQLite)
froze that node's part of the protocol meanwhile: a busy follower acknowledged the next entry
only after applying the last, and a busy leader sent nothing, so replication and application
took turns instead of overlapping. The engine now only hands each committed entry over.

Nothing is lost by the hand-over: pysyncobj keeps every entry after its last snapshot in its
journal and, after a restart, delivers them all again from there (the applier skips what its
store already holds); a snapshot's copy starts only once every entry handed over before it was
asked for is applied (`wait_applied(handed)`), so it holds every entry the engine counts as
applied. A failing entry (a full disk, say) is retried until it applies, never
skipped, as pysyncobj itself did with an exception from the engine's thread.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Final

log = logging.getLogger("kepil.raft")

RETRY_PAUSE: Final = 0.5


class Applier:
    """Applies handed-over (index, entry) pairs on its own thread, in the order handed over."""

    def __init__(self, apply: Callable[[int, str], None]) -> None:
        """Call `apply(index, entry)` for each entry handed over, until it succeeds."""
        self._apply = apply
        self._queue: deque[tuple[int, str]] = deque()
        self._changed = threading.Condition()
        self._applied = 0  # the last index `apply` returned from
        self._handed = 0  # the last index handed over
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="raft-applier", daemon=True)
        self._thread.start()

    def hand_over(self, index: int, entry: str) -> None:
        """Queue the entry at `index` (the engine's thread; returns at once)."""
        with self._changed:
            self._queue.append((index, entry))
            self._handed = max(self._handed, index)
            self._changed.notify_all()

    @property
    def handed(self) -> int:
        """The last index handed over."""
        return self._handed

    @property
    def applied(self) -> int:
        """The last index applied."""
        return self._applied

    def wait_applied(self, index: int, timeout: float) -> bool:
        """Wait until the entry at `index` is applied; False on timeout or close."""
        with self._changed:
            return self._changed.wait_for(
                lambda: self._applied >= index or self._closing, timeout
            ) and (self._applied >= index)

    def drain(self, timeout: float | None = None) -> bool:
        """Wait until every entry handed over is applied; False on timeout or close."""
        with self._changed:
            return self._changed.wait_for(
                lambda: (not self._queue and not self._busy) or self._closing, timeout
            ) and not (self._queue or self._busy)

    def close(self, timeout: float = 10.0) -> None:
        """Apply what is queued (within `timeout`), then stop the thread."""
        self.drain(timeout)
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._queue or self._closing)
                if self._closing:
                    return
                index, entry = self._queue[0]
                self._busy = True
            applied = self._apply_until_done(index, entry)
            with self._changed:
                self._busy = False
                if applied:
                    self._queue.popleft()
                    self._applied = max(self._applied, index)
                self._changed.notify_all()
            if not applied:
                return

    def _apply_until_done(self, index: int, entry: str) -> bool:
        while True:
            try:
                self._apply(index, entry)
                return True
            except Exception:
                log.exception("log entry %d could not be applied; retrying", index)
            with self._changed:
                if self._changed.wait_for(lambda: self._closing, RETRY_PAUSE):
                    return False
