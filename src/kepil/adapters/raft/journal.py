"""The Raft log on disk, fsynced before the engine acts on it: it survives a power cut.

pysyncobj's own FileJournal writes through `mmap` and never syncs, rewrites itself in place when
compacted and renames its term/vote record without an fsync. A killed process loses nothing by
that (the page cache outlives it) but a power cut can: a follower that acknowledged an entry may
come back without it, and the entry a majority "held" may then be overwritten. Raft counts on
every member's log, current term and vote being on stable storage before it answers.

`DurableJournal` keeps pysyncobj's journal interface with these rules:
- `add` appends one record and fdatasyncs before returning, so a follower acknowledges and a
  leader counts only entries on disk (measured here: ~0.2 ms for a small entry, ~0.8 ms for a
  700 KB batch);
- a record carries its length and a CRC-32 of its index, term and command: a record torn by a
  power cut (its fsync never returned, so it was never acknowledged) is cut off when the file is
  next opened, and every record before it is kept;
- dropping the tail (`deleteEntriesFrom`) truncates the file and syncs; dropping the head
  (compaction, `deleteEntriesTo`) and `clear` write the entries that stay to a new file, fsync it
  and rename it over the old one, so a crash leaves one whole journal or the other;
- the current term and vote go to a small file written the same way (new file, fsync, rename,
  fsync of the directory) before pysyncobj sends a message that reflects them; the commit index
  is saved the same way once a second (it is only a hint: Raft recomputes it).

A data directory holding pysyncobj's FileJournal (`raft.journal`) is converted on first open:
its entries and its term, vote and commit index move into the durable files, then the old
files are removed.

`install()` makes pysyncobj build this journal for every SyncObj with a journal file.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import warnings
import zlib
from pathlib import Path
from typing import Any, Final, overload

import pysyncobj.syncobj
from pysyncobj.journal import FileJournal, Journal, MemoryJournal

from kepil.adapters.durable_files import fsync_path

log = logging.getLogger("kepil.raft")

MAGIC: Final = b"KEPIL-RAFT-LOG-1\n"
_HEADER: Final = struct.Struct("<IIQQ")  # command length, CRC-32, index, term
LEGACY_NAME: Final = "raft.journal"  # pysyncobj's FileJournal, converted on first open

Entry = tuple[bytes, int, int]  # (command, index, term), as pysyncobj keeps them


def _crc(index: int, term: int, command: bytes) -> int:
    return zlib.crc32(command, zlib.crc32(struct.pack("<QQ", index, term)))


def _record(entry: Entry) -> bytes:
    command, index, term = entry
    return _HEADER.pack(len(command), _crc(index, term, command), index, term) + command


def _as_bytes(command: bytes | str) -> bytes:
    # pysyncobj's commands are bytes; its own journal accepted text too, as UTF-8
    return command.encode() if isinstance(command, str) else command


def _replace(path: Path, content: bytes) -> None:
    """Put `content` at `path` whole or not at all, and durably."""
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "wb") as file:
        file.write(content)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)
    fsync_path(path.parent)


class DurableJournal(Journal):  # type: ignore[misc]  # pysyncobj ships no type information
    """pysyncobj's journal interface over an append-only, fsynced, checksummed file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._meta_path = path.with_name(path.name + ".meta")
        self._entries: list[Entry] = []
        self._offsets: list[int] = []  # where each entry's record starts
        self._meta: dict[str, Any] = {}
        self._meta_saved = True
        legacy = path.with_name(LEGACY_NAME)
        if not path.exists() and legacy.exists():
            self._convert(legacy)
        if not path.exists():
            _replace(path, MAGIC)
        self._fd = os.open(path, os.O_RDWR)
        self._end = self._load()
        if self._meta_path.exists():
            self._meta = json.loads(self._meta_path.read_text())

    def _load(self) -> int:
        size = os.fstat(self._fd).st_size
        with open(self.path, "rb") as file:
            if file.read(len(MAGIC)) != MAGIC:
                os.close(self._fd)
                raise ValueError(f"{self.path} is not a kepil Raft log")
            offset = len(MAGIC)
            while len(header := file.read(_HEADER.size)) == _HEADER.size:
                length, crc, index, term = _HEADER.unpack(header)
                command = file.read(length)
                if len(command) != length or _crc(index, term, command) != crc:
                    break
                self._entries.append((command, index, term))
                self._offsets.append(offset)
                offset += _HEADER.size + length
            else:
                return self._cut_torn_tail(offset, size)
            file.seek(offset)
            rest = file.read()
        if offset + _HEADER.size + length < size and rest.strip(b"\0"):
            # Records follow the bad one, and each append waits for the one before to be synced:
            # this record was synced and damaged since. Cutting it off would lose acknowledged
            # entries silently: the node is rebuilt from the others, keeping its term and vote.
            os.close(self._fd)
            raise ValueError(
                f"{self.path}: the record at byte {offset} is damaged and records follow it; "
                f"move it aside (keep {self._meta_path.name}: the node's term and vote) and "
                "restart the node: the leader sends it a snapshot and the entries after it"
            )
        return self._cut_torn_tail(offset, size)

    def _cut_torn_tail(self, offset: int, size: int) -> int:
        if offset != size:
            # Never acknowledged: an append's fsync had not returned when the power went.
            log.warning(
                "raft log: cut off a torn record",
                extra={"path": str(self.path), "offset": offset, "bytes": size - offset},
            )
            os.ftruncate(self._fd, offset)
            os.fsync(self._fd)
        return offset

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
        _replace(self._meta_path, json.dumps(meta).encode())
        _replace(self.path, MAGIC + b"".join(_record(entry) for entry in entries))
        legacy.unlink()
        legacy.with_name(LEGACY_NAME + ".meta").unlink(missing_ok=True)
        fsync_path(legacy.parent)
        log.info("raft log converted", extra={"from": str(legacy), "entries": len(entries)})

    def add(self, command: bytes | str, idx: int, term: int) -> None:
        """Append an entry; on disk when this returns."""
        entry = (_as_bytes(command), idx, term)
        record = _record(entry)
        written = os.pwrite(self._fd, record, self._end)
        if written != len(record):
            os.ftruncate(self._fd, self._end)  # no partial record stays behind a short write
            raise OSError(f"raft log: wrote {written} of {len(record)} bytes")
        os.fdatasync(self._fd)
        self._offsets.append(self._end)
        self._entries.append(entry)
        self._end += len(record)

    def clear(self) -> None:
        """Drop every entry."""
        self._rewrite([])

    def deleteEntriesFrom(self, entry_from: int) -> None:  # noqa: N802 - pysyncobj's name
        """Drop the entries from position `entry_from` on."""
        if entry_from >= len(self._entries):
            return
        end = self._offsets[entry_from]
        os.ftruncate(self._fd, end)
        os.fdatasync(self._fd)
        del self._entries[entry_from:]
        del self._offsets[entry_from:]
        self._end = end

    def deleteEntriesTo(self, entry_to: int) -> None:  # noqa: N802 - pysyncobj's name
        """Drop the entries before position `entry_to` (compaction)."""
        self._rewrite(self._entries[entry_to:])

    def _rewrite(self, entries: list[Entry]) -> None:
        records = [_record(entry) for entry in entries]
        _replace(self.path, MAGIC + b"".join(records))
        os.close(self._fd)
        self._fd = os.open(self.path, os.O_RDWR)
        self._entries = list(entries)
        self._offsets = []
        offset = len(MAGIC)
        for record in records:
            self._offsets.append(offset)
            offset += len(record)
        self._end = offset

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
        self._save_meta()
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
        self._meta["term"] = term
        self._meta["voted_for"] = voted_for
        self._save_meta()

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
            self._save_meta()

    def _save_meta(self) -> None:
        _replace(self._meta_path, json.dumps(self._meta).encode())
        self._meta_saved = True


def create(journal_file: str | None = None) -> Journal:
    """pysyncobj's createJournal: in memory without a file, else a DurableJournal."""
    if journal_file is None:
        return MemoryJournal()
    return DurableJournal(Path(journal_file))


def install() -> None:
    """Make every SyncObj created from now on keep its log in a DurableJournal; idempotent."""
    pysyncobj.syncobj.createJournal = create
