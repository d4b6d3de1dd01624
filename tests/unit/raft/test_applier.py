"""The applier thread: entries handed over by the engine apply in order, off its thread."""

from __future__ import annotations

import threading

from kepil.adapters.raft.applier import Applier


class Recorder:
    """An apply callback that records what it saw and can fail or block on demand."""

    def __init__(self, failures: int = 0) -> None:
        self.seen: list[tuple[int, str]] = []
        self.threads: set[str] = set()
        self.failures = failures
        self.gate = threading.Event()
        self.gate.set()

    def __call__(self, index: int, entry: str) -> None:
        self.gate.wait(5)
        self.threads.add(threading.current_thread().name)
        if self.failures:
            self.failures -= 1
            raise OSError("disk full")
        self.seen.append((index, entry))


def test_entries_apply_in_the_order_handed_over_on_the_applier_thread() -> None:
    recorder = Recorder()
    applier = Applier(recorder)
    for index in range(1, 101):
        applier.hand_over(index, f"entry-{index}")
    assert applier.drain(5)
    assert recorder.seen == [(i, f"entry-{i}") for i in range(1, 101)]
    assert recorder.threads == {"raft-applier"}
    assert applier.applied == 100
    applier.close()


def test_hand_over_returns_before_the_entry_is_applied() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    applier = Applier(recorder)
    applier.hand_over(1, "slow")
    assert applier.applied == 0
    assert not applier.wait_applied(1, 0.05)
    recorder.gate.set()
    assert applier.wait_applied(1, 5)
    applier.close()


def test_a_failing_entry_is_retried_until_it_applies_and_nothing_after_it_jumps_ahead() -> None:
    recorder = Recorder(failures=2)
    applier = Applier(recorder)
    applier.hand_over(1, "first")
    applier.hand_over(2, "second")
    assert applier.drain(10)
    assert recorder.seen == [(1, "first"), (2, "second")]
    applier.close()


def test_drain_waits_for_the_entry_being_applied_not_only_for_the_queue() -> None:
    recorder = Recorder()
    recorder.gate.clear()
    applier = Applier(recorder)
    applier.hand_over(1, "entry")
    assert not applier.drain(0.05)
    recorder.gate.set()
    assert applier.drain(5)
    applier.close()


def test_close_applies_what_is_queued_then_stops_the_thread() -> None:
    recorder = Recorder()
    applier = Applier(recorder)
    for index in range(1, 11):
        applier.hand_over(index, "x")
    applier.close()
    assert len(recorder.seen) == 10
    assert not any(t.name == "raft-applier" and t.is_alive() for t in threading.enumerate())
