"""Read side of the §10 stage log: the feed and the tamper check."""

from __future__ import annotations

from collections.abc import Iterator

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
    """Verify the whole log from its first entry to the one its head names, and that nothing
    lies beyond that head but entries appended while we read."""
    with uow:
        head = uow.stage_log.head()
        beyond: list[int] = []
        check = verify_chain(_upto(uow.stage_log.all(), head.seq, beyond), head=head)
        if check.intact and beyond and max(beyond) > uow.stage_log.head().seq:
            return ChainCheck(check.checked, head.seq + 1, "entries lie beyond the log's head")
        return check


def _upto(entries: Iterator[ChainedEntry], seq: int, beyond: list[int]) -> Iterator[ChainedEntry]:
    # Entries past the head read first may be honest appends made meanwhile: they are set
    # aside and judged against the head as it stands after the read.
    for entry in entries:
        if entry.seq <= seq:
            yield entry
        else:
            beyond.append(entry.seq)
