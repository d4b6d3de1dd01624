"""The Raft log on disk: what was synced comes back, a torn tail is cut off, compaction is whole."""

from __future__ import annotations

import json
import os
import struct
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pysyncobj.journal import FileJournal

from kepil.adapters.raft import journal as journal_module
from kepil.adapters.raft.journal import DurableJournal, create
from kepil.adapters.raft.journal_file import MAGIC, JournalDamagedError


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "raft.log"


@pytest.fixture
def journal(path: Path) -> Iterator[DurableJournal]:
    opened = DurableJournal(path)
    yield opened
    opened._destroy()


def _entries(count: int, term: int = 1, first: int = 1) -> list[tuple[bytes, int, int]]:
    return [(f"entry {i}".encode() * (i % 7 + 1), i, term) for i in range(first, first + count)]


def _reopened(path: Path) -> DurableJournal:
    # No _destroy() of the first instance: what a killed process or a power cut leaves behind.
    return DurableJournal(path)


def test_added_entries_come_back_after_a_crash_without_closing(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(20):
        journal.add(*entry)
    again = _reopened(path)
    assert again[:] == _entries(20)
    assert again[0] == _entries(1)[0]
    assert len(again) == 20
    again._destroy()


def test_every_add_is_synced_after_its_write_and_before_it_returns(
    journal: DurableJournal, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, int]] = []
    write, sync = os.pwrite, os.fdatasync

    def recorded_write(fd: int, data: bytes, offset: int) -> int:
        calls.append(("write", fd))
        return write(fd, data, offset)

    def recorded_sync(fd: int) -> None:
        calls.append(("sync", fd))
        sync(fd)

    monkeypatch.setattr(os, "pwrite", recorded_write)
    monkeypatch.setattr(os, "fdatasync", recorded_sync)
    journal.add(b"one", 1, 1)
    journal.add(b"two", 2, 1)
    assert calls == [("write", journal._fd), ("sync", journal._fd)] * 2


def test_a_torn_last_record_is_cut_off_and_the_ones_before_kept(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(5):
        journal.add(*entry)
    whole = path.stat().st_size
    journal.add(b"x" * 1000, 6, 1)
    with open(path, "r+b") as file:
        file.truncate(whole + 600)  # the power went while the sixth record was written
    again = _reopened(path)
    assert again[:] == _entries(5)
    assert path.stat().st_size == whole
    again.add(b"sixth again", 6, 2)
    assert _reopened(path)[:] == [*_entries(5), (b"sixth again", 6, 2)]


def test_a_last_record_with_a_flipped_byte_is_cut_off(path: Path, journal: DurableJournal) -> None:
    for entry in _entries(3):
        journal.add(*entry)
    with open(path, "r+b") as file:
        file.seek(-2, os.SEEK_END)
        last = file.read(1)
        file.seek(-2, os.SEEK_END)
        file.write(bytes([last[0] ^ 0x01]))
    assert _reopened(path)[:] == _entries(2)


def test_a_tail_the_filesystem_left_as_zeros_is_cut_off(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(3):
        journal.add(*entry)
    with open(path, "ab") as file:
        file.write(b"\0" * 4096)  # the size reached the disk, the data did not
    assert _reopened(path)[:] == _entries(3)


def test_a_damaged_record_with_records_after_it_is_refused_not_cut_off(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(5):
        journal.add(*entry)
    second = journal._offsets[1]
    with open(path, "r+b") as file:
        file.seek(second + 30)
        file.write(b"\xff")
    with pytest.raises(JournalDamagedError, match="damaged and records follow it"):
        _reopened(path)
    assert len(path.read_bytes()) == journal._end  # nothing was cut


def test_a_damaged_length_with_records_after_it_is_refused_not_trusted(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(8):
        journal.add(*entry)
    third = journal._offsets[2]
    with open(path, "r+b") as file:
        file.seek(third + 4)  # after the record's marker: its length
        file.write(struct.pack("<I", 0x7FFFFFFF))
    with pytest.raises(JournalDamagedError, match="kepil cluster remove"):
        _reopened(path)
    assert len(path.read_bytes()) == journal._end


@pytest.mark.parametrize(
    ("first", "count"),
    [(0, 1), (2, 2)],
    ids=["the first record's header", "two headers in a row"],
)
def test_damaged_headers_with_a_good_record_after_them_are_refused(
    path: Path, journal: DurableJournal, first: int, count: int
) -> None:
    for entry in _entries(10):
        journal.add(*entry)
    with open(path, "r+b") as file:
        for position in range(first, first + count):
            file.seek(journal._offsets[position] + 8)  # inside the index
            file.write(b"\xff\xff")
    with pytest.raises(JournalDamagedError):
        _reopened(path)


def test_a_zeroed_page_across_many_small_records_is_refused(
    path: Path, journal: DurableJournal
) -> None:
    for index in range(1, 601):  # 36 bytes each: good records after the page
        journal.add(b"noop", index, 1)
    with open(path, "r+b") as file:
        file.seek(4096)
        file.write(b"\0" * 4096)  # a lost page of the disk
    with pytest.raises(JournalDamagedError):
        _reopened(path)


def test_a_last_header_torn_mid_write_is_cut_off(path: Path, journal: DurableJournal) -> None:
    for entry in _entries(3):
        journal.add(*entry)
    whole = journal._end
    journal.add(b"y" * 100, 4, 1)
    with open(path, "r+b") as file:
        file.truncate(whole + 10)
    assert _reopened(path)[:] == _entries(3)


def test_a_snapshot_keeps_the_entries_after_it_when_compaction_did_not_happen(
    path: Path, journal: DurableJournal
) -> None:
    entries = _entries(20)
    for entry in entries:
        journal.add(*entry)
    journal.keep_after_snapshot(entries[8], entries[9])  # the snapshot's last entry is 10
    assert journal[:] == entries[8:]
    assert _reopened(path)[:] == entries[8:]
    journal.keep_after_snapshot((b"other", 12, 5), entries[12])  # not this log's entries
    assert journal[:] == entries[8:]


def test_a_failed_sync_stops_the_node_and_changes_nothing(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[str] = []
    journal = DurableJournal(path, on_failure=stopped.append)
    journal.add(b"kept", 1, 1)

    def failing(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdatasync", failing)
    with pytest.raises(OSError, match="No space"):
        journal.add(b"lost", 2, 1)
    assert stopped == [
        f"raft log {path}: could not append entry 2 ([Errno 28] No space left "
        "on device); stopping this node"
    ]
    assert journal[:] == [(b"kept", 1, 1)]
    journal._destroy()


def test_a_term_that_could_not_be_saved_is_not_taken(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stopped: list[str] = []
    journal = DurableJournal(path, on_failure=stopped.append)
    journal.setCurrentTerm(3, "127.0.0.1:4001")

    def failing(target: Path, content: bytes) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(journal_module, "write_durably", failing)
    with pytest.raises(OSError, match="Input/output"):
        journal.setCurrentTerm(4, "127.0.0.1:4002")
    assert len(stopped) == 1
    assert (journal.getCurrentTerm(), journal.getVotedForNodeId()) == (3, "127.0.0.1:4001")
    monkeypatch.undo()
    journal._destroy()


def test_dropping_the_tail_lasts_and_later_entries_follow_it(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(10):
        journal.add(*entry)
    journal.deleteEntriesFrom(6)
    journal.add(b"new seventh", 7, 2)
    expected = [*_entries(6), (b"new seventh", 7, 2)]
    assert journal[:] == expected
    assert _reopened(path)[:] == expected
    journal.deleteEntriesFrom(50)  # past the end: nothing to drop
    assert journal[:] == expected


def test_compaction_keeps_the_newest_entries_in_one_whole_file(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(10):
        journal.add(*entry)
    journal.deleteEntriesTo(8)
    assert journal[:] == _entries(2, first=9)
    journal.add(b"eleventh", 11, 1)
    assert _reopened(path)[:] == [*_entries(2, first=9), (b"eleventh", 11, 1)]
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_a_cleared_journal_starts_again_from_what_is_added(
    path: Path, journal: DurableJournal
) -> None:
    for entry in _entries(4):
        journal.add(*entry)
    journal.clear()
    assert len(journal) == 0
    journal.add(b"snapshot head", 40, 3)
    assert _reopened(path)[:] == [(b"snapshot head", 40, 3)]


def test_the_term_and_vote_are_on_disk_when_recorded(path: Path, journal: DurableJournal) -> None:
    journal.setCurrentTerm(7, "127.0.0.1:4001")
    again = _reopened(path)
    assert again.getCurrentTerm() == 7
    assert again.getVotedForNodeId() == "127.0.0.1:4001"
    journal.setCurrentTerm(8, None)
    assert _reopened(path).getVotedForNodeId() is None


def test_the_commit_index_is_saved_by_the_timer_or_on_closing(
    path: Path, journal: DurableJournal
) -> None:
    assert journal.getRaftCommitIndex() == 1
    journal.setRaftCommitIndex(12)
    assert _reopened(path).getRaftCommitIndex() == 1  # a hint, saved within a second
    journal.onOneSecondTimer()
    assert _reopened(path).getRaftCommitIndex() == 12
    journal.setRaftCommitIndex(13)
    journal._destroy()
    again = _reopened(path)
    assert again.getRaftCommitIndex() == 13
    again._destroy()


def test_a_pysyncobj_journal_is_converted_and_removed(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # pysyncobj leaves a file open
        legacy = FileJournal(str(tmp_path / "raft.journal"))
    for entry in _entries(6, term=2):
        legacy.add(*entry)
    legacy.setCurrentTerm(3, "127.0.0.1:4002")
    legacy.setRaftCommitIndex(5)
    legacy.onOneSecondTimer()
    legacy._destroy()
    journal = DurableJournal(tmp_path / "raft.log")
    assert journal[:] == _entries(6, term=2)
    assert (journal.getCurrentTerm(), journal.getVotedForNodeId()) == (3, "127.0.0.1:4002")
    assert journal.getRaftCommitIndex() == 5
    assert not (tmp_path / "raft.journal").exists()
    assert not (tmp_path / "raft.journal.meta").exists()
    journal._destroy()


def test_a_file_that_is_not_a_kepil_log_is_refused(path: Path) -> None:
    path.write_bytes(b"PYSYNCOBJ\0\0\0" + b"\0" * 40)
    with pytest.raises(ValueError, match="not a kepil Raft log"):
        DurableJournal(path)


def test_pysyncobj_gets_a_durable_journal_for_a_file_and_memory_without(path: Path) -> None:
    durable = create(str(path))
    assert isinstance(durable, DurableJournal)
    assert path.read_bytes() == MAGIC
    durable._destroy()
    assert not isinstance(create(None), DurableJournal)
    assert not path.with_name("raft.log.meta").exists()  # no term or vote recorded yet


def test_converting_keeps_a_newer_term_and_vote_already_recorded(tmp_path: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # pysyncobj leaves a file open
        legacy = FileJournal(str(tmp_path / "raft.journal"))
    legacy.add(b"old", 1, 1)
    legacy.setCurrentTerm(2, "127.0.0.1:4002")
    legacy._destroy()
    (tmp_path / "raft.log.meta").write_text(json.dumps({"term": 9, "voted_for": None}))
    journal = DurableJournal(tmp_path / "raft.log")
    assert journal[:] == [(b"old", 1, 1)]
    assert (journal.getCurrentTerm(), journal.getVotedForNodeId()) == (9, None)
    journal._destroy()


@settings(max_examples=200, deadline=None)
@given(cut=st.integers(min_value=1, max_value=10_000), padding=st.binary(max_size=64))
def test_a_torn_last_record_never_stops_a_node_from_starting(
    tmp_path_factory: pytest.TempPathFactory, cut: int, padding: bytes
) -> None:
    path = tmp_path_factory.mktemp("torn") / "raft.log"
    journal = DurableJournal(path)
    for entry in _entries(5):
        journal.add(*entry)
    whole = journal._end
    journal.add(bytes(range(256)) * 8, 6, 1)  # 2 KiB: cut anywhere in it, then junk after
    journal._destroy()
    torn = path.read_bytes()[: whole + cut % (journal._end - whole)] + padding
    path.write_bytes(torn)
    again = DurableJournal(path)
    assert again[:5] == _entries(5)
    again._destroy()
