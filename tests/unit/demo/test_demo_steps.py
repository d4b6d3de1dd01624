"""`kepil demo`'s bookkeeping: each step is named, timed and checked; a failure names its step."""

from __future__ import annotations

import pytest

from kepil.entrypoints.demo.steps import StepFailed, Story


class Lines:
    """A printer that keeps what the story shows."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, *objects: object) -> None:
        self.lines.append(" ".join(str(o) for o in objects))


class Ticks:
    """A clock that moves two seconds each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 2.0
        return self.now


def test_a_story_whose_steps_all_succeed_is_ok_and_times_each_step() -> None:
    story = Story(Lines(), clock=Ticks())
    with story.step("first") as step:
        step.note("a fact")
    with story.step("second") as step:
        step.check(True, "never shown")
    assert story.ok
    assert [(r.name, r.ok, r.seconds) for r in story.records] == [
        ("first", True, 2.0),
        ("second", True, 2.0),
    ]
    assert story.total_seconds() == 4.0
    assert story.records[0].notes == ["a fact"]


def test_a_failed_check_ends_the_step_naming_it_and_the_story_is_not_ok() -> None:
    out = Lines()
    story = Story(out, clock=Ticks())
    with pytest.raises(StepFailed) as failed, story.step("suspend the permit") as step:
        step.check(False, "the platform still issues")
    assert (failed.value.step, failed.value.reason) == (
        "suspend the permit",
        "the platform still issues",
    )
    assert not story.ok
    assert story.failure is failed.value
    assert not story.records[0].ok
    assert any("FAILED" in line and "the platform still issues" in line for line in out.lines)


def test_any_error_inside_a_step_becomes_a_failure_of_that_step() -> None:
    story = Story(Lines(), clock=Ticks())
    with pytest.raises(StepFailed) as failed, story.step("start the nodes"):
        raise RuntimeError("node-3 exited (1)")
    assert failed.value.step == "start the nodes"
    assert failed.value.reason == "RuntimeError: node-3 exited (1)"
    assert isinstance(failed.value.__cause__, RuntimeError)
    assert not story.ok


def test_an_interrupted_step_is_not_counted_as_done() -> None:
    story = Story(Lines(), clock=Ticks())
    with pytest.raises(KeyboardInterrupt), story.step("sign the permit"):
        raise KeyboardInterrupt
    assert story.failure is None
    assert not story.ok
    assert not story.records[0].ok


def test_a_story_with_no_steps_is_not_ok() -> None:
    assert not Story(Lines()).ok


def test_where_to_look_is_printed_and_kept_for_the_summary() -> None:
    out = Lines()
    story = Story(out, clock=Ticks())
    with story.step("file the application") as step:
        step.look("cabinet", "http://127.0.0.1:8000/cabinet")
    assert story.links == [("cabinet", "http://127.0.0.1:8000/cabinet")]
    assert any("http://127.0.0.1:8000/cabinet" in line for line in out.lines)
