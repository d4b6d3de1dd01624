"""The consensus engine: Raft by pysyncobj behind the ConsensusLog port."""

from kepil.adapters.raft.log import RaftLog, RaftSettings

__all__ = ["RaftLog", "RaftSettings"]
