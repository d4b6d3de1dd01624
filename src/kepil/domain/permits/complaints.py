"""Complaints against the provider's decisions, actions or inaction (Rules §13-§15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Final

from kepil.domain.calendar import WorkingCalendar
from kepil.domain.permits.errors import ActionForbiddenError, TransitionNotAllowedError
from kepil.domain.permits.roles import Actor, PermitRole

PROVIDER_RESPONSE_DAYS: Final = 3  # §13: satisfy or forward within 3 working days
PROVIDER_REVIEW_DAYS: Final = 5  # §14, first paragraph
AGENCY_REVIEW_DAYS: Final = 15  # §14, second paragraph


class ComplaintSubject(StrEnum):
    """What is complained of (§13): an act (decision), an action, or inaction."""

    DECISION = "decision"
    ACTION = "action"
    INACTION = "inaction"


class FiledWith(StrEnum):
    """Where the complaint arrived, which sets its review term (§14)."""

    PROVIDER = "provider"
    QUALITY_CONTROL_AGENCY = "quality_control_agency"


class ComplaintStatus(StrEnum):
    """Where a complaint stands."""

    REGISTERED = "registered"
    SATISFIED_BY_PROVIDER = "satisfied_by_provider"
    FORWARDED = "forwarded"
    UPHELD = "upheld"
    REJECTED = "rejected"


class ComplaintAction(StrEnum):
    """What may be done with a complaint."""

    SATISFY = "satisfy"
    FORWARD = "forward"
    UPHOLD = "uphold"
    REJECT = "reject"


_S = ComplaintStatus
_PROVIDER = frozenset({PermitRole.CLERK, PermitRole.EXAMINER, PermitRole.HEAD})
_REVIEWER = frozenset({PermitRole.COMPLAINT_REVIEWER})
# (status, action, filed with) -> (target, roles). A complaint to the agency is already with
# the reviewing body, so nothing is forwarded and the provider cannot settle it itself.
TRANSITIONS: Final = {
    (_S.REGISTERED, ComplaintAction.SATISFY, FiledWith.PROVIDER): (
        _S.SATISFIED_BY_PROVIDER,
        frozenset({PermitRole.EXAMINER, PermitRole.HEAD}),
    ),
    (_S.REGISTERED, ComplaintAction.FORWARD, FiledWith.PROVIDER): (_S.FORWARDED, _PROVIDER),
    (_S.FORWARDED, ComplaintAction.UPHOLD, FiledWith.PROVIDER): (_S.UPHELD, _REVIEWER),
    (_S.FORWARDED, ComplaintAction.REJECT, FiledWith.PROVIDER): (_S.REJECTED, _REVIEWER),
    (_S.REGISTERED, ComplaintAction.UPHOLD, FiledWith.QUALITY_CONTROL_AGENCY): (
        _S.UPHELD,
        _REVIEWER,
    ),
    (_S.REGISTERED, ComplaintAction.REJECT, FiledWith.QUALITY_CONTROL_AGENCY): (
        _S.REJECTED,
        _REVIEWER,
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ComplaintEvent:
    """Something that happened to a complaint, when and by whom."""

    complaint_number: str
    at: datetime
    actor_role: PermitRole
    actor_name: str
    status: ComplaintStatus
    stage_deadline: datetime
    late: bool
    decision: str = ""
    # §15: going to court is allowed after the pre-trial appeal; this says it has been used up.
    pre_trial_appeal_exhausted: bool = False


class Complaint:
    """A registered complaint and its deadlines; decided only by the reviewing body."""

    def __init__(
        self,
        number: str,
        complainant: str,
        subject: ComplaintSubject,
        filed_with: FiledWith,
        received_at: datetime,
        calendar: WorkingCalendar,
        application_number: str | None = None,
    ) -> None:
        """Register a complaint received at a moment; its terms run from the registration day."""
        self.number = number
        self.complainant = complainant
        self.subject = subject
        self.filed_with = filed_with
        self.application_number = application_number
        self.received_at = received_at
        # The provider's office hours (App.1 §8) decide the registration day as for applications.
        self.registration_day: date = calendar.registration_day(received_at)
        self.status = ComplaintStatus.REGISTERED
        self.events: list[ComplaintEvent] = []
        self.provider_response_due: datetime | None = (
            calendar.deadline(self.registration_day, PROVIDER_RESPONSE_DAYS)
            if filed_with is FiledWith.PROVIDER
            else None
        )
        review_days = (
            PROVIDER_REVIEW_DAYS if filed_with is FiledWith.PROVIDER else AGENCY_REVIEW_DAYS
        )
        self.review_due: datetime = calendar.deadline(self.registration_day, review_days)
        self.settled_at: datetime | None = None

    def satisfy(self, actor: Actor, at: datetime, decision: str) -> ComplaintEvent:
        """The provider fully meets the complaint itself within 3 working days (§13)."""
        return self._act(ComplaintAction.SATISFY, actor, at, decision)

    def forward(self, actor: Actor, at: datetime) -> ComplaintEvent:
        """The provider sends the complaint and the case to the reviewing body (§13)."""
        return self._act(ComplaintAction.FORWARD, actor, at, "")

    def uphold(self, actor: Actor, at: datetime, decision: str) -> ComplaintEvent:
        """The reviewing body finds the complaint well-founded (§14)."""
        return self._act(ComplaintAction.UPHOLD, actor, at, decision)

    def reject(self, actor: Actor, at: datetime, decision: str) -> ComplaintEvent:
        """The reviewing body rejects the complaint (§14)."""
        return self._act(ComplaintAction.REJECT, actor, at, decision)

    @property
    def pre_trial_appeal_exhausted(self) -> bool:
        """Whether the reviewing body has decided, which opens the way to court (§15)."""
        return self.status in {ComplaintStatus.UPHELD, ComplaintStatus.REJECTED}

    def is_overdue(self, now: datetime) -> bool:
        """Whether a deadline of the complaint was missed, judged at `now` (§13, §14)."""
        forwarded = next((e for e in self.events if e.status is _S.FORWARDED), None)
        response_due = self.provider_response_due
        if response_due is not None and self.status is _S.REGISTERED and now > response_due:
            return True
        if forwarded is not None and forwarded.late:
            return True
        reference = self.settled_at if self.settled_at is not None else now
        return reference > self.review_due

    def _act(
        self, action: ComplaintAction, actor: Actor, at: datetime, decision: str
    ) -> ComplaintEvent:
        declared = TRANSITIONS.get((self.status, action, self.filed_with))
        if declared is None:
            raise TransitionNotAllowedError(action, self.status, f"filed with {self.filed_with}")
        target, roles = declared
        if actor.role not in roles:
            raise ActionForbiddenError(action, self.status, actor.role)
        if action is not ComplaintAction.FORWARD and not decision.strip():
            raise TransitionNotAllowedError(action, self.status, "the decision must be stated")
        stage_due = self.review_due
        if action in {ComplaintAction.SATISFY, ComplaintAction.FORWARD}:
            stage_due = self.provider_response_due or self.review_due
        if target is not _S.FORWARDED:
            self.settled_at = at
        self.status = target
        event = ComplaintEvent(
            complaint_number=self.number,
            at=at,
            actor_role=actor.role,
            actor_name=actor.name,
            status=target,
            stage_deadline=stage_due,
            late=at > stage_due,
            decision=decision.strip(),
            pre_trial_appeal_exhausted=self.pre_trial_appeal_exhausted,
        )
        self.events.append(event)
        return event
