"""Monitoring (Rules §10): the stage log as a feed, and the SLA summary."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kepil.entrypoints.api.schemas.base import AlmatyModel


class StageRecordOut(AlmatyModel):
    """A stage as the monitoring system received it: exactly the JSON that was hashed."""

    case: str
    stage: str
    actor: str
    # Strings, not datetimes: re-rendering a moment (Z for +00:00) would change the hashed bytes.
    occurred_at: str
    deadline: str | None
    details: dict[str, Any]


class FeedItemOut(AlmatyModel):
    """One entry of the chain: recompute `hash` from `seq`, `prev_hash` and `record` to check it."""

    seq: int
    record: StageRecordOut
    prev_hash: str
    hash: str


class FeedOut(AlmatyModel):
    """A page of the feed, oldest first; ask again with `after=next_after` for the rest."""

    items: list[FeedItemOut]
    next_after: int


class OverdueOut(AlmatyModel):
    """An open stage past its deadline."""

    application_number: str
    stage: str
    due: datetime
    responsible: str
    working_days_late: int
    hours_late: float


class SlaOut(AlmatyModel):
    """Where the service stands at `at`."""

    at: datetime
    total: int
    counts: dict[str, int]
    overdue: list[OverdueOut]
    median_seconds: dict[str, float]
