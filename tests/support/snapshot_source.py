"""A fake of the applier's durable state for the snapshot tests: a log index and tiny copies."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path


class FakeView:
    """A state view whose copy is a one-table SQLite file, and can be held back or fail."""

    def __init__(self, log_index: int, gate: threading.Event, fail: bool) -> None:
        self.log_index = log_index
        self._gate = gate
        self._fail = fail
        self.closed = False

    def copy_to(self, target: Path) -> None:
        self._gate.wait(5)
        if self._fail:
            raise OSError("disk full")
        with closing(sqlite3.connect(target)) as copy, copy:
            copy.execute("CREATE TABLE state (log_index INTEGER)")
            copy.execute("INSERT INTO state VALUES (?)", (self.log_index,))
        self.closed = True

    def close(self) -> None:
        self.closed = True


class FakeSource:
    """The applier's state: a log index that applying advances."""

    def __init__(self) -> None:
        self.applied = 0
        self.installed: list[Path] = []
        self.gate = threading.Event()
        self.gate.set()
        self.opened = threading.Event()
        self.fail = False

    def applied_log_index(self) -> int:
        return self.applied

    def open_snapshot(self) -> FakeView:
        self.opened.set()
        return FakeView(self.applied, self.gate, self.fail)

    def install_snapshot(self, source: Path) -> None:
        self.installed.append(source)
