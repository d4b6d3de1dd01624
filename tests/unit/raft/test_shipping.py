"""A member too far behind for the log receives a copy of the state made when it asks."""

from __future__ import annotations

import os
import pickle
import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from pysyncobj.serializer import Serializer
from tests.support.snapshot_source import FakeSource

from kepil.adapters.ledger_store.snapshot import SqliteStateView
from kepil.adapters.raft import shipping as shipping_module
from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.shipping import Chunk, Shipping, write_state_copy
from kepil.adapters.raft.snapshots import Snapshots, install


def _receive(shipping: Shipping | Snapshots, member: str, into: Path) -> list[Chunk]:
    """Ask as pysyncobj's leader does, round after round, until the last chunk; write it out."""
    send = shipping.transmission_data if isinstance(shipping, Snapshots) else shipping.data
    chunks: list[Chunk] = []
    for _ in range(500):
        chunk = send(member)
        if chunk is None:
            assert not chunks, "nothing is withheld once sending began"
            threading.Event().wait(0.01)
            continue
        chunks.append(chunk)
        if chunk[2]:
            into.write_bytes(b"".join(data for data, _, _ in chunks))
            return chunks
    raise AssertionError("the copy never came")


def _record_of(copy: Path) -> tuple[object, int]:
    with closing(sqlite3.connect(copy)) as db:
        raft, log_index = db.execute("SELECT raft, log_index FROM kepil_raft_snapshot").fetchone()
    return pickle.loads(raft), log_index  # noqa: S301 - written by this test


def test_a_member_is_sent_a_copy_of_the_state_with_the_record_it_stands_for(
    tmp_path: Path,
) -> None:
    source = FakeSource()
    source.applied = 40
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship", chunk_bytes=1000)
    assert shipping.data("node-4") is None  # no snapshot recorded yet: nothing to send
    assert not source.opened.is_set()
    shipping.recorded({"last": 35})
    source.applied = 41  # the copy may be past the record: the member skips what it holds
    chunks = _receive(shipping, "node-4", tmp_path / "received")
    assert chunks[0][1]
    assert not any(first for _, first, _ in chunks[1:])
    assert chunks[-1] == (b"", False, True)
    assert _record_of(tmp_path / "received") == ({"last": 35}, 41)


def test_one_copy_serves_every_member_until_the_next_record(tmp_path: Path) -> None:
    source = FakeSource()
    source.applied = 10
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship")
    shipping.recorded({"last": 10})
    _receive(shipping, "node-4", tmp_path / "first")
    source.applied = 20
    _receive(shipping, "node-5", tmp_path / "second")
    assert _record_of(tmp_path / "second") == ({"last": 10}, 10)  # the same copy
    shipping.recorded({"last": 20})
    _receive(shipping, "node-5", tmp_path / "third")
    assert _record_of(tmp_path / "third") == ({"last": 20}, 20)
    shipping.close()
    assert not (tmp_path / "raft.snapshot.ship").exists()


def test_a_copy_made_for_a_replaced_record_is_not_sent(tmp_path: Path) -> None:
    source = FakeSource()
    source.applied = 5
    source.gate.clear()  # the first copy is held half-way
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship")
    shipping.recorded({"last": 5})
    assert shipping.data("node-4") is None
    assert source.opened.wait(5)
    source.applied = 9
    shipping.recorded({"last": 9})
    source.gate.set()
    _receive(shipping, "node-4", tmp_path / "received")
    assert _record_of(tmp_path / "received") == ({"last": 9}, 9)
    shipping.close()


def test_a_member_that_disconnects_starts_again_from_the_first_chunk(tmp_path: Path) -> None:
    source = FakeSource()
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship", chunk_bytes=100)
    shipping.recorded({"last": 0})
    first = _receive(shipping, "node-4", tmp_path / "whole")
    assert len(first) > 2
    while shipping.data("node-5") is None:
        threading.Event().wait(0.01)
    shipping.cancel("node-5")
    again = shipping.data("node-5")
    assert again is not None
    assert again[1]
    shipping.close()


def test_a_received_copy_is_sent_on_as_it_is(tmp_path: Path) -> None:
    source = FakeSource()
    received = tmp_path / "raft.snapshot"
    received.write_bytes(b"SQLite format 3\x00" + b"x" * 300)
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship", chunk_bytes=128)
    shipping.plain(received)
    _receive(shipping, "node-4", tmp_path / "sent")
    assert (tmp_path / "sent").read_bytes() == received.read_bytes()
    assert not source.opened.is_set()
    shipping.close()


def test_pysyncobj_sends_the_copy_shipping_makes_not_the_snapshot_record(tmp_path: Path) -> None:
    install()
    source = FakeSource()
    applier = Applier(lambda index, entry: setattr(source, "applied", index))
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    serializer = Serializer(
        str(tmp_path / "raft.snapshot"), 2**16, False, snapshots.write, snapshots.read,
        snapshots.check,
    )  # fmt: skip
    applier.hand_over(3, "entry")
    serializer.serialize((None, ("e3", 3, 1), ("e2", 2, 1), set()), 3)
    for _ in range(500):
        state, _ = serializer.checkSerializing()
        if state != 1:  # SERIALIZING
            break
        threading.Event().wait(0.01)
    assert (tmp_path / "raft.snapshot").read_bytes().startswith(b"kepil raft snapshot record")
    chunks: list[bytes] = []
    for _ in range(500):
        chunk = serializer.getTransmissionData("node-4")
        if chunk is None:
            threading.Event().wait(0.01)
            continue
        chunks.append(chunk[0])
        if chunk[2]:
            break
    (tmp_path / "received").write_bytes(b"".join(chunks))
    assert _record_of(tmp_path / "received") == ((("e3", 3, 1), ("e2", 2, 1), set()), 3)
    serializer.cancelTransmisstion("node-4")
    snapshots.close()
    applier.close()


def test_a_transfer_left_idle_starts_again_from_its_first_chunk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shipping_module, "IDLE_RESTART_SECONDS", 0.05)
    source = FakeSource()
    shipping = Shipping(source, tmp_path / "raft.snapshot.ship", chunk_bytes=100)
    shipping.recorded({"last": 0})
    while (first := shipping.data("node-4")) is None:
        threading.Event().wait(0.01)
    assert first[1]
    second = shipping.data("node-4")
    assert second is not None
    assert not second[1]
    threading.Event().wait(0.1)  # led elsewhere meanwhile: the member may hold another copy
    again = shipping.data("node-4")
    assert again is not None
    assert again[1]
    assert again[0] == first[0]
    shipping.close()


def _open_copies() -> list[str]:
    found = []
    for descriptor in Path("/proc/self/fd").iterdir():
        try:
            target = os.readlink(descriptor)
        except OSError:
            continue  # the listing's own descriptor, closed by now
        if "raft.snapshot.ship" in target:
            found.append(target)
    return found


def test_a_node_that_stops_leading_closes_every_transfer(tmp_path: Path) -> None:
    source = FakeSource()
    applier = Applier(lambda index, entry: setattr(source, "applied", index))
    snapshots = Snapshots(tmp_path / "raft.snapshot", source, applier)
    snapshots.shipping.recorded({"last": 0})
    while snapshots.transmission_data("node-4") is None:
        threading.Event().wait(0.01)
    assert _open_copies()
    snapshots.state_changed(2, 0)  # leader -> follower, pysyncobj's _RAFT_STATE values
    assert _open_copies() == []
    snapshots.close()
    applier.close()


def test_a_copy_of_a_ledger_installed_from_a_copy_replaces_its_old_record(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    with closing(sqlite3.connect(ledger)) as db, db:
        db.execute("CREATE TABLE meta (name TEXT PRIMARY KEY, value BLOB)")
        db.execute("INSERT INTO meta VALUES ('log_index', 7)")
        db.execute("CREATE TABLE kepil_raft_snapshot (raft BLOB, log_index INTEGER)")
        db.execute("INSERT INTO kepil_raft_snapshot VALUES (?, 3)", (pickle.dumps("old"),))

    class Source(FakeSource):
        def open_snapshot(self) -> SqliteStateView:  # type: ignore[override]
            return SqliteStateView(ledger)

    write_state_copy(Source(), tmp_path / "copy", {"last": 7})
    assert _record_of(tmp_path / "copy") == ({"last": 7}, 7)
