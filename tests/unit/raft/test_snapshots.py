"""Snapshots written off the engine's thread: the file is always a whole snapshot."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from pysyncobj import SERIALIZER_STATE

from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.journal import DurableJournal
from kepil.adapters.raft.snapshots import Snapshots


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


@pytest.fixture
def source() -> FakeSource:
    return FakeSource()


@pytest.fixture
def applier(source: FakeSource) -> Applier:
    def apply(index: int, entry: str) -> None:
        source.applied = index

    return Applier(apply)


def _write(snapshots: Snapshots, record: object) -> None:
    with pytest.raises(Exception) as deferred:  # noqa: PT011 - pysyncobj catches any exception
        snapshots.write("ignored.tmp", record)
    assert type(deferred.value).__name__ == "_Deferred"


def _finish(snapshots: Snapshots) -> int:
    for _ in range(500):
        state = snapshots.check()
        if state != SERIALIZER_STATE.SERIALIZING:
            return state
        threading.Event().wait(0.01)
    raise AssertionError("the snapshot never finished")


def _snapshot_record(path: Path) -> tuple[object, int]:
    with closing(sqlite3.connect(path)) as copy:
        raft, log_index = copy.execute("SELECT raft, log_index FROM kepil_raft_snapshot").fetchone()
    return pickle.loads(raft), log_index  # noqa: S301 - written by this test


def test_a_snapshot_is_written_off_the_engine_thread_and_holds_every_applied_entry(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    for index in range(1, 51):
        applier.hand_over(index, "entry")
    source.gate.clear()
    _write(snapshots, {"last": 50})
    assert snapshots.check() == SERIALIZER_STATE.SERIALIZING
    assert not (tmp_path / "raft.snapshot").exists()  # nothing half-written in its place
    source.gate.set()
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    assert snapshots.check() == SERIALIZER_STATE.NOT_SERIALIZING
    assert _snapshot_record(tmp_path / "raft.snapshot") == ({"last": 50}, 50)
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_a_failed_copy_leaves_the_last_snapshot_in_place(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    applier.hand_over(2, "entry")
    source.fail = True
    _write(snapshots, {"last": 2})
    assert _finish(snapshots) == SERIALIZER_STATE.FAILED
    assert _snapshot_record(tmp_path / "raft.snapshot") == ({"last": 1}, 1)
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_loading_a_snapshot_throws_away_a_copy_still_being_written(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    received = tmp_path / "received.snapshot"
    (tmp_path / "raft.snapshot").rename(received)
    applier.hand_over(2, "entry")
    source.gate.clear()
    source.opened.clear()
    _write(snapshots, {"last": 2})
    assert source.opened.wait(5)  # the copy holds its view: entry 2 is applied, not later
    threading.Timer(0.2, source.gate.set).start()
    source.applied = 0  # the received file is newer than the state here
    assert snapshots.read(str(received)) == {"last": 1}
    assert source.installed == [received]
    assert snapshots.check() == SERIALIZER_STATE.FAILED
    assert not (tmp_path / "raft.snapshot").exists()  # the abandoned copy did not land
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_a_second_snapshot_cannot_start_while_one_is_written(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    source.gate.clear()
    _write(snapshots, {"last": 0})
    with pytest.raises(RuntimeError, match="already being written"):
        snapshots.write("ignored.tmp", {"last": 0})
    source.gate.set()
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    applier.close()


def test_starting_a_snapshot_leaves_the_engine_thread_free_while_entries_are_applied(
    tmp_path: Path, source: FakeSource
) -> None:
    release = threading.Event()

    def slow_apply(index: int, entry: str) -> None:
        release.wait(5)
        source.applied = index

    applier = Applier(slow_apply)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    for index in range(1, 4):
        applier.hand_over(index, "entry")
    _write(snapshots, {"last": 3})
    assert applier.applied < 3  # the engine's thread came back before the entries applied
    assert snapshots.check() == SERIALIZER_STATE.SERIALIZING
    release.set()
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    assert _snapshot_record(tmp_path / "raft.snapshot") == ({"last": 3}, 3)
    applier.close()


def test_loading_a_snapshot_keeps_the_journal_entries_after_it(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    journal = DurableJournal(tmp_path / "raft.log")
    entries = [(f"entry {i}".encode(), i, 1) for i in range(1, 21)]
    for entry in entries:
        journal.add(*entry)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier, tmp_path / "raft.log")
    applier.hand_over(10, "entry")
    record = (entries[9], entries[8], ["127.0.0.1:4001"])  # as pysyncobj gives it
    _write(snapshots, record)
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    # The process stops here, before pysyncobj compacts the journal; it starts again:
    assert snapshots.read(str(tmp_path / "raft.snapshot")) == record
    assert journal[:2] == [entries[8], entries[9]]  # what pysyncobj checks to keep the log
    assert journal[:] == entries[8:]
    journal._destroy()
    applier.close()
