"""The demo's bookkeeping: each step is named, timed and checked; the first failure ends it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Protocol


class Printer(Protocol):
    """Where progress goes (a rich Console in the command, a list in the unit tests)."""

    def print(self, *objects: object) -> None:
        """Show one line."""


class StepFailed(Exception):  # noqa: N818 - it names what happened, as the report reads it
    """A step did not do what it should: which one, and why."""

    def __init__(self, step: str, reason: str) -> None:
        super().__init__(f"{step}: {reason}")
        self.step = step
        self.reason = reason


@dataclass
class StepRecord:
    """What one step did: its name, how long it took, and whether it succeeded."""

    name: str
    seconds: float = 0.0
    ok: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass
class Step:
    """The step being run: it checks its outcome, notes facts and says where to look."""

    record: StepRecord
    story: Story

    def check(self, condition: bool, reason: str) -> None:
        """End the step as failed with `reason` unless `condition` holds."""
        if not condition:
            raise StepFailed(self.record.name, reason)

    def note(self, text: str) -> None:
        """A fact the step established, shown under it."""
        self.record.notes.append(text)
        self.story.out.print(f"    {text}")

    def look(self, label: str, url: str) -> None:
        """Where a person can see what the step did; listed again at the end."""
        self.story.links.append((label, url))
        self.story.out.print(f"    [cyan]{label}[/cyan]: {url}")


@dataclass
class Story:
    """The steps run so far, in order; `ok` only when every step finished and succeeded."""

    out: Printer
    clock: Callable[[], float] = time.monotonic
    records: list[StepRecord] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)
    failure: StepFailed | None = None

    @contextmanager
    def step(self, name: str) -> Iterator[Step]:
        """Run a step: it fails by raising (StepFailed, or any error, named after the step)."""
        record = StepRecord(name)
        self.records.append(record)
        number = len(self.records)
        self.out.print(f"[bold]{number:>2}. {name}[/bold]")
        began = self.clock()
        try:
            yield Step(record, self)
        except StepFailed as failed:
            record.seconds = self.clock() - began
            self.failure = failed
            self.out.print(f"    [red]FAILED[/red] after {record.seconds:.1f} s: {failed.reason}")
            raise
        except Exception as error:
            record.seconds = self.clock() - began
            wrapped = StepFailed(name, f"{type(error).__name__}: {error}")
            self.failure = wrapped
            self.out.print(f"    [red]FAILED[/red] after {record.seconds:.1f} s: {wrapped.reason}")
            raise wrapped from error
        record.seconds = self.clock() - began
        record.ok = True
        self.out.print(f"    [green]done[/green] in {record.seconds:.1f} s")

    @property
    def ok(self) -> bool:
        """Whether at least one step ran and every one succeeded."""
        return bool(self.records) and self.failure is None and all(r.ok for r in self.records)

    def total_seconds(self) -> float:
        """The time the steps took together."""
        return sum(record.seconds for record in self.records)
