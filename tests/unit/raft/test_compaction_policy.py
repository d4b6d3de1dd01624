"""When the engine compacts its log: members in turns, by time, never all at once."""

from __future__ import annotations

from pathlib import Path

from kepil.adapters.raft import RaftSettings

PASSWORD = "a-test-cluster-password"


def test_each_member_compacts_in_its_own_slot_of_a_period_of_half_a_minute(tmp_path: Path) -> None:
    conf = RaftSettings("127.0.0.1:7001", ("127.0.0.1:7002",), PASSWORD, tmp_path).conf()
    assert conf.logCompactionSplit is True
    assert conf.logCompactionMinTime == 30.0
    assert conf.logCompactionMinEntries == 500


def test_the_compaction_period_and_entries_are_settings(tmp_path: Path) -> None:
    settings = RaftSettings(
        "127.0.0.1:7001", (), PASSWORD, tmp_path, compaction_entries=8, compaction_seconds=2.0
    )
    conf = settings.conf()
    assert (conf.logCompactionMinEntries, conf.logCompactionMinTime) == (8, 2.0)
