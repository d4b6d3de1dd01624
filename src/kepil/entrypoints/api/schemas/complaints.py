"""Complaints (Rules §13-§15)."""

from __future__ import annotations

from datetime import date, datetime

from kepil.domain.permits import ComplaintStatus
from kepil.entrypoints.api.schemas.base import AlmatyModel


class HistoryLineOut(AlmatyModel):
    """One step of a complaint: who, when, against which deadline."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    actor_iin: str
    stage_deadline: datetime | None
    late: bool
    decision: str
    pre_trial_appeal_exhausted: bool


class ComplaintSummaryOut(AlmatyModel):
    """One line of a list of complaints."""

    number: str
    application_number: str
    complainant: str
    subject: str
    filed_with: str
    status: ComplaintStatus
    received_at: datetime
    registered_at: datetime | None
    review_due: datetime


class ComplaintOut(AlmatyModel):
    """A complaint with its terms (§13, §14), its history and whether court is open (§15)."""

    number: str
    application_number: str
    complainant: str
    filed_by_iin: str
    subject: str
    filed_with: str
    target: str
    text: str
    status: ComplaintStatus
    received_at: datetime
    registration_day: date
    registered_at: datetime | None
    provider_response_due: datetime | None
    review_due: datetime
    settled_at: datetime | None
    overdue: bool
    pre_trial_appeal_exhausted: bool
    history: list[HistoryLineOut]


class ComplaintPageOut(AlmatyModel):
    """A page of complaints and the count of all that match."""

    items: list[ComplaintSummaryOut]
    total: int
    limit: int
    offset: int


class DecisionOut(AlmatyModel):
    """What a signed step did."""

    number: str
    status: str
    event: str
    late: bool
