"""The overdue sweeper of Rules §10: report each stage that missed its deadline, once."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kepil.domain.clock import Clock
from kepil.domain.permits import PermitRole, Stage
from kepil.services.messagebus import Command
from kepil.services.permits.events import StageWentOverdue
from kepil.services.permits.ports import OpenDeadline
from kepil.services.unit_of_work import UnitOfWork

STAGE_OVERDUE: Final = "stage_overdue"
SERVICE_TERM_OVERDUE: Final = "service_term_overdue"
SWEEPER_ACTOR: Final = "system:sweeper"
DEFAULT_BATCH: Final = 200

# Who owes each stage: the clerk registers, the examiner checks and reviews, the head signs.
RESPONSIBLE: Final[dict[Stage, PermitRole]] = {
    Stage.REGISTRATION: PermitRole.CLERK,
    Stage.COMPLETENESS_CHECK: PermitRole.EXAMINER,
    Stage.REVIEW: PermitRole.EXAMINER,
    Stage.HEARING_NOTICE: PermitRole.EXAMINER,
    Stage.HEARING: PermitRole.EXAMINER,
    Stage.SERVICE_TERM: PermitRole.HEAD,
}

STAGE_TITLES: Final[dict[Stage, str]] = {
    Stage.REGISTRATION: "регистрация заявления",
    Stage.COMPLETENESS_CHECK: "проверка полноты документов",
    Stage.REVIEW: "рассмотрение на соответствие",
    Stage.HEARING_NOTICE: "уведомление о заслушивании",
    Stage.HEARING: "заслушивание",
    Stage.SERVICE_TERM: "срок оказания услуги",
}


def role_recipient(role: PermitRole) -> str:
    """The notification address shared by every official holding the role."""
    return f"role:{role}"


@dataclass(frozen=True, slots=True)
class OverdueStage:
    """A stage this sweep reported as overdue."""

    application_number: str
    stage: Stage
    due: datetime
    responsible: PermitRole


@dataclass(frozen=True, slots=True)
class SweepReport:
    """What one sweep found new, judged at `at`."""

    at: datetime
    marked: tuple[OverdueStage, ...]

    @property
    def per_stage(self) -> dict[str, int]:
        """How many stages were marked, by stage name."""
        return dict(Counter(str(item.stage) for item in self.marked))


@dataclass(frozen=True, slots=True)
class SweepOverdue(Command[SweepReport]):
    """Find and report every stage past its deadline now (Rules §10)."""

    limit: int = DEFAULT_BATCH


def sweep_overdue(command: SweepOverdue, uow: UnitOfWork, clock: Clock) -> SweepReport:
    """The sweep, as the bus runs it for `kepil sweep` and the sweeper inside `kepil serve`."""
    return sweep(uow, clock, command.limit)


def sweep(uow: UnitOfWork, clock: Clock, limit: int = DEFAULT_BATCH) -> SweepReport:
    """Mark, log and notify every open stage past its deadline that nobody reported yet."""
    if limit < 1:
        raise ValueError(f"a batch holds at least one stage, not {limit}")
    now = clock.now()
    marked: list[OverdueStage] = []
    while True:
        with uow:
            batch = uow.applications.overdue(now, limit)
            # Every row is marked before the log's head row is locked, and rows in one global
            # order, so two sweepers on PostgreSQL wait for each other instead of deadlocking.
            # The order decisions lock an application's deadline rows in (see the repository).
            ordered = sorted(batch, key=lambda d: (d.application_number, str(d.stage)))
            won = [d for d in ordered if uow.applications.mark_overdue(d, now)]
            reported = [_report(uow, deadline, now) for deadline in won]
            uow.commit()
        marked.extend(reported)
        # A short batch was the last one; a full batch where every stage went to another
        # sweeper means that sweeper is working through the same list, so leave it to it.
        if len(batch) < limit or not won:
            return SweepReport(now, tuple(marked))


def _report(uow: UnitOfWork, deadline: OpenDeadline, now: datetime) -> OverdueStage:
    item = OverdueStage(
        deadline.application_number, deadline.stage, deadline.due, RESPONSIBLE[deadline.stage]
    )
    uow.emit(StageWentOverdue(item.application_number, item.stage, item.due, item.responsible, now))
    return item
