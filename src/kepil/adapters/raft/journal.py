"""The Raft log on disk, fsynced before the engine acts on it: it survives a power cut.

pysyncobj's own FileJournal writes through `mmap` and never syncs, rewrites itself in place when
compacted and renames its term/vote record without an fsync. A killed process loses nothing by
that (the page cache outlives it) but a power cut can: a follower that acknowledged an entry may
come back without it, and the entry a majority "held" may then be overwritten. Raft counts on
every member's log, current term and vote being on stable storage before it answers.

`DurableJournal` keeps pysyncobj's journal interface with these rules:
- `add` appends one checksummed record (kepil.adapters.raft.journal_file) and fdatasyncs before
  returning, so a follower acknowledges and a leader counts only entries on disk (measured here:
  ~0.2 ms for a small entry, ~0.8 ms for a 700 KB batch). A torn last record is cut off when the
  file is next opened; a damaged record with records after it stops the node from starting;
- dropping the tail (`deleteEntriesFrom`) truncates the file and syncs; dropping the head
  (compaction, `deleteEntriesTo`) and `clear` write the entries that stay to a new file, fsync it
  and rename it over the old one, so a crash leaves one whole journal or the other;
- `keep_after_snapshot` drops what a loaded snapshot covers and keeps the entries after it (Raft
  §7), so a crash between a snapshot and the compaction that follows it loses nothing (called
  by kepil's Snapshots on loading; a RaftLog without a snapshot source, as some tests run it,
  keeps pysyncobj's serializer and its clearing);
- the current term and vote go to a small file written the same way before pysyncobj sends a
  message that reflects them; the commit index is saved the same way once a second (a hint);
- a failed write stops the process (fail-stop, as etcd does on a WAL error): pysyncobj would
  otherwise log the error and carry on with a log in memory that is not the one on disk.

A data directory holding pysyncobj's FileJournal (`raft.journal`) is converted on first open:
its entries and its term, vote and commit index move into the durable files, then the old
files are removed.

`install()` makes pysyncobj build this journal for every SyncObj with a journal file.
"""

from __future__ import annotations

import json
import logging
import os
import warnings
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final, NoReturn, overload

import pysyncobj.syncobj
from pysyncobj.journal import FileJournal, Journal, MemoryJournal

from kepil.adapters.durable_files import fsync_path, write_durably
from kepil.adapters.raft.journal_file import MAGIC, Entry, read, record

log = logging.getLogger("kepil.raft")

LEGACY_NAME: Final = "raft.journal"  # pysyncobj's FileJournal, converted on first open
EXIT_JOURNAL_FAILED: Final = 75  # EX_TEMPFAIL: the supervisor may restart the node
_OPEN: Final[weakref.WeakValueDictionary[Path, DurableJournal]] = weakref.WeakValueDictionary()

OnFailure = Callable[[str], None]


def _stop_process(message: str) -> NoReturn:
    log.critical(message)
    logging.shutdown()
    os._exit(EXIT_JOURNAL_FAILED)


def _as_bytes(command: bytes | str) -> bytes:
    # pysyncobj's commands are bytes; its own journal accepted text too, as UTF-8
    return command.encode() if isinstance(command, str) else command


class DurableJournal(Journal):  # type: ignore[misc]  # pysyncobj ships no type information
    """pysyncobj's journal interface over an append-only, fsynced, checksummed file."""

    def __init__(self, path: Path, on_failure: OnFailure = _stop_process) -> None:
        self.path = path
        self._meta_path = path.with_name(path.name + ".meta")
        self._on_failure = on_failure
        legacy = path.with_name(LEGACY_NAME)
        if not path.exists() and legacy.exists():
            self._convert(legacy)
        if not path.exists():
            write_durably(path, MAGIC)
        contents = read(path)
        self._entries = contents.entries
        self._offsets = contents.offsets  # where each entry's record starts
        self._end = contents.end
        self._meta: dict[str, Any] = (
            json.loads(self._meta_path.read_text()) if self._meta_path.exists() else {}
        )
        self._meta_saved = True
        self._fd = os.open(path, os.O_RDWR)
        if path.stat().st_size != self._end:
            # Never acknowledged: an append's fsync had not returned when the power went.
            log.warning("raft log: cut off a torn last record", extra={"path": str(path)})
            self._sync(lambda: os.ftruncate(self._fd, self._end), "cut its torn tail")
        _OPEN[path.resolve()] = self

    def _convert(self, legacy: Path) -> None:
        with warnings.catch_warnings():
            # pysyncobj reads its meta file without closing it
            warnings.simplefilter("ignore", ResourceWarning)
            old = FileJournal(str(legacy))
        try:
            entries = [(_as_bytes(old[i][0]), old[i][1], old[i][2]) for i in range(len(old))]
            meta = {
                "term": old.getCurrentTerm(),
                "voted_for": old.getVotedForNodeId(),
                "commit_index": old.getRaftCommitIndex(),
            }
        finally:
            old._destroy()
        if not self._meta_path.exists():  # a term and vote of ours are newer than the old ones
            write_durably(self._meta_path, json.dumps(meta).encode())
        write_durably(self.path, MAGIC + b"".join(record(entry) for entry in entries))
        legacy.unlink()
        legacy.with_name(LEGACY_NAME + ".meta").unlink(missing_ok=True)
        fsync_path(legacy.parent)
        log.info("raft log converted", extra={"from": str(legacy), "entries": len(entries)})

    def _fail(self, doing: str, error: BaseException) -> NoReturn:
        self._on_failure(f"raft log {self.path}: could not {doing} ({error}); stopping this node")
        raise error  # only when on_failure returns: a test's recorder

    def _sync(self, write: Callable[[], object], doing: str) -> None:
        try:
            write()
            os.fdatasync(self._fd)
        except OSError as error:
            self._fail(doing, error)

    def add(self, command: bytes | str, idx: int, term: int) -> None:
        """Append an entry; on disk when this returns."""
        entry = (_as_bytes(command), idx, term)
        data = record(entry)

        def append() -> None:
            if os.pwrite(self._fd, data, self._end) != len(data):
                raise OSError(f"short write at byte {self._end}")

        self._sync(append, f"append entry {idx}")
        self._offsets.append(self._end)
        self._entries.append(entry)
        self._end += len(data)

    def clear(self) -> None:
        """Drop every entry."""
        self._rewrite([])

    def deleteEntriesFrom(self, entry_from: int) -> None:  # noqa: N802 - pysyncobj's name
        """Drop the entries from position `entry_from` on."""
        if entry_from >= len(self._entries):
            return
        end = self._offsets[entry_from]
        self._sync(lambda: os.ftruncate(self._fd, end), f"drop entries from position {entry_from}")
        del self._entries[entry_from:]
        del self._offsets[entry_from:]
        self._end = end

    def deleteEntriesTo(self, entry_to: int) -> None:  # noqa: N802 - pysyncobj's name
        """Drop the entries before position `entry_to` (compaction)."""
        self._rewrite(self._entries[entry_to:])

    def keep_after_snapshot(self, before_last: Entry, last: Entry) -> None:
        """Start the log at a snapshot's last two entries when it holds them, keeping the rest.

        pysyncobj keeps its log after loading a snapshot only if the log starts at the
        snapshot's last two entries, and clears it otherwise. A crash after a snapshot is saved
        and before the log is compacted leaves a log that starts earlier: clearing it would drop
        entries this node acknowledged after the snapshot.
        """
        if not self._entries:
            return
        position = before_last[1] - self._entries[0][1]
        if position <= 0 or position + 1 >= len(self._entries):
            return
        if tuple(self._entries[position]) == tuple(before_last) and tuple(
            self._entries[position + 1]
        ) == tuple(last):
            self.deleteEntriesTo(position)
            log.info("raft log: compacted to its snapshot", extra={"first_index": before_last[1]})

    def _rewrite(self, entries: list[Entry]) -> None:
        data = [record(entry) for entry in entries]
        try:
            write_durably(self.path, MAGIC + b"".join(data))
            descriptor = os.open(self.path, os.O_RDWR)
        except OSError as error:
            self._fail("rewrite the log", error)
        os.close(self._fd)
        self._fd = descriptor
        self._entries = list(entries)
        self._offsets = []
        self._end = len(MAGIC)
        for item in data:
            self._offsets.append(self._end)
            self._end += len(item)

    @overload
    def __getitem__(self, item: int) -> Entry: ...

    @overload
    def __getitem__(self, item: slice) -> list[Entry]: ...

    def __getitem__(self, item: int | slice) -> Entry | list[Entry]:
        return self._entries[item]

    def __len__(self) -> int:
        return len(self._entries)

    def _destroy(self) -> None:
        if self._fd < 0:
            return  # closed already: the descriptor's number may belong to another file now
        try:
            if not self._meta_saved:
                write_durably(self._meta_path, json.dumps(self._meta).encode())
        except OSError as error:
            log.warning("raft log: commit index not saved on closing: %s", error)
        finally:
            os.close(self._fd)
            self._fd = -1

    def flush(self) -> None:
        """Nothing waits: every change is on disk when its call returns."""

    def setRaftCommitIndex(self, raft_commit_index: int) -> None:  # noqa: N802
        """Remember the commit index (saved within a second: a hint Raft can recompute)."""
        if self._meta.get("commit_index") != raft_commit_index:
            self._meta["commit_index"] = raft_commit_index
            self._meta_saved = False

    def getRaftCommitIndex(self) -> int:  # noqa: N802
        """The commit index last saved (1 for a new log, as pysyncobj starts)."""
        return int(self._meta.get("commit_index", 1))

    def setCurrentTerm(self, term: int, voted_for: str | None) -> None:  # noqa: N802
        """Record the term and vote; on disk before this returns, as Raft requires."""
        self._save_meta({**self._meta, "term": term, "voted_for": voted_for})

    def getCurrentTerm(self) -> int:  # noqa: N802
        """The term last recorded."""
        return int(self._meta.get("term", 0))

    def getVotedForNodeId(self) -> str | None:  # noqa: N802
        """The member voted for in the current term, if any."""
        voted = self._meta.get("voted_for")
        return None if voted is None else str(voted)

    def onOneSecondTimer(self) -> None:  # noqa: N802
        """Save a changed commit index."""
        if not self._meta_saved:
            self._save_meta(self._meta)

    def _save_meta(self, meta: dict[str, Any]) -> None:
        try:
            write_durably(self._meta_path, json.dumps(meta).encode())
        except OSError as error:
            self._fail("record the term and vote", error)
        self._meta = meta
        self._meta_saved = True


def opened(path: Path) -> DurableJournal | None:
    """The journal this process has open at `path`, if any."""
    return _OPEN.get(path.resolve())


def create(journal_file: str | None = None) -> Journal:
    """pysyncobj's createJournal: in memory without a file, else a DurableJournal."""
    if journal_file is None:
        return MemoryJournal()
    return DurableJournal(Path(journal_file))


def install() -> None:
    """Make every SyncObj created from now on keep its log in a DurableJournal; idempotent."""
    pysyncobj.syncobj.createJournal = create
