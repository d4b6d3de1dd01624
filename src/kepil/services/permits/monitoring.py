"""Read side of the §10 stage log: the feed and the tamper check."""

from __future__ import annotations

from kepil.domain.auth import Principal
from kepil.domain.monitoring import ChainCheck, ChainedEntry, verify_chain
from kepil.services.errors import ForbiddenError
from kepil.services.permits.views.viewer import viewer_in
from kepil.services.unit_of_work import UnitOfWork


def require_reader(principal: Principal, uow: UnitOfWork) -> None:
    """Only Ministry officials read the monitoring data: any duty will do, the auditor's too."""
    with uow:
        official = viewer_in(uow, principal).is_official
    if not official:
        raise ForbiddenError(
            "official_required", "the monitoring feed is for Ministry officials only"
        )


def feed(after: int, limit: int, uow: UnitOfWork) -> list[ChainedEntry]:
    """Entries after the sequence number, oldest first."""
    with uow:
        return uow.stage_log.after(after, limit)


def check_chain(uow: UnitOfWork) -> ChainCheck:
    """Verify the whole log from its first entry."""
    with uow:
        return verify_chain(uow.stage_log.all())
