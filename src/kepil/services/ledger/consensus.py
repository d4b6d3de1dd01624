"""The consensus port: a replicated, ordered log of opaque entries shared by the nodes.

Every node applies every committed entry, in log order, through the `Apply` callback given at
start; the index passed along lets the applier skip entries it has already made durable (a
restarted engine may deliver them again). The ledger node proposes blocks as entries.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

Apply = Callable[[int, bytes], None]  # (log index, entry); must be idempotent by index


class ConsensusError(Exception):
    """An entry that could not be proposed or whose commit could not be confirmed."""

    def __init__(self, code: str, message: str) -> None:
        """Keep a stable `code` (no_leader, not_leader, timeout, queue_full, ...)."""
        super().__init__(message)
        self.code = code


@dataclass(frozen=True, slots=True)
class ConsensusStatus:
    """What a node knows of the cluster right now."""

    address: str
    leader: str | None
    is_leader: bool
    term: int
    commit_index: int
    last_applied: int
    has_quorum: bool
    peers: dict[str, bool]  # peer address -> connected

    def to_json(self) -> dict[str, Any]:
        """The status as a JSON object."""
        return {
            "address": self.address,
            "leader": self.leader,
            "is_leader": self.is_leader,
            "term": self.term,
            "commit_index": self.commit_index,
            "last_applied": self.last_applied,
            "has_quorum": self.has_quorum,
            "peers": dict(self.peers),
        }


class ConsensusLog(Protocol):
    """A replicated log; this node's view of it."""

    def propose(self, entry: bytes, timeout: float) -> int:
        """Append `entry` through the leader; its index once applied here, or ConsensusError."""
        ...

    def status(self) -> ConsensusStatus:
        """Leader, term, indexes and peers as this node sees them."""
        ...

    def close(self) -> None:
        """Leave the cluster's traffic and release files."""
        ...


class StateView(Protocol):
    """The applier's state at one log index, fixed while later entries apply."""

    log_index: int

    def copy_to(self, target: Path) -> None:
        """Write the viewed state to `target`, then release the view."""
        ...

    def close(self) -> None:
        """Release a view that will not be copied."""
        ...


class SnapshotSource(Protocol):
    """The applier's durable state, as a consensus engine compacts its log and ships it."""

    def applied_log_index(self) -> int:
        """The last log index whose effects the state holds."""
        ...

    def open_snapshot(self) -> StateView:
        """A view of the state as it is now; applying may go on while the view is copied."""
        ...

    def install_snapshot(self, source: Path) -> None:
        """Replace the state by a copy of an open_snapshot() view (of this or another node)."""
        ...
