"""A consistent, read-only view of a ledger file, copied while the node goes on committing.

The view is a read transaction of its own connection: in WAL mode it sees the file exactly as it
was when the transaction began, whatever is committed after, so a copy of a large ledger no
longer holds the store's lock (before: the whole copy ran under it, and every commit and read
waited for it).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Final

_PAGES_PER_STEP: Final = 1024  # 4 MiB: the GIL and the disk are shared with the committing thread


class SqliteStateView:
    """The ledger file as committed at one moment, at `log_index`."""

    def __init__(self, path: Path) -> None:
        """Begin a read transaction on `path`; the caller holds the store's lock meanwhile."""
        self._conn = sqlite3.connect(
            f"file:{path}?mode=ro", uri=True, isolation_level=None, check_same_thread=False
        )
        try:
            self._conn.execute("BEGIN")
            # The first read fixes the snapshot the transaction sees.
            row = self._conn.execute("SELECT value FROM meta WHERE name = 'log_index'").fetchone()
        except BaseException:
            self._conn.close()
            raise
        self.log_index = 0 if row is None else int(row[0])

    def copy_to(self, target: Path) -> None:
        """Write the viewed state to `target` (a new SQLite file), then release the view."""
        try:
            with sqlite3.connect(target) as copy:
                self._conn.backup(copy, pages=_PAGES_PER_STEP)
            copy.close()
        finally:
            self.close()

    def close(self) -> None:
        """End the read transaction (a view that was not copied)."""
        self._conn.close()
