"""RaftLog: a ConsensusLog on pysyncobj, tuned as docs/research/pysyncobj.md measured.

Choices, each for a measured reason:
- a cluster password is mandatory: peers exchange pickles, so an open port would run anyone's
  code; the password makes every message authenticated and encrypted (AES-256-GCM, and deflate
  that stores rather than compresses: kepil.adapters.raft.wire, ~20x cheaper than pysyncobj's);
- entries travel as base64 text, not bytes (pickle protocol 2 inflates bytes by half), and
  the batch size exceeds the largest entry (pysyncobj corrupts entries it has to chunk);
- no batching of commands: a proposal wakes the engine (its pipe notifier) and goes out at
  once; the tick (timers) is 50 ms, which took the idle cost of 5 nodes from 36% to 6% of a
  core (5 ms before), and a heartbeat goes out each 100 ms between entries; 2 MiB socket
  buffers;
- entries are applied on a thread of their own (kepil.adapters.raft.applier), so the engine
  keeps replicating while a block applies;
- snapshots are written off the engine's thread (kepil.adapters.raft.snapshots);
- the journal and the snapshot file are set together (a journal without a snapshot file leaves a
  restarted node empty after compaction); the journal is kepil's (kepil.adapters.raft.journal):
  every entry, term and vote is fsynced before the engine acts on it, which pysyncobj's own
  journal never did; the snapshot file is fsynced before it replaces the last one.
An entry that fails to apply is retried until it applies, which is right for an all-or-nothing,
idempotent applier (a full disk is retried, not skipped).
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from pysyncobj import FAIL_REASON, SyncObj, SyncObjConf, SyncObjException, replicated

from kepil.adapters.raft import journal, wire
from kepil.adapters.raft.applier import Applier
from kepil.adapters.raft.snapshots import Snapshots
from kepil.adapters.raft.snapshots import install as install_snapshots
from kepil.services.ledger.consensus import (
    Apply,
    ConsensusError,
    ConsensusStatus,
    SnapshotSource,
)

log = logging.getLogger("kepil.raft")

MIN_PASSWORD_LENGTH: Final = 16
_LEADER: Final = 2
_CONNECTED: Final = 2
_FAILURES: Final = {
    FAIL_REASON.QUEUE_FULL: "queue_full",
    FAIL_REASON.MISSING_LEADER: "no_leader",
    FAIL_REASON.DISCARDED: "discarded",
    FAIL_REASON.NOT_LEADER: "not_leader",
    FAIL_REASON.LEADER_CHANGED: "leader_changed",
    FAIL_REASON.REQUEST_DENIED: "denied",
    FAIL_REASON.UNKNOWN_OUTCOME: "unknown_outcome",
}


@dataclass(frozen=True, slots=True)
class RaftSettings:
    """One node's place in the cluster and its files."""

    address: str  # host:port this node listens on
    peers: tuple[str, ...]  # the other members' host:port
    password: str
    data_dir: Path
    # Applying a block of a thousand transfers takes the engine's thread ~0.1-0.3 s on a busy
    # machine; shorter election timeouts than these made loaded followers start elections.
    min_timeout: float = 1.0
    max_timeout: float = 2.5
    tick: float = 0.05
    # A heartbeat each 0.1 s is a tenth of the shortest election timeout. A new entry, and the
    # commit index once it moves, go out at once whatever the period, so latency does not wait
    # for it; only the empty messages (and their acknowledgements) between them become fewer.
    heartbeat: float = 0.1
    compaction_entries: int = 500

    @property
    def journal_file(self) -> Path:
        """The engine's log: entries, term and vote (kepil.adapters.raft.journal)."""
        return self.data_dir / "raft.log"

    @property
    def snapshot_file(self) -> Path:
        """Where the engine keeps its snapshot (a record: the applier's file holds the state)."""
        return self.data_dir / "raft.snapshot"

    def conf(self, snapshots: Snapshots | None = None) -> SyncObjConf:
        """The pysyncobj configuration these settings stand for."""
        if len(self.password) < MIN_PASSWORD_LENGTH:
            raise ValueError(f"the cluster password must have at least {MIN_PASSWORD_LENGTH} chars")
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return SyncObjConf(
            password=self.password,
            appendEntriesPeriod=self.heartbeat,
            autoTickPeriod=self.tick,
            raftMinTimeout=self.min_timeout,
            raftMaxTimeout=self.max_timeout,
            appendEntriesUseBatch=False,
            appendEntriesBatchSizeBytes=2**23,
            sendBufferSize=2**21,
            recvBufferSize=2**21,
            connectionRetryTime=1.0,
            leaderFallbackTimeout=3.0,
            journalFile=str(self.journal_file),
            fullDumpFile=str(self.snapshot_file),
            logCompactionMinEntries=self.compaction_entries,
            dynamicMembershipChange=True,
            serializer=None if snapshots is None else snapshots.write,
            serializeChecker=None if snapshots is None else snapshots.check,
            deserializer=None if snapshots is None else snapshots.read,
            onStateChanged=None if snapshots is None else snapshots.state_changed,
        )


class _ResentEntries(logging.Filter):
    """pysyncobj's CRITICAL on truncating applied entries, told as what it is: a warning.

    A follower truncates its log after the entry the leader's message follows, even when the
    entries it drops are the very ones the message carries again (seen after failovers and
    under load, when the leader re-sends from an older next index). Applied entries are
    committed, and Raft's log matching makes committed entries equal on every member, so the
    truncated entries come back unchanged and are not applied twice (the engine's last applied
    index stays, and the applier skips indexes already in its store). A real divergence of
    state is what the nodes' signed checkpoints detect, not this line.
    """

    _PREFIX: Final = "truncating already-applied log entries"

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.CRITICAL and str(record.msg).startswith(self._PREFIX):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = (
                "re-received entries it had applied; truncating and re-adding them from index "
                "%d (last applied: %d): committed entries are equal on every member, and "
                "divergence is judged by checkpoints"
            )
        return True


_RESENT_ENTRIES: Final = _ResentEntries()


def soften_resent_entries_log() -> None:
    """Log pysyncobj's truncation of re-sent applied entries as a warning (see _ResentEntries)."""
    logging.getLogger("pysyncobj.syncobj").addFilter(_RESENT_ENTRIES)  # a no-op the second time


class _Replica(SyncObj):  # type: ignore[misc]  # pysyncobj ships no type information
    def __init__(
        self, settings: RaftSettings, applier: Applier, snapshots: SnapshotSource | None
    ) -> None:
        self._applier = applier  # set before the engine starts, so it is not snapshotted
        self._snapshots = (
            None
            if snapshots is None
            else Snapshots(settings.snapshot_file, snapshots, applier, settings.journal_file)
        )
        super().__init__(settings.address, list(settings.peers), settings.conf(self._snapshots))

    def abandon_snapshot(self) -> None:
        """Wait for snapshot work in progress and throw it away (the engine has stopped)."""
        if self._snapshots is not None:
            self._snapshots.close()

    @replicated  # type: ignore[untyped-decorator]
    def append(self, entry: str) -> int:
        index = int(self.raftLastApplied) + 1  # pysyncobj advances it after this returns
        self._applier.hand_over(index, entry)
        return index


class RaftLog:
    """This node's replica of the cluster's log."""

    def __init__(
        self, settings: RaftSettings, apply: Apply, snapshots: SnapshotSource | None = None
    ) -> None:
        """Join the cluster at `settings.address`; `apply` runs every committed entry here.

        With `snapshots` (the applier's durable state), a compacted log is kept as a copy of
        that state, which is also what a new or far-behind member receives before the log.
        """
        self.settings = settings
        wire.install()
        journal.install()
        install_snapshots()
        soften_resent_entries_log()
        self._applier = Applier(lambda index, text: apply(index, base64.b64decode(text)))
        try:
            self._replica = _Replica(settings, self._applier, snapshots)
        except BaseException:
            self._applier.close(0)
            raise

    def propose(self, entry: bytes, timeout: float) -> int:
        """Append `entry` through the leader; its index once applied here, or ConsensusError."""
        text = base64.b64encode(entry).decode()
        started = time.monotonic()
        try:
            index = int(self._replica.append(text, sync=True, timeout=timeout))
        except SyncObjException as error:
            code = _FAILURES.get(error.errorCode, "timeout")
            raise ConsensusError(code, f"the entry was not committed: {code}") from None
        remaining = max(0.0, timeout - (time.monotonic() - started))
        if not self._applier.wait_applied(index, remaining):
            raise ConsensusError("timeout", f"entry {index} committed but not applied here yet")
        return index

    def status(self) -> ConsensusStatus:
        """Leader, term, indexes and peers as this node sees them."""
        raw: dict[str, Any] = self._replica.getStatus()
        leader = raw.get("leader")
        peers = {
            name.removeprefix("partner_node_status_server_"): value == _CONNECTED
            for name, value in raw.items()
            if name.startswith("partner_node_status_server_")
        }
        return ConsensusStatus(
            address=self.settings.address,
            leader=None if leader is None else str(leader),
            is_leader=raw.get("state") == _LEADER,
            term=int(raw.get("raft_term", 0)),
            commit_index=int(raw.get("commit_idx", 0)),
            last_applied=int(raw.get("last_applied", 0)),
            has_quorum=bool(raw.get("has_quorum", False)),
            peers=peers,
        )

    def add_member(self, address: str, timeout: float = 10.0) -> None:
        """Add `address` to the cluster (one change at a time); ConsensusError when refused."""
        self._change(self._replica.addNodeToCluster, address, timeout)

    def remove_member(self, address: str, timeout: float = 10.0) -> None:
        """Remove `address` from the cluster; the leader itself must hand over first."""
        self._change(self._replica.removeNodeFromCluster, address, timeout)

    def _change(self, change: Any, address: str, timeout: float) -> None:
        done = threading.Event()
        outcome: list[Any] = []

        def finished(result: Any, error: Any) -> None:
            outcome.append(error)
            done.set()

        change(address, callback=finished)
        if not done.wait(timeout):
            raise ConsensusError("timeout", f"the membership change of {address} timed out")
        if outcome[0] != FAIL_REASON.SUCCESS:
            code = _FAILURES.get(outcome[0], "failed")
            raise ConsensusError(code, f"the membership change of {address} failed: {code}")

    def close(self) -> None:
        """Stop the engine's thread and close its sockets and files; wait for the threads."""
        self._replica.destroy_synchronous()
        self._replica.abandon_snapshot()
        self._applier.close()
