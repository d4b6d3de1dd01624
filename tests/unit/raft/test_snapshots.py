"""Snapshots recorded off the engine's thread: the file is always a whole snapshot record."""

from __future__ import annotations

import pickle
import sqlite3
import threading
from pathlib import Path

import pytest
from pysyncobj import SERIALIZER_STATE
from tests.support.snapshot_source import FakeSource

from kepil.adapters.raft import snapshots as snapshots_module
from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.journal import DurableJournal
from kepil.adapters.raft.shipping import write_state_copy
from kepil.adapters.raft.snapshots import RECORD_MAGIC, Snapshots, StateBehindSnapshotError


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
    content = path.read_bytes()
    assert content.startswith(RECORD_MAGIC)
    raft, covers = pickle.loads(content[len(RECORD_MAGIC) :])  # noqa: S301 - written by this test
    return raft, covers


def test_a_snapshot_is_recorded_off_the_engine_thread_once_every_handed_entry_applied(
    tmp_path: Path, source: FakeSource
) -> None:
    release = threading.Event()

    def held_apply(index: int, entry: str) -> None:
        release.wait(5)
        source.applied = index

    applier = Applier(held_apply)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    for index in range(1, 51):
        applier.hand_over(index, "entry")
    _write(snapshots, {"last": 50})
    assert snapshots.check() == SERIALIZER_STATE.SERIALIZING
    assert not (tmp_path / "raft.snapshot").exists()  # nothing half-written in its place
    release.set()
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    assert source.applied == 50
    assert not source.opened.is_set()  # no copy of the state was made
    assert snapshots.check() == SERIALIZER_STATE.NOT_SERIALIZING
    assert _snapshot_record(tmp_path / "raft.snapshot") == ({"last": 50}, 50)
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_a_failed_record_leaves_the_last_snapshot_in_place(
    tmp_path: Path, source: FakeSource, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()

    def apply(index: int, entry: str) -> None:
        if index > 1:
            release.wait(5)
        source.applied = index

    applier = Applier(apply)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    monkeypatch.setattr(snapshots_module, "APPLY_WAIT_SECONDS", 0.05)
    monkeypatch.setattr(snapshots_module, "RETRY_AFTER_FAILURE_SECONDS", 0.1)
    applier.hand_over(2, "entry")  # not applied in time: the state does not cover it
    _write(snapshots, {"last": 2})
    assert _finish(snapshots) == SERIALIZER_STATE.FAILED
    assert _snapshot_record(tmp_path / "raft.snapshot") == ({"last": 1}, 1)
    assert not (tmp_path / "raft.snapshot.writing").exists()
    release.set()
    applier.close()


def test_loading_a_received_copy_throws_away_a_record_still_being_written(
    tmp_path: Path, source: FakeSource
) -> None:
    release = threading.Event()

    def held_apply(index: int, entry: str) -> None:
        release.wait(5)
        source.applied = index

    applier = Applier(held_apply)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    source.applied = 7
    received = tmp_path / "received.snapshot"
    write_state_copy(source, received, {"last": 7})  # as the leader's Shipping makes it
    source.applied = 0  # the received copy is newer than the state here
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    threading.Timer(0.2, release.set).start()
    assert snapshots.read(str(received)) == {"last": 7}
    assert source.installed == [received]
    assert snapshots.check() == SERIALIZER_STATE.FAILED
    assert not (tmp_path / "raft.snapshot").exists()  # the abandoned record did not land
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_a_second_snapshot_cannot_start_while_one_is_written(
    tmp_path: Path, source: FakeSource
) -> None:
    release = threading.Event()

    def held_apply(index: int, entry: str) -> None:
        release.wait(5)
        source.applied = index

    applier = Applier(held_apply)
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    with pytest.raises(RuntimeError, match="already being written"):
        snapshots.write("ignored.tmp", {"last": 1})
    release.set()
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


def test_a_record_the_ledger_file_is_behind_is_not_loaded(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    stopped: list[str] = []
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier, on_failure=stopped.append)
    applier.hand_over(30, "entry")
    _write(snapshots, {"last": 30})
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    source.applied = 12  # the ledger file was restored from an older backup
    with pytest.raises(StateBehindSnapshotError, match=r"up to 12.*holds 30"):
        snapshots.read(str(tmp_path / "raft.snapshot"))
    assert source.installed == []
    assert len(stopped) == 1
    applier.close()


def test_a_snapshot_record_of_the_earliest_copying_layout_is_still_installed(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    earliest = tmp_path / "raft.snapshot"
    meta = pickle.dumps({"raft": {"last": 4}, "log_index": 4})
    earliest.write_bytes(len(meta).to_bytes(8, "big") + meta + b"SQLite format 3\x00...")
    snapshots = Snapshots(earliest, source, applier)
    assert snapshots.read(str(earliest)) == {"last": 4}
    assert len(source.installed) == 1
    applier.close()


def test_a_failed_record_holds_pysyncobj_back_before_it_may_ask_again(
    tmp_path: Path,
    source: FakeSource,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(snapshots_module, "RETRY_AFTER_FAILURE_SECONDS", 0.3)

    def full_disk(old: object, new: object) -> None:
        raise OSError(28, "No space left on device")

    applier = Applier(lambda index, entry: setattr(source, "applied", index))
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    monkeypatch.setattr(snapshots_module.os, "replace", full_disk)
    applier.hand_over(1, "entry")
    _write(snapshots, {"last": 1})
    began = threading.Event()
    states = []
    for _ in range(500):
        state = snapshots.check()  # never raises into pysyncobj, whose serializer would stick
        states.append(state)
        if state == SERIALIZER_STATE.FAILED:
            break
        began.wait(0.01)
    assert states[-1] == SERIALIZER_STATE.FAILED
    assert len(states) > 10  # "still writing" through the pause: pysyncobj asks nothing new
    assert [r.message for r in caplog.records if r.levelname == "ERROR"] == [
        "snapshot not recorded: [Errno 28] No space left on device"
    ]
    assert not (tmp_path / "raft.snapshot").exists()
    assert not (tmp_path / "raft.snapshot.writing").exists()
    applier.close()


def test_a_node_whose_ledger_file_is_behind_its_record_is_refused_before_the_engine_starts(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    applier.hand_over(30, "entry")
    _write(snapshots, {"last": 30})
    assert _finish(snapshots) == SERIALIZER_STATE.SUCCESS
    source.applied = 12
    with pytest.raises(StateBehindSnapshotError, match="restore the node's data directory"):
        Snapshots(tmp_path / "raft.snapshot", source, applier)
    source.applied = 30
    Snapshots(tmp_path / "raft.snapshot", source, applier).close()  # caught up: starts
    applier.close()


def test_a_snapshot_that_cannot_be_loaded_stops_the_node_saying_why(
    tmp_path: Path, source: FakeSource, applier: Applier
) -> None:
    stopped: list[str] = []
    received = tmp_path / "raft.snapshot"
    received.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)  # a damaged copy
    snapshots = Snapshots(received, source, applier, on_failure=stopped.append)
    with pytest.raises(sqlite3.DatabaseError):
        snapshots.read(str(received))
    assert len(stopped) == 1
    assert stopped[0].startswith(f"the snapshot {received} could not be loaded:")
    applier.close()
