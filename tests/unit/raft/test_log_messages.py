"""pysyncobj's log lines as an operator reads them."""

from __future__ import annotations

import logging

import pytest

from kepil.adapters.raft.log import soften_resent_entries_log


def test_truncating_re_sent_applied_entries_is_a_warning_not_a_critical(
    caplog: pytest.LogCaptureFixture,
) -> None:
    soften_resent_entries_log()
    soften_resent_entries_log()  # a second node in the process adds nothing
    engine = logging.getLogger("pysyncobj.syncobj")
    with caplog.at_level(logging.INFO, logger="pysyncobj.syncobj"):
        engine.critical(
            "truncating already-applied log entries from index %d (last applied: %d) - state "
            "machine may have diverged from other cluster members",
            1000,
            1062,
        )
        engine.critical("something else went wrong")
    softened, other = caplog.records
    assert softened.levelno == logging.WARNING
    assert "from index 1000 (last applied: 1062)" in softened.getMessage()
    assert "judged by checkpoints" in softened.getMessage()
    assert other.levelno == logging.CRITICAL
    assert len(engine.filters) == 1
