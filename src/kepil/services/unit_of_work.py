"""The unit of work: one atomic transaction across the repositories a handler touches."""

from __future__ import annotations

import abc
from types import TracebackType
from typing import Self

from kepil.services.identity.ports import ChallengeRepository, SessionRepository
from kepil.services.permits.complaint_ports import ComplaintRepository, RuleChangeRepository
from kepil.services.permits.ports import (
    ApplicationRepository,
    DocumentRepository,
    IdempotencyStore,
    NotificationRepository,
    NumberSequence,
    RegistryRepository,
    StaffDirectory,
    StageLog,
)


class UnitOfWork(abc.ABC):
    """`with uow: ...; uow.commit()` — anything not committed is rolled back on exit."""

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

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.rollback()

    @abc.abstractmethod
    def commit(self) -> None:
        """Make every change since the last commit durable, all or nothing."""

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard every change since the last commit."""
