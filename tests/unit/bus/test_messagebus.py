"""The message bus: one handler per command, dependencies by name, after-commit reactions."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from itertools import count

import pytest

from kepil.services.messagebus import Command, Fresh, MessageBus, UnknownCommandError, inject


@dataclass(frozen=True)
class Double(Command[int]):
    value: int


@dataclass(frozen=True)
class Doubled:
    value: int


def double(command: Double, factor: int, serial: int) -> tuple[int, int]:
    return command.value * factor, serial


def test_a_command_reaches_its_handler_with_its_dependencies_bound_by_name() -> None:
    bus = MessageBus()
    bus.register(Double, inject(double, {"factor": 2, "serial": 7, "unused": object()}))
    assert bus.handle(Double(21)) == (42, 7)


def test_a_fresh_dependency_is_made_anew_for_every_command() -> None:
    serials = count(1)
    bus = MessageBus()
    bus.register(Double, inject(double, {"factor": 1, "serial": Fresh(lambda: next(serials))}))
    assert [bus.handle(Double(0))[1] for _ in range(3)] == [1, 2, 3]


def test_a_handler_whose_dependency_bootstrap_lacks_is_refused_when_wired() -> None:
    with pytest.raises(TypeError, match="needs serial"):
        inject(double, {"factor": 2})


def test_a_command_without_a_handler_is_a_wiring_error() -> None:
    with pytest.raises(UnknownCommandError, match="Double"):
        MessageBus().handle(Double(1))


def test_a_command_type_gets_one_handler_only() -> None:
    bus = MessageBus()
    bus.register(Double, inject(double, {"factor": 1, "serial": 0}))
    with pytest.raises(ValueError, match="already has a handler"):
        bus.register(Double, inject(double, {"factor": 2, "serial": 0}))


def test_a_failing_reaction_is_logged_and_the_next_one_still_runs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[int] = []

    def broken(_event: Doubled) -> None:
        raise RuntimeError("page server down")

    bus = MessageBus(after_commit={Doubled: [broken, lambda event: seen.append(event.value)]})
    with caplog.at_level(logging.ERROR, logger="kepil.bus"):
        bus.publish([Doubled(1), Doubled(2)])
    assert seen == [1, 2]
    assert [record.message for record in caplog.records] == ["after-commit reaction failed"] * 2


class _Work:
    """A dependency that commits events as a unit of work would."""

    def __init__(self) -> None:
        self.pending: list[object] = []
        self.committed: list[object] = []

    def commit(self) -> None:
        self.committed += self.pending
        self.pending = []

    def collect_committed_events(self) -> list[object]:
        committed, self.committed = self.committed, []
        return committed


def remember(command: Double, work: _Work) -> int:
    work.pending.append(Doubled(command.value * 2))
    work.commit()
    return command.value


def test_events_a_fresh_unit_of_work_committed_reach_the_reactions_after_the_handler() -> None:
    seen: list[Doubled] = []
    bus = MessageBus(after_commit={Doubled: [seen.append]})
    bus.register(Double, inject(remember, {"work": Fresh(_Work)}, on_commit=bus.publish))
    assert bus.handle(Double(5)) == 5
    assert seen == [Doubled(10)]


def test_a_handler_failing_before_its_commit_publishes_nothing() -> None:
    seen: list[object] = []

    def fail(command: Double, work: _Work) -> int:
        work.pending.append(Doubled(command.value))
        raise RuntimeError("refused")

    bus = MessageBus(after_commit={Doubled: [seen.append]})
    bus.register(Double, inject(fail, {"work": Fresh(_Work)}, on_commit=bus.publish))
    with pytest.raises(RuntimeError):
        bus.handle(Double(1))
    assert seen == []


def test_what_a_handler_committed_before_failing_is_still_published() -> None:
    seen: list[object] = []

    def commit_then_fail(command: Double, work: _Work) -> int:
        work.pending.append(Doubled(command.value))
        work.commit()
        work.pending.append(Doubled(-1))
        raise RuntimeError("second batch failed")

    bus = MessageBus(after_commit={Doubled: [seen.append]})
    bus.register(Double, inject(commit_then_fail, {"work": Fresh(_Work)}, on_commit=bus.publish))
    with pytest.raises(RuntimeError):
        bus.handle(Double(7))
    assert seen == [Doubled(7)]


class _Base:
    pass


class _Derived(_Base):
    pass


def test_a_reaction_to_a_base_class_follows_every_derived_event() -> None:
    seen: list[object] = []
    bus = MessageBus(after_commit={_Base: [seen.append]})
    bus.publish([_Derived()])
    assert len(seen) == 1
