"""The Raft log on loopback: three replicas in one process, real sockets, real pysyncobj."""

from __future__ import annotations

import base64
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.adapters.raft import RaftLog, RaftSettings
from kepil.adapters.raft.journal import DurableJournal
from kepil.adapters.raft.snapshots import StateBehindSnapshotError
from kepil.entrypoints.node.network import free_port_run
from kepil.services.ledger.consensus import ConsensusError

PASSWORD = "test-cluster-password-0001"  # TEST FIXTURE, loopback only
DEADLINE = 20.0


def _free_ports(count: int) -> list[int]:
    base = free_port_run(count)
    return list(range(base, base + count))


class Replica:
    """A RaftLog and what it applied, in order."""

    def __init__(self, settings: RaftSettings) -> None:
        self.applied: list[tuple[int, bytes]] = []
        self._lock = threading.Lock()
        self.log = RaftLog(settings, self._apply)

    def _apply(self, index: int, entry: bytes) -> None:
        with self._lock:
            if not self.applied or index > self.applied[-1][0]:  # idempotent by index
                self.applied.append((index, entry))

    def entries(self) -> list[bytes]:
        with self._lock:
            return [entry for _, entry in self.applied]


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)


def _start(addresses: list[str], root: Path) -> list[Replica]:
    return [
        Replica(
            RaftSettings(
                address,
                tuple(a for a in addresses if a != address),
                PASSWORD,
                root / f"node-{n}",
            )
        )
        for n, address in enumerate(addresses)
    ]


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[list[Replica]]:
    replicas = _start([f"127.0.0.1:{port}" for port in _free_ports(3)], tmp_path)
    yield replicas
    for replica in replicas:
        replica.log.close()


def _leader(replicas: list[Replica]) -> Replica:
    _wait_for(lambda: any(r.log.status().is_leader for r in replicas), "a leader")
    return next(r for r in replicas if r.log.status().is_leader)


def test_entries_proposed_anywhere_are_applied_everywhere_in_one_order(
    cluster: list[Replica],
) -> None:
    leader = _leader(cluster)
    follower = next(r for r in cluster if r is not leader)
    big = bytes(range(256)) * 1024  # 256 KiB: larger than pysyncobj's default chunk
    sent = [b"first", big, b"third"]
    indexes = [leader.log.propose(sent[0], 10), follower.log.propose(sent[1], 10)]
    indexes.append(leader.log.propose(sent[2], 10))
    assert indexes == sorted(indexes)
    _wait_for(lambda: all(r.entries()[-3:] == sent for r in cluster), "every replica to apply")
    assert len({tuple(r.entries()) for r in cluster}) == 1


def test_the_status_names_the_leader_and_the_connected_peers(cluster: list[Replica]) -> None:
    leader = _leader(cluster)
    leader.log.propose(b"x", 10)
    _wait_for(lambda: all(r.log.status().leader is not None for r in cluster), "a known leader")
    statuses = [r.log.status() for r in cluster]
    assert {s.leader for s in statuses} == {leader.log.settings.address}
    assert all(s.has_quorum or not s.is_leader for s in statuses)
    assert all(len(s.peers) == 2 for s in statuses)


def test_a_short_cluster_password_is_refused(tmp_path: Path) -> None:
    settings = RaftSettings("127.0.0.1:1", (), "short", tmp_path)
    with pytest.raises(ValueError, match="password"):
        settings.conf()


def test_a_proposal_without_a_quorum_fails_with_a_code(tmp_path: Path) -> None:
    port, absent = _free_ports(2)
    lonely = Replica(
        RaftSettings(f"127.0.0.1:{port}", (f"127.0.0.1:{absent}",), PASSWORD, tmp_path)
    )
    try:
        with pytest.raises(ConsensusError) as failed:
            lonely.log.propose(b"nobody hears", 1.5)
        assert failed.value.code in {"timeout", "no_leader"}
    finally:
        lonely.log.close()


def test_a_restarted_cluster_replays_its_entries_from_the_durable_journal(tmp_path: Path) -> None:
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(3)]
    first = _start(addresses, tmp_path)
    try:
        sent = [f"entry {n}".encode() for n in range(5)]
        for entry in sent:
            _leader(first).log.propose(entry, 10)
        _wait_for(lambda: all(r.entries()[-5:] == sent for r in first), "every replica to apply")
    finally:
        for replica in first:
            replica.log.close()
    for n in range(3):
        journal = DurableJournal(tmp_path / f"node-{n}" / "raft.log")
        commands = b"".join(command for command, _, _ in journal[:])
        assert all(base64.b64encode(entry) in commands for entry in sent)  # entries go as base64
        assert journal.getCurrentTerm() >= 1
        journal._destroy()
    again = _start(addresses, tmp_path)
    try:
        _wait_for(lambda: all(r.entries()[-5:] == sent for r in again), "the journal replayed")
    finally:
        for replica in again:
            replica.log.close()


def test_a_node_whose_ledger_file_is_older_than_its_snapshot_record_refuses_to_start(
    tmp_path: Path,
) -> None:
    ledger = tmp_path / "ledger.sqlite3"
    settings = RaftSettings(
        f"127.0.0.1:{_free_ports(1)[0]}", (), PASSWORD, tmp_path / "raft", compaction_entries=5
    )
    store = SqliteLedgerStore(ledger)

    def apply(index: int, entry: bytes) -> None:
        store.skip_log_index(index)  # an entry that changes nothing but is recorded as applied

    raft = RaftLog(settings, apply, snapshots=store)
    try:
        shutil.copyfile(ledger, tmp_path / "backup.sqlite3")  # at log index 0
        for n in range(12):
            raft.propose(f"entry {n}".encode(), 10)
        record = settings.snapshot_file
        _wait_for(record.exists, "a snapshot record after 5 entries")
    finally:
        raft.close()
        store.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{ledger}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "backup.sqlite3", ledger)  # an operator restores an old backup
    with (
        SqliteLedgerStore(ledger) as restored,
        pytest.raises(StateBehindSnapshotError, match="restore the node's data directory"),
    ):
        RaftLog(settings, apply, snapshots=restored)
