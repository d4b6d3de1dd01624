"""What the leader sends a member too far behind for the log: a copy of the state, made when asked.

The engine's snapshot file is only a record (see kepil.adapters.raft.snapshots): the state it
stands for is the applier's SQLite file. pysyncobj sends a member whose next entry the log no
longer holds the snapshot file in chunks (`getTransmissionData`, on the engine's thread); here
that file is made only then: a copy of the state as committed now, with the record of the
snapshot it stands for, on a thread of its own. Until it is written the member is told nothing
(`None`, as pysyncobj answers while a snapshot is being written) and asked again on the next
round of messages; meanwhile the engine keeps replicating to everyone else.

The copy may be past the record (entries applied since): the member loads the record, asks for
the entries after it, and its applier skips the indexes its new state already holds. A copy is
offered for the snapshot it was made for only: once the next snapshot is recorded, members that
start receiving get a new copy (one already being sent keeps its open file, and the member,
left behind the new log start, is sent the new copy next).
"""

from __future__ import annotations

import logging
import pickle
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO, Final

from kepil.services.ledger.consensus import SnapshotSource

log = logging.getLogger("kepil.raft")

Chunk = tuple[bytes, bool, bool]  # pysyncobj's (data, is first, is last)
DEFAULT_CHUNK_BYTES: Final = 2**16  # pysyncobj's own logCompactionBatchSize
# A leader feeds a member's transfer every round (0.05 s); one not fed for this long was left
# (this node lost the lead, or the member left): it starts again from its first chunk, as the
# member may since have begun another leader's copy, which a middle chunk would corrupt.
IDLE_RESTART_SECONDS: Final = 2.0
RETRY_AFTER_FAILED_COPY_SECONDS: Final = 5.0
TABLE: Final = "kepil_raft_snapshot"


def drop_record_table(connection: sqlite3.Connection) -> None:
    """Remove a copy's engine record, so a ledger file installed from a copy does not carry it."""
    connection.execute(f"DROP TABLE IF EXISTS {TABLE}")


def write_state_copy(source: SnapshotSource, target: Path, record: Any) -> int:
    """Copy the state as committed now to `target` with the engine's `record`; its log index."""
    view = source.open_snapshot()
    log_index = view.log_index
    target.unlink(missing_ok=True)
    view.copy_to(target)
    with closing(sqlite3.connect(target, isolation_level=None)) as copy:
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to ship
        drop_record_table(copy)  # a ledger installed from a copy by an earlier version has one
        copy.execute(f"CREATE TABLE {TABLE} (raft BLOB, log_index INTEGER)")
        copy.execute(f"INSERT INTO {TABLE} VALUES (?, ?)", (pickle.dumps(record), log_index))  # noqa: S608
    return log_index


class _Making:
    """One copy being written on its own thread, for the snapshot numbered `generation`."""

    def __init__(self, source: SnapshotSource, target: Path, record: Any, generation: int) -> None:
        self.generation = generation
        self.target = target
        self.error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(source, record), name="raft-ship", daemon=True
        )
        self._thread.start()

    def done(self) -> bool:
        return not self._thread.is_alive()

    def join(self) -> None:
        self._thread.join()

    def _run(self, source: SnapshotSource, record: Any) -> None:
        writing = self.target.with_name(self.target.name + ".writing")
        try:
            log_index = write_state_copy(source, writing, record)
            writing.replace(self.target)
            log.info("state copied for a member", extra={"log_index": log_index})
        except BaseException as error:
            self.error = error
            writing.unlink(missing_ok=True)


class Shipping:
    """pysyncobj's transmission of the snapshot to members, with the copy made on demand."""

    def __init__(
        self, source: SnapshotSource, copy_path: Path, chunk_bytes: int = DEFAULT_CHUNK_BYTES
    ) -> None:
        self._source = source
        self._copy_path = copy_path
        self._chunk_bytes = chunk_bytes
        self._record: Any = None  # the recorded snapshot's engine record; None: no copy needed
        self._plain: Path | None = None  # a snapshot file that is itself a copy: sent as it is
        self._generation = 0
        self._making: _Making | None = None
        self._ready = False
        self._retry_at = 0.0  # after a failed copy, none is started before this moment
        self._sending: dict[Any, tuple[BinaryIO, int, float]] = {}  # file, sent, last fed
        copy_path.unlink(missing_ok=True)  # a copy left by a stopped process is of an old state
        copy_path.with_name(copy_path.name + ".writing").unlink(missing_ok=True)

    def recorded(self, record: Any) -> None:
        """The snapshot now stands for the state with this engine record: copy that when asked."""
        self._record, self._plain = record, None
        self._forget()

    def plain(self, path: Path) -> None:
        """The snapshot file is itself a copy of a state (received, or of an older layout)."""
        self._record, self._plain = None, path
        self._forget()

    def data(self, member: Any) -> Chunk | None:
        """The next chunk for `member`, or None while there is nothing to send yet."""
        now = time.monotonic()
        sending = self._sending.get(member)
        if sending is not None and now - sending[2] > IDLE_RESTART_SECONDS:
            self.cancel(member)
            sending = None
        if sending is None:
            path = self._file()
            if path is None:
                return None
            try:
                sending = (open(path, "rb"), 0, now)  # noqa: SIM115 - held across calls
            except OSError:
                log.exception("the snapshot to send could not be opened")
                return None
        handle, sent, _ = sending
        try:
            chunk = handle.read(self._chunk_bytes)
        except OSError:
            log.exception("the snapshot being sent could not be read")
            handle.close()
            self._sending.pop(member, None)
            return None
        if chunk:
            self._sending[member] = (handle, sent + len(chunk), now)
        else:
            handle.close()
            self._sending.pop(member, None)
        return chunk, sent == 0, not chunk

    def cancel(self, member: Any) -> None:
        """Stop sending to `member` (it disconnected); a later send starts from the beginning."""
        sending = self._sending.pop(member, None)
        if sending is not None:
            sending[0].close()

    def cancel_all(self) -> None:
        """Stop every transfer (this node is no longer the leader): no copy is held open."""
        for member in list(self._sending):
            self.cancel(member)

    def close(self) -> None:
        """Wait for a copy being made and remove it (the engine has stopped)."""
        self.cancel_all()
        if self._making is not None:
            self._making.join()
            self._making = None
        self._forget()

    def _file(self) -> Path | None:
        if self._plain is not None:
            return self._plain if self._plain.exists() else None
        if self._record is None:
            return None
        if not self._ready:
            self._ready = self._copy_made()
        return self._copy_path if self._ready else None

    def _copy_made(self) -> bool:
        """Whether a copy for the current record is written, starting one when none is."""
        making = self._making
        if making is None:
            if time.monotonic() < self._retry_at:
                return False
            self._making = _Making(self._source, self._copy_path, self._record, self._generation)
            return False
        if not making.done():
            return False
        self._making = None
        if making.error is not None:
            self._retry_at = time.monotonic() + RETRY_AFTER_FAILED_COPY_SECONDS
            log.error("no copy of the state to send: %s", making.error, exc_info=making.error)
            return False
        return making.generation == self._generation  # else made for a replaced record

    def _forget(self) -> None:
        # Members already receiving keep their open file; new ones get a copy for the new record.
        self._generation += 1
        self._ready = False
        if self._making is None:
            self._copy_path.unlink(missing_ok=True)
