"""The Application aggregate's state and the machinery every transition shares."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.deadlines import ServiceSchedule, Stage, StageBook
from kepil.domain.permits.documents import Recipient
from kepil.domain.permits.errors import TransitionNotAllowedError
from kepil.domain.permits.events import ActorRef, ApplicationEvent
from kepil.domain.permits.grounds import GroundClearance, RefusalReasons
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import (
    ApplicationAction,
    ApplicationStatus,
    authorize,
    transition_for,
)
from kepil.domain.permits.validation import Problem, completeness_problems

_E = TypeVar("_E", bound=ApplicationEvent)


class ApplicationCore:
    """State, queries and the declared-transition machinery; the steps live in subclasses."""

    def __init__(
        self,
        number: str,
        form: ApplicationForm,
        schedule: ServiceSchedule,
        calendar: WorkingCalendar,
    ) -> None:
        """A freshly submitted application; use `submit` to create one with its event."""
        self.number = number
        self.form = form
        self.schedule = schedule
        self.status = ApplicationStatus.SUBMITTED
        self.preliminary_reasons: RefusalReasons | None = None
        self.hearing_at: datetime | None = None
        self.hearing_moves = 0  # how many times the hearing was moved with a new notice (§8)
        self.ground_clearances: tuple[GroundClearance, ...] = ()  # App.1 §10 items 3-4
        self.history: list[ApplicationEvent] = []
        self.events: list[ApplicationEvent] = []
        self._calendar = calendar
        self.deadlines = StageBook()
        self.last_event_at: datetime | None = None

    # Queries

    @property
    def application_date(self) -> date:
        """The date of the application (App.2 «Дата заявления»): the day it was received."""
        return to_almaty(self.schedule.received_at).date()

    @property
    def recipient(self) -> Recipient:
        """The applicant as result documents address it."""
        return Recipient.from_form(self.form)

    def completeness_problems(self) -> list[Problem]:
        """Missing and expired documents as of the registration day (Rules §6)."""
        return completeness_problems(self.form, self.schedule.registration_day)

    def is_overdue(self, stage: Stage, now: datetime) -> bool:
        """Whether the stage was (or, still open, is) past its deadline at `now`."""
        return self.deadlines.is_overdue(stage, now)

    def pull_events(self) -> list[ApplicationEvent]:
        """Hand the new events to the caller (the message bus) and forget them."""
        pending, self.events = self.events, []
        return pending

    # Internals

    def _begin(self, action: ApplicationAction, actor: Actor, at: datetime) -> ApplicationStatus:
        require_aware(at)
        transition = transition_for(self.status, action)
        authorize(transition.roles, actor, action, self.status, self.form.applicant_identifier)
        if self.last_event_at is not None and at < self.last_event_at:
            self._refuse(action, "the moment precedes the previous step")
        return transition.target

    def _refuse(self, action: ApplicationAction, reason: str) -> NoReturn:
        raise TransitionNotAllowedError(action, self.status, reason)

    def _common(self, actor: Actor, at: datetime, target: ApplicationStatus) -> dict[str, Any]:
        return {
            "application_number": self.number,
            "applicant_id": self.form.applicant_identifier,
            "at": at,
            "actor": ActorRef(actor.role, actor.name, actor.iin),
            "status": target,
        }

    def _commit(self, event: _E) -> _E:
        self.status = event.status
        self.last_event_at = event.at
        self.history.append(event)
        self.events.append(event)
        return event


def require_aware(moment: datetime) -> None:
    """Refuse a naive moment: compared with aware ones it fails late and obscurely."""
    # Comparing naive and aware moments fails late and obscurely; refuse naive ones at the door.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware moment is required, not {moment.isoformat()}")
