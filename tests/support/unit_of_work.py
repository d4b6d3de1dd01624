"""The one fake unit of work: every repository in memory, with commit and rollback that mean it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from tests.support.fake_cases import (
    FakeApplicationRepository,
    FakeComplaintRepository,
    FakeRuleChangeRepository,
)
from tests.support.fakes import (
    FakeChallengeRepository,
    FakeDocumentRepository,
    FakeIdempotencyStore,
    FakeNotificationRepository,
    FakeNumberSequence,
    FakeRegistryRepository,
    FakeSessionRepository,
    FakeStaffDirectory,
    FakeStageLog,
    FakeStore,
    FakeUsedSignedActs,
)
from tests.support.platforms import FakePlatformRegister

from kepil.domain.calendar import WorkingCalendar, kazakhstan_calendar
from kepil.services.permits.policies import POLICIES
from kepil.services.unit_of_work import EventPolicies, UnitOfWork


class FakeUnitOfWork(UnitOfWork):
    """Committed data and a working copy: commit keeps the copy, rollback goes back to the data.

    Like the SQL unit of work it stands for, it outlives transactions: a test makes one, hands
    it to the code under test (which opens `with uow:` as often as it likes) and reads the
    repositories afterwards. `commits` counts the commits of the code under test.
    """

    challenges: FakeChallengeRepository
    sessions: FakeSessionRepository
    stage_log: FakeStageLog
    registry: FakeRegistryRepository
    applications: FakeApplicationRepository
    documents: FakeDocumentRepository
    numbers: FakeNumberSequence
    idempotency: FakeIdempotencyStore
    staff: FakeStaffDirectory
    notifications: FakeNotificationRepository
    complaints: FakeComplaintRepository
    rule_changes: FakeRuleChangeRepository
    signed_acts: FakeUsedSignedActs
    platforms: FakePlatformRegister

    def __init__(
        self, calendar: WorkingCalendar | None = None, policies: EventPolicies | None = None
    ) -> None:
        # The permit wing's policies, as bootstrap wires them: a handler's events write the
        # stage log, the cabinet and the registry here as they would in the database.
        self.policies = EventPolicies(POLICIES) if policies is None else policies
        self.challenges = FakeChallengeRepository()
        self.sessions = FakeSessionRepository()
        self.stage_log = FakeStageLog()
        self.registry = FakeRegistryRepository()
        self.applications = FakeApplicationRepository(calendar or kazakhstan_calendar())
        self.documents = FakeDocumentRepository()
        self.numbers = FakeNumberSequence()
        self.idempotency = FakeIdempotencyStore()
        self.staff = FakeStaffDirectory()
        self.notifications = FakeNotificationRepository()
        self.complaints = FakeComplaintRepository()
        self.rule_changes = FakeRuleChangeRepository()
        self.signed_acts = FakeUsedSignedActs()
        self.platforms = FakePlatformRegister()
        self.commits = 0
        self._committed = self._snapshot()

    def _commit(self) -> None:
        self._committed = self._snapshot()
        self.commits += 1

    def _rollback(self) -> None:
        for name, store in self._stores().items():
            store.restore(self._committed[name])

    @contextmanager
    def given(self) -> Iterator[Self]:
        """Arrange a test's starting data: kept as if committed, yet not counted in `commits`."""
        with self:
            yield self
            self._committed = self._snapshot()

    def _stores(self) -> dict[str, FakeStore]:
        return {name: s for name, s in vars(self).items() if isinstance(s, FakeStore)}

    def _snapshot(self) -> dict[str, dict[str, Any]]:
        return {name: store.snapshot() for name, store in self._stores().items()}
