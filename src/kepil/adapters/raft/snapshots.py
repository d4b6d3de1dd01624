"""The engine's snapshot: a record that the applier's SQLite file holds the state, no copy.

pysyncobj compacts its log by asking for a snapshot of the state at its last applied entry and
drops the entries up to it once the snapshot is stored. The applier's SQLite file already holds
that state durably (every block commits with synchronous=FULL, with its log index), so the
snapshot file is only a record: the engine's share (last entry, the one before it, members)
and the entry the state covers at least. Copying the whole ledger file instead (70-125 MB, on
all five nodes every 500 entries, 0.4-3.4 s each beside the commits) kept the latency tail
above a second; a copy is now made only for a member that needs one (kepil.adapters.raft.shipping).

pysyncobj's asynchronous serializer protocol, so the engine's thread never waits:

- `write` (engine thread): starts a thread and raises `_Deferred`; pysyncobj takes the exception
  as "not stored" and so does not rename its own (never written) temporary file over the last
  good snapshot. The thread waits until the applier has applied every entry handed over so far
  (the engine counts them as applied; waiting on the engine's thread stopped heartbeats and
  replication for 40-530 ms, measured), then writes the record to a file of our own and fsyncs it;
- `check` (engine thread, every tick): SERIALIZING meanwhile; once written, renames it over the
  snapshot file, fsyncs the directory and answers SUCCESS, which is when pysyncobj drops the
  entries it covers. The snapshot file is at every moment a whole snapshot: the last or the new.
- `read` (engine thread): loads a snapshot. A record (this node's, at start) needs the state to
  cover its entry already; a node whose ledger file is behind it (restored from an old backup)
  refuses to start rather than run without the entries the log dropped. A copy (received from
  the leader, or of the earlier layouts, which copied the file) is installed when newer than the
  state. A record still being written is waited for and thrown away, so it cannot replace the
  newer file afterwards.

The engine's record is pickled because pysyncobj itself exchanges it as pickles, and the file
only ever comes from this node's disk or from a peer over the password-authenticated channel.

Loading a snapshot first lets this node's durable journal start at the snapshot's last entries
(`DurableJournal.keep_after_snapshot`): a crash between saving a snapshot and compacting the log
must not cost the entries after it. `install()` makes pysyncobj fsync a received snapshot before
renaming it over the last one, and the directory after (it renamed it unsynced), and send
members the copies `Shipping` makes instead of the snapshot file itself.
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
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any, Final, NoReturn

import pysyncobj.serializer
from pysyncobj import SERIALIZER_STATE
from pysyncobj.syncobj import _RAFT_STATE

from kepil.adapters.durable_files import fsync_path, replace_durably
from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.journal import opened
from kepil.adapters.raft.shipping import Chunk, Shipping
from kepil.services.ledger.consensus import SnapshotSource

log = logging.getLogger("kepil.raft")

_SQLITE_MAGIC: Final = b"SQLite format 3\x00"
# A record's first bytes: neither SQLite's magic nor the earliest layout's 8-byte size (which
# would read as ~7.8e18 bytes).
RECORD_MAGIC: Final = b"kepil raft snapshot record 1\n"
_NOT_SERIALIZING: Final[int] = SERIALIZER_STATE.NOT_SERIALIZING
_SERIALIZING: Final[int] = SERIALIZER_STATE.SERIALIZING
_SUCCESS: Final[int] = SERIALIZER_STATE.SUCCESS
_FAILED: Final[int] = SERIALIZER_STATE.FAILED
_LEADER: Final[int] = _RAFT_STATE.LEADER
APPLY_WAIT_SECONDS: Final = 60.0  # then the snapshot fails and pysyncobj asks again later
# After a failed record (a full disk, say) pysyncobj is told "still writing" this long, then
# FAILED: it would otherwise ask again on the next tick, and log a traceback every 0.1 s.
RETRY_AFTER_FAILURE_SECONDS: Final = 10.0
EXIT_SNAPSHOT_FAILED: Final = 65  # EX_DATAERR: the node's files need an operator, not a restart

OnFailure = Callable[[str], None]


def _stop_process(message: str) -> NoReturn:
    # pysyncobj swallows any exception from loading a snapshot and runs on with nothing applied
    # (stale answers, a leader that refuses membership changes): a node that cannot load its
    # snapshot stops instead, saying why.
    log.critical(message)
    logging.shutdown()
    os._exit(EXIT_SNAPSHOT_FAILED)


class _Deferred(Exception):  # noqa: N818 - a signal to pysyncobj, not an error
    """Raised to pysyncobj's serializer: the snapshot is being written; ask `check`."""


class StateBehindSnapshotError(RuntimeError):
    """The ledger file does not hold the entries the snapshot record says the log dropped."""


def _record_bytes(raft_data: Any, covers: int) -> bytes:
    return RECORD_MAGIC + pickle.dumps((raft_data, covers))


def _read_record(path: Path) -> tuple[Any, int]:
    raft, covers = pickle.loads(path.read_bytes()[len(RECORD_MAGIC) :])  # noqa: S301 - see module
    return raft, int(covers)


def _behind(path: Path, applied: int, covers: int) -> StateBehindSnapshotError:
    return StateBehindSnapshotError(
        f"the ledger file holds entries up to {applied}, but the snapshot record {path} says it "
        f"holds {covers} and the log no longer has the entries between: restore the node's data "
        "directory from a healthy node (or start it empty to receive the state from the leader)"
    )


class _Recording:
    """One snapshot record being written on its own thread."""

    def __init__(self, applier: Applier, raft_data: Any, target: Path) -> None:
        self.target = target
        self.error: BaseException | None = None
        self.abandoned = False
        self.wait_seconds = 0.0
        self.raft_data = raft_data
        self._applier = applier
        self.covers = applier.handed
        self._thread = threading.Thread(target=self._run, name="raft-snapshot", daemon=True)
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()

    def _run(self) -> None:
        started = time.monotonic()
        try:
            # The engine counts as applied every entry it handed over: the state must hold them.
            if not self._applier.wait_applied(self.covers, APPLY_WAIT_SECONDS):
                raise TimeoutError(f"entry {self.covers} was not applied in {APPLY_WAIT_SECONDS} s")
            self.wait_seconds = time.monotonic() - started
            with open(self.target, "wb") as record:
                record.write(_record_bytes(self.raft_data, self.covers))
                record.flush()
                os.fsync(record.fileno())
        except BaseException as error:
            self.error = error


class Snapshots:
    """pysyncobj's serializer, checker and deserializer for the snapshot file at `path`."""

    def __init__(
        self,
        path: Path,
        source: SnapshotSource,
        applier: Applier,
        journal_file: Path | None = None,
        on_failure: OnFailure = _stop_process,
    ) -> None:
        """Raises StateBehindSnapshotError at once when the state is behind this node's record."""
        self.path = path
        self._journal_file = journal_file
        self._on_failure = on_failure
        self._failed_at: float | None = None
        self._writing = path.with_name(path.name + ".writing")
        self._source = source
        self._applier = applier
        self._recording: _Recording | None = None
        self.shipping = Shipping(source, path.with_name(path.name + ".ship"))
        self._refuse_if_behind()

    def _refuse_if_behind(self) -> None:
        # Before pysyncobj starts: it loads the snapshot on its own thread, out of our reach.
        if not self.path.exists():
            return
        with open(self.path, "rb") as snapshot:
            if snapshot.read(len(RECORD_MAGIC)) != RECORD_MAGIC:
                return
        _, covers = _read_record(self.path)
        applied = self._source.applied_log_index()
        if applied < covers:
            raise _behind(self.path, applied, covers)

    def write(self, file_name: str, raft_data: Any) -> None:
        """Start recording a snapshot at the engine's last applied entry (see the module)."""
        del file_name  # pysyncobj's temporary name; the record goes to a file of our own
        if self._recording is not None:
            raise RuntimeError("a snapshot is already being written")
        self._recording = _Recording(self._applier, raft_data, self._writing)
        raise _Deferred

    def check(self) -> int:
        """Where the snapshot being written is, as pysyncobj's SERIALIZER_STATE."""
        if self._failed_at is not None:
            return self._after_failure()
        recording = self._recording
        if recording is None:
            return _NOT_SERIALIZING
        if not recording.done():
            return _SERIALIZING
        self._recording = None
        if recording.abandoned:
            log.info("snapshot abandoned: a newer one took its place")
            return _FAILED
        if recording.error is None:
            try:
                return self._put_in_place(recording)
            except OSError as error:  # never into pysyncobj: its serializer would stay stuck
                recording.error = error
        log.error("snapshot not recorded: %s", recording.error, exc_info=recording.error)
        self._writing.unlink(missing_ok=True)
        self._failed_at = time.monotonic()
        return _SERIALIZING

    def _after_failure(self) -> int:
        if self._failed_at is not None and (
            time.monotonic() - self._failed_at < RETRY_AFTER_FAILURE_SECONDS
        ):
            return _SERIALIZING
        self._failed_at = None
        return _FAILED

    def _put_in_place(self, recording: _Recording) -> int:
        os.replace(self._writing, self.path)
        self.shipping.recorded(recording.raft_data)  # what is sent from now on, even if below fails
        fsync_path(self.path.parent)
        log.info(
            "snapshot recorded",
            extra={
                "log_index": recording.covers,
                "apply_wait_ms": round(recording.wait_seconds * 1000, 1),
            },
        )
        return _SUCCESS

    def read(self, file_name: str) -> Any:
        """Load the snapshot at `file_name`, installing a copy newer than the state; its record.

        A snapshot that cannot be loaded stops the process (see _stop_process).
        """
        try:
            return self._read(file_name)
        except Exception as error:
            self._on_failure(f"the snapshot {file_name} could not be loaded: {error}")
            raise

    def _read(self, file_name: str) -> Any:
        self.abandon()  # a record finishing later must not replace this file
        self._applier.drain()  # entries the snapshot may replace are not applied on top of it
        path = Path(file_name)
        with open(path, "rb") as snapshot:
            start = snapshot.read(max(len(_SQLITE_MAGIC), len(RECORD_MAGIC)))
        if start.startswith(RECORD_MAGIC):
            return self._load_record(path)
        if not start.startswith(_SQLITE_MAGIC):
            return self._read_earliest_layout(path)
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            row = copy.execute("SELECT raft, log_index FROM kepil_raft_snapshot").fetchone()
        raft, log_index = row
        if log_index > self._source.applied_log_index():
            self._source.install_snapshot(path)
            log.info("snapshot installed", extra={"log_index": log_index})
        self.shipping.plain(path)
        return self._loaded(pickle.loads(raft))  # noqa: S301 - see the module docstring

    def state_changed(self, old: int, new: int) -> None:
        """pysyncobj's onStateChanged: a node that stops leading stops every transfer it began."""
        if old == _LEADER and new != _LEADER:
            self.shipping.cancel_all()

    def transmission_data(self, member: Any) -> Chunk | None:
        """The next chunk of the snapshot for `member` (pysyncobj's getTransmissionData)."""
        if self._recording is not None:  # as pysyncobj: nothing is sent while one is written
            return None
        return self.shipping.data(member)

    def _load_record(self, path: Path) -> Any:
        raft, covers = _read_record(path)
        applied = self._source.applied_log_index()
        if applied < covers:
            raise _behind(path, applied, covers)
        self.shipping.recorded(raft)
        return self._loaded(raft)

    def _loaded(self, record: Any) -> Any:
        # The engine's record, as pysyncobj hands its serializer a custom snapshot's share:
        # (last applied entry, the entry before it, members).
        journal = None if self._journal_file is None else opened(self._journal_file)
        if journal is not None:
            journal.keep_after_snapshot(record[1], record[0])
        return record

    def abandon(self) -> None:
        """Wait for a record in progress and throw it away (its check() then answers FAILED)."""
        recording = self._recording
        if recording is None:
            return
        recording.join()
        recording.abandoned = True
        self._writing.unlink(missing_ok=True)

    def close(self) -> None:
        """Throw away work in progress: a record being written, a copy being made for a member."""
        self.abandon()
        self.shipping.close()

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
        self.shipping.plain(path)
        return self._loaded(meta["raft"])


def _owner(serializer: Any) -> Snapshots | None:
    # pysyncobj keeps the conf's serializer callable, our bound `Snapshots.write`, in a private
    # attribute; through it a transmission finds its Snapshots without a race at start-up.
    write = getattr(serializer, "_Serializer__serializer", None)
    owner = getattr(write, "__self__", None)
    return owner if isinstance(owner, Snapshots) else None


def install() -> None:
    """Patch pysyncobj: durable renames of received snapshots, copies made on demand."""
    pysyncobj.serializer.atomicReplace = lambda old, new: replace_durably(Path(old), Path(new))
    serializer_class = pysyncobj.serializer.Serializer
    if getattr(serializer_class, "kepil_shipping", False):
        return
    send, cancel = serializer_class.getTransmissionData, serializer_class.cancelTransmisstion

    def transmission_data(self: Any, member: Any) -> Any:
        owner = _owner(self)
        return send(self, member) if owner is None else owner.transmission_data(member)

    def cancel_transmission(self: Any, member: Any) -> None:
        owner = _owner(self)
        if owner is None:
            cancel(self, member)
        else:
            owner.shipping.cancel(member)

    serializer_class.getTransmissionData = transmission_data
    serializer_class.cancelTransmisstion = cancel_transmission
    serializer_class.kepil_shipping = True
