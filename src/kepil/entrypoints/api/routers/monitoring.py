"""`/api/v1/monitoring`: the §10 stage log as a feed, and the SLA summary, for officials."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from kepil.domain.monitoring import ChainedEntry
from kepil.entrypoints.api.dependencies import ContainerDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.routers.auth import SessionDep
from kepil.services.permits import monitoring
from kepil.services.permits.sla import OverdueItem, sla_summary

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])

MAX_FEED_PAGE = 1000


def _official(signed_in: SessionDep, app: ContainerDep) -> None:
    monitoring.require_reader(signed_in[1].principal, app.uow())


_DENIED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "not signed in"},
    403: {"model": ErrorResponse, "description": "not a Ministry official"},
}
OfficialOnly = [Depends(_official)]


class StageRecordOut(BaseModel):
    """A stage as the monitoring system received it: exactly the JSON that was hashed."""

    case: str
    stage: str
    actor: str
    # Strings, not datetimes: re-rendering a moment (Z for +00:00) would change the hashed bytes.
    occurred_at: str
    deadline: str | None
    details: dict[str, Any]


class FeedItemOut(BaseModel):
    """One entry of the chain: recompute `hash` from `seq`, `prev_hash` and `record` to check it."""

    seq: int
    record: StageRecordOut
    prev_hash: str
    hash: str


class FeedOut(BaseModel):
    """A page of the feed, oldest first; ask again with `after=next_after` for the rest."""

    items: list[FeedItemOut]
    next_after: int


class OverdueOut(BaseModel):
    """An open stage past its deadline."""

    application_number: str
    stage: str
    due: datetime
    responsible: str
    working_days_late: int
    hours_late: float


class SlaOut(BaseModel):
    """Where the service stands at `at`."""

    at: datetime
    total: int
    counts: dict[str, int]
    overdue: list[OverdueOut]
    median_seconds: dict[str, float]


@router.get("/events", response_model=FeedOut, responses=_DENIED, dependencies=OfficialOnly)
def events(
    app: ContainerDep,
    after: Annotated[int, Query(ge=0, description="the last seq already read")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE)] = 100,
) -> FeedOut:
    """Stage log entries after `after`, oldest first."""
    page = monitoring.feed(after, limit, app.uow())
    return FeedOut(
        items=[_item(entry) for entry in page], next_after=page[-1].seq if page else after
    )


@router.get("/sla", response_model=SlaOut, responses=_DENIED, dependencies=OfficialOnly)
def sla(app: ContainerDep) -> SlaOut:
    """Applications per status, overdue stages and median durations, as of now."""
    summary = sla_summary(app.uow(), app.clock, app.calendar)
    return SlaOut(
        at=summary.at,
        total=summary.total,
        counts=summary.counts,
        overdue=[_overdue(item) for item in summary.overdue],
        median_seconds=summary.median_seconds,
    )


def _item(entry: ChainedEntry) -> FeedItemOut:
    return FeedItemOut(
        seq=entry.seq,
        record=StageRecordOut(**entry.record.to_json()),
        prev_hash=entry.prev_hash,
        hash=entry.hash,
    )


def _overdue(item: OverdueItem) -> OverdueOut:
    return OverdueOut(
        application_number=item.application_number,
        stage=str(item.stage),
        due=item.due,
        responsible=str(item.responsible),
        working_days_late=item.working_days_late,
        hours_late=item.hours_late,
    )
