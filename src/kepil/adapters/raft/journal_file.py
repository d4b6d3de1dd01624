"""The Raft log's file format: checksummed records, and telling a torn tail from damage.

A file is `MAGIC` then records, each a 32-byte header (a marker, the command's length, index,
term and CRC-32, and a CRC-32 of those four) and the command. The header has a checksum of its
own so that a damaged length is seen as damage, never trusted to say where the file ends; the
marker lets a reader find the records after a damaged one.

Appends are fsynced one after the other, so only the last record can be torn by a power cut,
and it was never acknowledged (its fsync had not returned). A bad record followed by any good
one (found by its marker and checksum, with a later index) was synced and damaged since: cutting
it off would silently lose entries this node acknowledged, so opening is refused instead
(`JournalDamagedError`). A damaged last record cannot be told from a torn one and is cut off.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Final

MAGIC: Final = b"KEPIL-RAFT-LOG-1\n"
_MARKER: Final = b"\xd7KR\x9a"  # not ASCII: the commands are pickles of base64 text
_FIELDS: Final = struct.Struct("<IQQI")  # command length, index, term, command CRC-32
_CHECK: Final = struct.Struct("<I")  # CRC-32 of the packed fields
HEADER_SIZE: Final = len(_MARKER) + _FIELDS.size + _CHECK.size

Entry = tuple[bytes, int, int]  # (command, index, term), as pysyncobj keeps them


class JournalDamagedError(ValueError):
    """A synced record of the Raft log is damaged: the node must be rebuilt, not trusted."""


def record(entry: Entry) -> bytes:
    """One entry as it is appended to the file."""
    command, index, term = entry
    fields = _FIELDS.pack(len(command), index, term, zlib.crc32(command))
    return _MARKER + fields + _CHECK.pack(zlib.crc32(fields)) + command


def _header(data: bytes) -> tuple[int, int, int, int] | None:
    """(length, index, term, command CRC) of a header whose own checksum holds, else None."""
    if len(data) < HEADER_SIZE or not data.startswith(_MARKER):
        return None
    fields = data[len(_MARKER) : len(_MARKER) + _FIELDS.size]
    if _CHECK.unpack_from(data, len(_MARKER) + _FIELDS.size)[0] != zlib.crc32(fields):
        return None
    length, index, term, crc = _FIELDS.unpack(fields)
    return length, index, term, crc


@dataclass
class Contents:
    """What a file holds: its good records, where each starts, and where they end."""

    entries: list[Entry] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)
    end: int = len(MAGIC)


def read(path: Path) -> Contents:
    """The good records of the file at `path`; JournalDamagedError when a synced one is damaged."""
    contents = Contents()
    size = path.stat().st_size
    with open(path, "rb") as file:
        if file.read(len(MAGIC)) != MAGIC:
            raise ValueError(f"{path} is not a kepil Raft log")
        while (header := _header(file.read(HEADER_SIZE))) is not None:
            length, index, term, crc = header
            if contents.end + HEADER_SIZE + length > size:
                break  # the append that wrote this header never finished
            command = file.read(length)
            if zlib.crc32(command) != crc:
                break  # torn or damaged: what follows it tells which
            contents.entries.append((command, index, term))
            contents.offsets.append(contents.end)
            contents.end += HEADER_SIZE + length
        if contents.end < size and _later_record(file, contents):
            raise _damaged(path, contents.end)
    return contents


def _later_record(file: BinaryIO, contents: Contents) -> bool:
    """Whether a good record follows the bad one at `contents.end` (then it is damage).

    A torn append holds one record at most, so a second good header, anywhere after the bad
    record's first byte, with an index past the last good one, was written after it.
    """
    file.seek(contents.end)
    rest = file.read()
    last = contents.entries[-1][1] if contents.entries else -1
    found = rest.find(_MARKER, 1)
    while found >= 0:
        header = _header(rest[found : found + HEADER_SIZE])
        if header is not None and header[1] > last:
            return True
        found = rest.find(_MARKER, found + 1)
    return False


def _damaged(path: Path, offset: int) -> JournalDamagedError:
    return JournalDamagedError(
        f"{path}: the record at byte {offset} is damaged and records follow it, so entries this "
        "node acknowledged are lost. Rebuild the node: `kepil cluster remove` it, move its raft "
        "directory aside, start it empty and `kepil cluster add` it back (it then receives a "
        "snapshot and the log from the leader)"
    )
