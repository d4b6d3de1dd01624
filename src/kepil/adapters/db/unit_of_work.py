"""The SQL unit of work: one connection, one transaction, repositories bound to it."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy import Connection, Engine

from kepil.adapters.db.application_repository import SqlApplicationRepository
from kepil.adapters.db.auth_repository import SqlChallengeRepository, SqlSessionRepository
from kepil.adapters.db.complaint_repository import SqlComplaintRepository
from kepil.adapters.db.monitoring_log import SqlStageLog
from kepil.adapters.db.permit_repositories import (
    SqlDocumentRepository,
    SqlIdempotencyStore,
    SqlNotificationRepository,
    SqlNumberSequence,
    SqlStaffDirectory,
    SqlUsedSignedActs,
)
from kepil.adapters.db.platform_repository import SqlPlatformRegister
from kepil.adapters.db.registry_repository import SqlRegistryRepository
from kepil.adapters.db.rule_change_repository import SqlRuleChangeRepository
from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
from kepil.services.unit_of_work import NO_POLICIES, EventPolicies, UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """Opens a transaction on enter; commit() makes it durable; exit rolls back the rest."""

    def __init__(
        self,
        engine: Engine,
        calendar: WorkingCalendar | None = None,
        policies: EventPolicies = NO_POLICIES,
    ) -> None:
        self.policies = policies
        self._engine = engine
        self._calendar = calendar or kazakhstan_calendar()
        self._connection: Connection | None = None

    def __enter__(self) -> Self:
        self._connection = self._engine.connect()
        self.challenges = SqlChallengeRepository(self._connection)
        self.sessions = SqlSessionRepository(self._connection)
        self.stage_log = SqlStageLog(self._connection)
        self.registry = SqlRegistryRepository(self._connection)
        self.applications = SqlApplicationRepository(self._connection, self._calendar)
        self.documents = SqlDocumentRepository(self._connection)
        self.numbers = SqlNumberSequence(self._connection)
        self.idempotency = SqlIdempotencyStore(self._connection)
        self.staff = SqlStaffDirectory(self._connection)
        self.notifications = SqlNotificationRepository(self._connection)
        self.complaints = SqlComplaintRepository(self._connection, self._calendar)
        self.rule_changes = SqlRuleChangeRepository(self._connection)
        self.signed_acts = SqlUsedSignedActs(self._connection)
        self.platforms = SqlPlatformRegister(self._connection)
        return super().__enter__()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        super().__exit__(exc_type, exc, traceback)
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _commit(self) -> None:
        if self._connection is not None:
            self._connection.commit()

    def _rollback(self) -> None:
        if self._connection is not None:
            self._connection.rollback()
