"""The unit of work: one atomic transaction across the repositories a handler touches.

It also carries the events a change produced. `emit` runs their policies at once, inside this
transaction (what must be written with the change or not at all: the §10 stage log, the cabinet,
the registry entry); `commit` makes the change and those writes durable together and only then
releases the events to the bus for after-commit reactions (docs/architecture.md, "Events").
"""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType, TracebackType
from typing import Any, Self

from kepil.services.identity.ports import ChallengeRepository, SessionRepository
from kepil.services.permits.complaint_ports import ComplaintRepository, RuleChangeRepository
from kepil.services.permits.platform_ports import PlatformRegister
from kepil.services.permits.ports import (
    ApplicationRepository,
    DocumentRepository,
    IdempotencyStore,
    NotificationRepository,
    NumberSequence,
    RegistryRepository,
    StaffDirectory,
    StageLog,
    UsedSignedActs,
)

Policy = Callable[[Any, "UnitOfWork"], None]


class EventPolicies:
    """What must follow each kind of event in the same transaction, found by the event's class
    and its bases (a policy for `ApplicationEvent` follows every application event)."""

    def __init__(self, policies: Mapping[type[Any], Sequence[Policy]] | None = None) -> None:
        self._policies = MappingProxyType({k: tuple(v) for k, v in (policies or {}).items()})

    def for_event(self, event: object) -> list[Policy]:
        """The policies of the event's class and of every class it derives from, most general
        first."""
        return [
            policy
            for kind in reversed(type(event).__mro__)
            for policy in self._policies.get(kind, ())
        ]


NO_POLICIES = EventPolicies()


@dataclass
class _EventLog:
    pending: list[object] = field(default_factory=list)
    committed: list[object] = field(default_factory=list)


class UnitOfWork(abc.ABC):
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit."""

    policies: EventPolicies = NO_POLICIES

    challenges: ChallengeRepository
    sessions: SessionRepository
    stage_log: StageLog
    registry: RegistryRepository
    applications: ApplicationRepository
    documents: DocumentRepository
    numbers: NumberSequence
    idempotency: IdempotencyStore
    staff: StaffDirectory
    notifications: NotificationRepository
    complaints: ComplaintRepository
    rule_changes: RuleChangeRepository
    signed_acts: UsedSignedActs
    platforms: PlatformRegister

    def __enter__(self) -> Self:
        return self

    def emit(self, *events: object) -> None:
        """Record facts this change produced; their policies write what follows, now, here."""
        if events and self.policies is NO_POLICIES:
            # A unit of work built without its wing's policies would lose the stage log, the
            # cabinet and the registry entry silently; bootstrap builds them with policies.
            raise RuntimeError("this unit of work has no event policies; build it in bootstrap")
        log = self._events()
        for event in events:
            log.pending.append(event)
            for policy in self.policies.for_event(event):
                policy(event, self)

    def collect_committed_events(self) -> list[object]:
        """The events committed since the last call, oldest first (for after-commit reactions)."""
        log = self._events()
        committed, log.committed = log.committed, []
        return committed

    def commit(self) -> None:
        """Make every change since the last commit durable, all or nothing."""
        self._commit()
        log = self._events()
        log.committed.extend(log.pending)
        log.pending.clear()

    def rollback(self) -> None:
        """Discard every change since the last commit, and the events it produced."""
        self._events().pending.clear()
        self._rollback()

    def _events(self) -> _EventLog:
        # Made on first use, so that a unit of work need not call this class's __init__.
        log: _EventLog | None = getattr(self, "_event_log", None)
        if log is None:
            log = self._event_log = _EventLog()
        return log

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def _commit(self) -> None:
        """Commit the storage's transaction."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Roll back the storage's transaction."""
