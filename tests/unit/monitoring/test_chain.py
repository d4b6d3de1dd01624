"""Hash-chain rules of the monitoring log, without a database."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from kepil.domain.monitoring import GENESIS_HASH, ChainHead, StageRecord, chain, verify_chain

RECORD = StageRecord(
    "APP-1", "application_submitted", "applicant", datetime(2026, 1, 5, tzinfo=UTC)
)


def _entries(n: int) -> list:  # type: ignore[type-arg]
    entries, prev = [], GENESIS_HASH
    for seq in range(1, n + 1):
        entry = chain(seq, replace(RECORD, case=f"APP-{seq}"), prev)
        entries.append(entry)
        prev = entry.hash
    return entries


def test_p10_an_untouched_chain_verifies() -> None:
    assert verify_chain(_entries(4)).intact


def test_a_deleted_entry_is_reported_as_a_gap() -> None:
    entries = _entries(4)
    del entries[1]
    check = verify_chain(entries)
    assert check.first_broken_seq == 3
    assert check.reason is not None
    assert "gap" in check.reason


def test_a_rewritten_entry_with_a_recomputed_hash_breaks_the_next_link() -> None:
    entries = _entries(3)
    forged = chain(2, replace(RECORD, actor="forger"), entries[0].hash)
    check = verify_chain([entries[0], forged, entries[2]])
    assert check.first_broken_seq == 3


def test_a_chain_cut_short_of_its_head_is_reported_where_the_cut_begins() -> None:
    entries = _entries(4)
    head = ChainHead(4, entries[-1].hash)
    assert verify_chain(entries, head=head).intact
    check = verify_chain(entries[:2], head=head)
    assert (check.checked, check.first_broken_seq) == (2, 3)


def test_an_emptied_log_whose_head_names_entries_is_not_intact() -> None:
    entries = _entries(2)
    assert not verify_chain([], head=ChainHead(2, entries[-1].hash)).intact
    assert verify_chain([], head=ChainHead(0, GENESIS_HASH)).intact


def test_a_last_entry_other_than_the_one_the_head_names_is_reported() -> None:
    entries = _entries(3)
    check = verify_chain(entries, head=ChainHead(3, "f" * 64))
    assert check.first_broken_seq == 3
