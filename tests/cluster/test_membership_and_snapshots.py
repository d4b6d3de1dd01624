"""Membership and compaction with real nodes in one process: SQLite ledgers, Raft on loopback.

The log is compacted every few entries, so a node added later cannot replay it from the start:
it must install a snapshot (a copy of a member's ledger file) and then follow the log.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bench.workload import MINISTRY_BIN, NetworkWorkload, distinct_iins, fixture_key, ministry_ca
from kepil.adapters.clock import SystemClock
from kepil.adapters.ledger_permit import CmsPermitVerifier
from kepil.adapters.ledger_store import SqliteLedgerStore
from kepil.adapters.raft import RaftLog, RaftSettings
from kepil.entrypoints.node.network import free_port_run
from kepil.ledger import Executor, default_registry, public_key_hex
from kepil.services.ledger.consensus import ConsensusError
from kepil.services.ledger.node import LedgerNode, NodeIdentity, NodeSettings, TxState
from kepil.signing.trust import TrustStore

# pysyncobj opens the snapshot file to stream it to a new member and leaves closing it to the
# garbage collector (serializer.py, getTransmissionData); that is its warning, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")

PASSWORD = "test-cluster-password-0002"  # TEST FIXTURE, loopback only
CHAIN = "kepil-membership-test"
DEADLINE = 30.0


def _free_ports(count: int) -> list[int]:
    base = free_port_run(count)
    return list(range(base, base + count))


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DEADLINE
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


@dataclass
class Member:
    name: str
    address: str
    node: LedgerNode
    store: SqliteLedgerStore
    raft: RaftLog

    def close(self) -> None:
        self.node.stop(5.0)
        self.raft.close()
        self.node.close()


def _member(name: str, address: str, peers: list[str], root: Path) -> Member:
    (root / name).mkdir(parents=True, exist_ok=True)
    store = SqliteLedgerStore(root / name / "ledger.sqlite3")
    trust = TrustStore.from_directory(ministry_ca(root).trust_directory)
    executor = Executor(CHAIN, default_registry(CmsPermitVerifier(trust, MINISTRY_BIN)))
    identity = NodeIdentity(name, fixture_key(name))
    node = LedgerNode(executor, store, SystemClock(), identity, NodeSettings(max_block_txs=20))
    settings = RaftSettings(
        address, tuple(peers), PASSWORD, root / name / "raft", compaction_entries=8
    )
    raft = RaftLog(settings, node.replicate(), snapshots=store)
    node.attach(raft)
    node.start()
    return Member(name, address, node, store, raft)


@pytest.fixture
def three(tmp_path: Path) -> Iterator[tuple[list[Member], list[str], Path]]:
    addresses = [f"127.0.0.1:{port}" for port in _free_ports(4)]
    members = [
        _member(f"node-{i + 1}", a, [p for p in addresses[:3] if p != a], tmp_path)
        for i, a in enumerate(addresses[:3])
    ]
    yield members, addresses, tmp_path
    for member in members:
        member.close()


def _remove(leader: Member, address: str) -> None:
    """Remove a member; a leader refuses ("denied") until its election's no-op entry applied."""
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            leader.raft.remove_member(address)
            return
        except ConsensusError as error:
            if error.code != "denied" or time.monotonic() > deadline:
                raise
        time.sleep(0.05)  # polled: pysyncobj signals no event when the no-op entry applies


def _commit(member: Member, txs: list) -> None:  # type: ignore[type-arg]
    ids = [member.node.submit(tx) for tx in txs]
    for tx_id in ids:
        status = member.node.wait(tx_id, DEADLINE)
        assert status.state is TxState.COMMITTED, status
        assert status.code == "ok", status


def test_a_node_added_after_compaction_catches_up_from_a_snapshot_then_the_log(
    three: tuple[list[Member], list[str], Path],
) -> None:
    members, addresses, root = three
    _wait_for(lambda: members[0].raft.status().leader is not None, "a leader")
    names = [(f"node-{i}", public_key_hex(fixture_key(f"node-{i}"))) for i in (1, 2, 3, 4)]
    work = NetworkWorkload(CHAIN, names, distinct_iins(41), ministry_ca(root))
    _commit(members[0], [work.genesis()])
    setup = work.setup()
    for start in range(0, len(setup), 5):  # many small entries, so the log is compacted
        _commit(members[start % 3], setup[start : start + 5])
    snapshots = [root / m.name / "raft" / "raft.snapshot" for m in members]
    _wait_for(lambda: all(s.exists() for s in snapshots), "a snapshot on every member")

    members[0].raft.add_member(addresses[3])
    newcomer = _member("node-4", addresses[3], addresses[:3], root)
    members.append(newcomer)
    _commit(members[1], work.transfers(10))
    top = members[1].node.head()
    assert top is not None
    _wait_for(
        lambda: (newcomer.node.head() or top).height == top.height and newcomer.node.head(),
        "the newcomer at the others' height",
    )
    assert {m.store.state_root() for m in members} == {top.state_root}
    assert newcomer.store.block(0) is not None  # the whole chain, from the snapshot


def test_a_removed_node_leaves_the_members_and_the_rest_go_on(
    three: tuple[list[Member], list[str], Path],
) -> None:
    members, _, root = three
    _wait_for(lambda: any(m.raft.status().is_leader for m in members), "a leader")
    leader = next(m for m in members if m.raft.status().is_leader)
    leaving = next(m for m in members if m is not leader)
    _remove(leader, leaving.address)
    members.remove(leaving)
    leaving.close()
    names = [(f"node-{i}", public_key_hex(fixture_key(f"node-{i}"))) for i in (1, 2, 3)]
    work = NetworkWorkload(CHAIN, names, distinct_iins(3), ministry_ca(root))
    _commit(leader, [work.genesis()])  # two of two remaining members: a quorum
    assert leaving.address not in leader.raft.status().peers
    _wait_for(
        lambda: {m.store.state_root() for m in members} == {leader.store.state_root()},
        "the same root on both remaining members",
    )
