"""Applications: the case, lists, decisions and drafts of result documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from kepil.entrypoints.api.schemas.base import AlmatyModel


class DeadlineOut(AlmatyModel):
    """A stage's deadline and how it ended."""

    stage: str
    due: datetime
    settled_at: datetime | None
    outcome: str | None
    overdue: bool


class EventOut(AlmatyModel):
    """One step of the application's history."""

    kind: str
    at: datetime
    status: str
    actor_role: str
    actor_name: str
    stage_deadline: datetime | None
    late: bool
    details: dict[str, Any]


class DocumentRef(AlmatyModel):
    """A signed result document issued on the application."""

    number: str
    kind: str
    issued_at: datetime
    sha256: str


class ApplicationOut(AlmatyModel):
    """An application, its deadlines, history and documents."""

    number: str
    status: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    purpose: str
    received_at: datetime
    registration_day: date
    service_term_due: datetime
    deadlines: list[DeadlineOut]
    attachments: list[dict[str, Any]]
    history: list[EventOut]
    documents: list[DocumentRef]
    state_facts: dict[str, Any] | None = Field(
        default=None,
        description="what the state systems said (Rules §4); officials only. `court_checks`: "
        "every answer of the court records (at filing, the permit's draft and signing); "
        "`suggested_grounds`: App.1 §10 items 3-4 of all of them",
    )
    form: dict[str, Any] | None = Field(
        default=None,
        description="the App.2 form as filed: its fields and, under `language` and "
        "`statements`, the form's words the applicant signed",
    )


class SummaryOut(AlmatyModel):
    """One line of a list."""

    number: str
    status: str
    applicant_id: str
    applicant_name: str
    platform_name: str
    received_at: datetime
    last_event_at: datetime


class PageOut(AlmatyModel):
    """A page of applications."""

    total: int
    limit: int
    offset: int
    items: list[SummaryOut]


class DecisionOut(AlmatyModel):
    """What the decision did."""

    application_number: str
    status: str
    event: str
    document_number: str | None


class DraftIn(BaseModel):
    """Which result document to draft; a refusal also needs its grounds and motivation."""

    document_type: str = Field(
        description="permit | motivated_refusal | refusal_of_further_consideration"
    )
    grounds: list[int] = Field(default_factory=list)
    motivation: str = ""


class DraftOut(AlmatyModel):
    """The document to sign: sign exactly `content_b64` (canonical JSON) as attached CMS."""

    document: dict[str, Any]
    content_b64: str


class HearingLimitsOut(AlmatyModel):
    """Rules §8 limits for setting (or moving) the hearing now, before the examiner signs.

    `action` is the step that sets it now: `issue_preliminary_refusal` (whose notice carries the
    time and place) from review; `schedule_hearing` for a preliminary refusal stored without
    them, or (`moving`) to move the hearing once before its moment, with a new notice. A
    `hearing_at` from `earliest` to `latest` is accepted (`latest_rule` says which limit sets
    it); `refusal` says why nothing may be set now (moved already, its moment came, the term
    ended), and `blocked` the same as a code. `notice_late`: a first notice now comes after
    `notice_due` and is marked late.
    """

    application_number: str
    status: str
    action: str
    moving: bool
    now: datetime
    earliest: datetime
    latest: datetime
    latest_rule: str
    capped_by_term: bool
    notice_due: datetime
    notice_late: bool
    service_term_due: datetime
    hearing_at: datetime | None
    place: str | None
    moves_left: int
    allowed: bool
    blocked: str | None = Field(
        description="why the hearing cannot be moved now: moved_already, moment_came, term_ended"
    )
    refusal: str | None
