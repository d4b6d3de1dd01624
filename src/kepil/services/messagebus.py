"""The message bus: every command goes to its one handler, every event to its handlers.

Handlers are plain functions of a message and named dependencies (`uow`, `clock`, `node`, ...):
`bootstrap` binds those by parameter name once, so an entry point only builds a command and calls
`bus.handle(command)`. A command's type says what its handler returns (`Command[Submission]`), so
callers stay typed without casts.

Events are facts a handler's change produced. Those a unit of work holds when it commits go to
their handlers in two moments (docs/architecture.md, "Events"):

- *in the transaction*: the policies that must never be lost or applied without the change
  (the §10 stage log, the cabinet message, the registry entry) run inside the same unit of work,
  before its commit; a crash loses both or neither (the handler itself records the history, with
  the act's signature, as part of saving the aggregate);
- *after the commit*: reactions that look outside the database (live pages, documents, the
  relay) get the events once they are durable; they must be idempotent and may fail without
  undoing the change (a failure is logged, the next message still runs).
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

log = logging.getLogger("kepil.bus")

R = TypeVar("R")


class Command(Generic[R]):
    """Something a person or a system asks for; `R` is what its handler answers."""

    __slots__ = ()


CommandHandler = Callable[[Any], Any]
EventHandler = Callable[[Any], None]


class UnknownCommandError(LookupError):
    """No handler is registered for this kind of command (a wiring mistake)."""


@dataclass
class MessageBus:
    """Dispatches commands to their handler and committed events to their reactions."""

    commands: dict[type[Any], CommandHandler] = field(default_factory=dict)
    after_commit: dict[type[Any], list[EventHandler]] = field(default_factory=dict)

    def handle(self, command: Command[R]) -> R:
        """Run the command's handler and return what it answers."""
        handler = self.commands.get(type(command))
        if handler is None:
            raise UnknownCommandError(f"no handler for {type(command).__name__}")
        result: R = handler(command)
        return result

    def publish(self, events: Iterable[object]) -> None:
        """Hand committed events to their after-commit reactions; a failing one is logged."""
        for event in events:
            # Found by the event's class and its bases, as the in-transaction policies are.
            kinds = reversed(type(event).__mro__)
            for reaction in [r for kind in kinds for r in self.after_commit.get(kind, ())]:
                try:
                    reaction(event)
                except Exception:
                    log.exception(
                        "after-commit reaction failed",
                        extra={"event": type(event).__name__, "reaction": _name(reaction)},
                    )

    def copy(self) -> MessageBus:
        """A bus with the same routes, to which more may be added without touching this one."""
        reactions = {kind: list(found) for kind, found in self.after_commit.items()}
        return MessageBus(dict(self.commands), reactions)

    def register(self, command_type: type[Command[Any]], handler: CommandHandler) -> None:
        """Route `command_type` to `handler` (one handler per command type)."""
        if command_type in self.commands:
            raise ValueError(f"{command_type.__name__} already has a handler")
        self.commands[command_type] = handler


def inject(
    handler: Callable[..., Any],
    dependencies: Mapping[str, Any],
    on_commit: Callable[[list[object]], None] | None = None,
) -> Callable[[Any], Any]:
    """`handler` with every parameter after the message bound by name from `dependencies`.

    A dependency given as a `Fresh` factory is made anew for each call (a unit of work must not
    be shared between two commands). After the handler returns, the events its fresh units of
    work committed go to `on_commit` (the bus's `publish`).
    """
    names = list(inspect.signature(handler).parameters)[1:]
    missing = [name for name in names if name not in dependencies]
    if missing:
        raise TypeError(f"{_name(handler)} needs {', '.join(missing)}, which bootstrap lacks")
    chosen = {name: dependencies[name] for name in names}

    def bound(message: Any) -> Any:
        made = {name: value.make() for name, value in chosen.items() if isinstance(value, Fresh)}
        try:
            return handler(message, **{**chosen, **made})
        finally:
            # A handler may commit and then fail (the sweeper commits batch by batch): what it
            # committed happened, so its reactions run either way.
            if on_commit is not None:
                committed = [
                    event
                    for dependency in made.values()
                    if isinstance(dependency, CollectsEvents)
                    for event in dependency.collect_committed_events()
                ]
                if committed:
                    on_commit(committed)

    bound.__name__ = _name(handler)
    bound.__doc__ = handler.__doc__
    return bound


@runtime_checkable
class CollectsEvents(Protocol):
    """A dependency (the unit of work) that hands over the events it committed."""

    def collect_committed_events(self) -> list[object]:
        """The events committed since the last call."""
        ...


@dataclass(frozen=True)
class Fresh:
    """A dependency made anew for every message (the unit of work)."""

    make: Callable[[], Any]


def _name(function: Callable[..., Any]) -> str:
    return getattr(function, "__qualname__", None) or repr(function)
