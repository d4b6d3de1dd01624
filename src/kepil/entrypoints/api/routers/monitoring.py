"""`/api/v1/monitoring`: the §10 stage log as a feed, and the SLA summary, for officials."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kepil.domain.monitoring import ChainedEntry
from kepil.entrypoints.api.bounds import MAX_POSITION
from kepil.entrypoints.api.dependencies import SessionDep, ViewsDep
from kepil.entrypoints.api.errors import ErrorResponse
from kepil.entrypoints.api.schemas.monitoring import (
    FeedItemOut,
    FeedOut,
    OverdueOut,
    SlaOut,
    StageRecordOut,
)
from kepil.services.permits.sla import OverdueItem

router = APIRouter(prefix="/api/v1/monitoring", tags=["monitoring"])

MAX_FEED_PAGE = 1000


def _official(signed_in: SessionDep, views: ViewsDep) -> None:
    views.require_monitoring_reader(signed_in.principal)


_DENIED: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "not signed in"},
    403: {"model": ErrorResponse, "description": "not a Ministry official"},
}
OfficialOnly = [Depends(_official)]


@router.get("/events", response_model=FeedOut, responses=_DENIED, dependencies=OfficialOnly)
def events(
    views: ViewsDep,
    after: Annotated[
        int, Query(ge=0, le=MAX_POSITION, description="the last seq already read")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_FEED_PAGE)] = 100,
) -> FeedOut:
    """Stage log entries after `after`, oldest first."""
    page = views.monitoring_feed(after, limit)
    return FeedOut(
        items=[_item(entry) for entry in page], next_after=page[-1].seq if page else after
    )


@router.get("/sla", response_model=SlaOut, responses=_DENIED, dependencies=OfficialOnly)
def sla(views: ViewsDep) -> SlaOut:
    """Applications per status, overdue stages and median durations, as of now."""
    summary = views.sla()
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
