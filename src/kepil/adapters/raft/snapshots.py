"""The engine's snapshot file: a copy of the applier's SQLite file holding the engine's record.

pysyncobj compacts its log by asking for a snapshot of the state at its last applied entry and
drops the entries up to it once the snapshot is stored; it also ships that file to a member too
far behind for the log. Written on the engine's own thread, a copy of a 100 MB ledger stopped
the engine (heartbeats, replication, every node's commits when it was the leader) for 0.3-2 s
several times a minute. So the copy runs on a thread of its own, by pysyncobj's asynchronous
serializer protocol:

- `write` (engine thread): starts the copy's thread and raises `_Deferred`; pysyncobj takes the
  exception as "not stored" and so does not rename its own (never written) temporary file over
  the last good snapshot. The copy's thread waits until the applier has applied every entry
  handed over so far (waiting on the engine's thread stopped heartbeats and replication for
  40-530 ms per snapshot, measured), opens a read-only view of the state (commits go on
  meanwhile) and copies it into a file of our own. The view may be a few entries past the
  engine's record: after a restore the engine delivers those entries again and the applier's
  store skips the indexes it already holds;
- `check` (engine thread, every tick): SERIALIZING while the copy runs; once it is written and
  fsynced, renames it over the snapshot file, fsyncs the directory and answers SUCCESS, which is
  when pysyncobj drops the entries it covers. The snapshot file is at every moment a whole
  snapshot: the last one, or the new one.
- `read` (engine thread): loads a snapshot (at start, or one received from the leader). A copy
  still running is waited for and thrown away, so it cannot replace the newer file afterwards.

The engine's record (last entry, previous entry, members) goes into a table of the copy; it is
pickled because pysyncobj itself exchanges it as pickles, and the file only ever comes from this
node's disk or from a peer over the password-authenticated channel. A received snapshot replaces
the local state only when it is newer, so a restart that reloads an old file loses nothing.
Files of the earliest layout (a pickled header, then the copy) are still read.

Loading a snapshot first lets this node's durable journal start at the snapshot's last entries
(`DurableJournal.keep_after_snapshot`): a crash between saving a snapshot and compacting the log
must not cost the entries after it. `install()` makes pysyncobj fsync a received snapshot before
renaming it over the last one, and the directory after (it renamed it unsynced).
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import sqlite3
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any, Final

import pysyncobj.serializer
from pysyncobj import SERIALIZER_STATE

from kepil.adapters.durable_files import fsync_path, replace_durably
from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.journal import opened
from kepil.services.ledger.consensus import SnapshotSource, StateView

log = logging.getLogger("kepil.raft")

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
_NOT_SERIALIZING: Final[int] = SERIALIZER_STATE.NOT_SERIALIZING
_SERIALIZING: Final[int] = SERIALIZER_STATE.SERIALIZING
_SUCCESS: Final[int] = SERIALIZER_STATE.SUCCESS
_FAILED: Final[int] = SERIALIZER_STATE.FAILED
APPLY_WAIT_SECONDS: Final = 60.0  # then the snapshot fails and pysyncobj asks again later


class _Deferred(Exception):  # noqa: N818 - a signal to pysyncobj, not an error
    """Raised to pysyncobj's serializer: the snapshot is being written; ask `check`."""


class _Copy:
    """One snapshot being written on its own thread."""

    def __init__(
        self,
        source: SnapshotSource,
        applier: Applier,
        raft_data: Any,
        target: Path,
    ) -> None:
        self.target = target
        self.error: BaseException | None = None
        self.abandoned = False
        self.log_index = 0
        self.wait_seconds = 0.0
        self.copy_seconds = 0.0
        self._source = source
        self._applier = applier
        self._handed = applier.handed
        self._raft_data = raft_data
        self._thread = threading.Thread(target=self._run, name="raft-snapshot", daemon=True)
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            view = self._open_view()
            self.wait_seconds = time.monotonic() - started
            self.log_index = view.log_index
            self.target.unlink(missing_ok=True)
            view.copy_to(self.target)
            with closing(sqlite3.connect(self.target, isolation_level=None)) as copy:
                copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to ship
                copy.execute("CREATE TABLE kepil_raft_snapshot (raft BLOB, log_index INTEGER)")
                copy.execute(
                    "INSERT INTO kepil_raft_snapshot VALUES (?, ?)",
                    (pickle.dumps(self._raft_data), view.log_index),
                )
            fsync_path(self.target)
        except BaseException as error:
            self.error = error
        self.copy_seconds = time.monotonic() - started - self.wait_seconds

    def _open_view(self) -> StateView:
        # The engine counts as applied every entry it handed over: the copy must hold them all.
        if not self._applier.wait_applied(self._handed, APPLY_WAIT_SECONDS):
            raise TimeoutError(f"entry {self._handed} was not applied in {APPLY_WAIT_SECONDS} s")
        view = self._source.open_snapshot()
        if view.log_index < self._handed:  # the store is behind its own applier: never expected
            view.close()
            raise RuntimeError(f"the state is at entry {view.log_index}, not {self._handed}")
        return view


class Snapshots:
    """pysyncobj's serializer, checker and deserializer for the snapshot file at `path`."""

    def __init__(
        self,
        path: Path,
        source: SnapshotSource,
        applier: Applier,
        journal_file: Path | None = None,
    ) -> None:
        self.path = path
        self._journal_file = journal_file
        self._writing = path.with_name(path.name + ".writing")
        self._source = source
        self._applier = applier
        self._copy: _Copy | None = None

    def write(self, file_name: str, raft_data: Any) -> None:
        """Start a snapshot of the state at the engine's last applied entry (see the module)."""
        del file_name  # pysyncobj's temporary name; the copy goes to a file of our own
        if self._copy is not None:
            raise RuntimeError("a snapshot is already being written")
        self._copy = _Copy(self._source, self._applier, raft_data, self._writing)
        raise _Deferred

    def check(self) -> int:
        """Where the snapshot being written is, as pysyncobj's SERIALIZER_STATE."""
        copy = self._copy
        if copy is None:
            return _NOT_SERIALIZING
        if not copy.done():
            return _SERIALIZING
        self._copy = None
        if copy.abandoned:
            log.info("snapshot abandoned: a newer one took its place")
            return _FAILED
        if copy.error is not None:
            log.error("snapshot not written: %s", copy.error, exc_info=copy.error)
            self._writing.unlink(missing_ok=True)
            return _FAILED
        size = self._writing.stat().st_size
        os.replace(self._writing, self.path)
        fsync_path(self.path.parent)
        # How long the copy waited for the applier, and how long it took beside the commits.
        log.info(
            "snapshot written",
            extra={
                "log_index": copy.log_index,
                "mib": round(size / 2**20, 1),
                "apply_wait_ms": round(copy.wait_seconds * 1000, 1),
                "copy_ms": round(copy.copy_seconds * 1000, 1),
            },
        )
        return _SUCCESS

    def read(self, file_name: str) -> Any:
        """Load the snapshot at `file_name`: install its state when newer; the engine's record."""
        self.abandon()  # a copy finishing later must not replace this file
        self._applier.drain()  # entries the snapshot may replace are not applied on top of it
        path = Path(file_name)
        with open(path, "rb") as snapshot:
            if snapshot.read(len(_SQLITE_MAGIC)) != _SQLITE_MAGIC:
                return self._read_earliest_layout(path)
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            row = copy.execute("SELECT raft, log_index FROM kepil_raft_snapshot").fetchone()
        raft, log_index = row
        if log_index > self._source.applied_log_index():
            self._source.install_snapshot(path)
            log.info("snapshot installed", extra={"log_index": log_index})
        return self._loaded(pickle.loads(raft))  # noqa: S301 - see the module docstring

    def _loaded(self, record: Any) -> Any:
        # The engine's record, as pysyncobj hands its serializer a custom snapshot's share:
        # (last applied entry, the entry before it, members).
        journal = None if self._journal_file is None else opened(self._journal_file)
        if journal is not None:
            journal.keep_after_snapshot(record[1], record[0])
        return record

    def abandon(self) -> None:
        """Wait for a copy in progress and throw it away (its check() then answers FAILED)."""
        copy = self._copy
        if copy is None:
            return
        copy.join()
        copy.abandoned = True
        self._writing.unlink(missing_ok=True)

    def _read_earliest_layout(self, path: Path) -> Any:
        with open(path, "rb") as snapshot:
            size = int.from_bytes(snapshot.read(8), "big")
            meta = pickle.loads(snapshot.read(size))  # noqa: S301 - see the module docstring
            if meta["log_index"] > self._source.applied_log_index():
                with tempfile.TemporaryDirectory(dir=path.parent) as work:
                    copy = Path(work) / "state.sqlite3"
                    with open(copy, "wb") as state:
                        shutil.copyfileobj(snapshot, state, 2**20)
                    self._source.install_snapshot(copy)
                log.info("snapshot installed", extra={"log_index": meta["log_index"]})
        return self._loaded(meta["raft"])


def install() -> None:
    """Make pysyncobj fsync a received snapshot before and after renaming it; idempotent."""
    pysyncobj.serializer.atomicReplace = lambda old, new: replace_durably(Path(old), Path(new))
