"""The Application aggregate: status changes only through the declared transitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NoReturn, TypeVar

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits import deadlines
from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.deadlines import ServiceSchedule, Stage, StageBook
from kepil.domain.permits.documents import (
    MotivatedRefusal,
    Permit,
    Provider,
    Recipient,
    RefusalOfFurtherConsideration,
    Signer,
)
from kepil.domain.permits.errors import InvalidApplicationFormError, TransitionNotAllowedError
from kepil.domain.permits.events import (
    ActorRef,
    ApplicationEvent,
    ApplicationRegistered,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    FurtherConsiderationRefused,
    HearingHeld,
    HearingScheduled,
    PermitIssued,
    PermitRefused,
    PreliminaryRefusalIssued,
    ReviewStarted,
)
from kepil.domain.permits.grounds import RefusalReasons, automatic_grounds
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import (
    SUBMISSION_ROLES,
    ApplicationAction,
    ApplicationStatus,
    authorize,
    transition_for,
)
from kepil.domain.permits.validation import (
    COMPLETENESS_CODES,
    Problem,
    completeness_problems,
    form_problems,
)

_A = ApplicationAction
_E = TypeVar("_E", bound=ApplicationEvent)


class Application:
    """An application for a permit, from submission to a final decision or withdrawal."""

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
        self.history: list[ApplicationEvent] = []
        self.events: list[ApplicationEvent] = []
        self._calendar = calendar
        self.deadlines = StageBook()
        self.last_event_at: datetime | None = None

    @classmethod
    def restore(
        cls,
        number: str,
        form: ApplicationForm,
        schedule: ServiceSchedule,
        calendar: WorkingCalendar,
        *,
        status: ApplicationStatus,
        deadlines: StageBook,
        preliminary_reasons: RefusalReasons | None,
        hearing_at: datetime | None,
        last_event_at: datetime,
    ) -> Application:
        """An application as a repository stored it; no event is raised."""
        application = cls(number, form, schedule, calendar)
        application.status = status
        application.deadlines = deadlines
        application.preliminary_reasons = preliminary_reasons
        application.hearing_at = hearing_at
        application.last_event_at = last_event_at
        return application

    @classmethod
    def submit(
        cls,
        number: str,
        form: ApplicationForm,
        actor: Actor,
        received_at: datetime,
        calendar: WorkingCalendar,
    ) -> Application:
        """Accept an EDS-signed Appendix 2 form from its own applicant (Rules §3, §5)."""
        _require_aware(received_at)
        problems = form_problems(form)
        if problems:
            raise InvalidApplicationFormError(problems)
        authorize(SUBMISSION_ROLES, actor, _A.SUBMIT, "new", form.applicant_identifier)
        schedule = ServiceSchedule.compute(calendar, received_at)
        application = cls(number, form, schedule, calendar)
        application.deadlines.open(Stage.REGISTRATION, schedule.registration_due)
        application.deadlines.open(Stage.COMPLETENESS_CHECK, schedule.completeness_check_due)
        application.deadlines.open(Stage.SERVICE_TERM, schedule.service_term_due)
        application._commit(
            ApplicationSubmitted(
                **application._common(actor, received_at, ApplicationStatus.SUBMITTED),
                stage_deadline=schedule.registration_due,
                received_at=received_at,
                registration_day=schedule.registration_day,
                service_term_due=schedule.service_term_due,
            )
        )
        return application

    def register(self, actor: Actor, at: datetime) -> ApplicationRegistered:
        """The clerk registers the application on its registration day (Rules §5)."""
        target = self._begin(_A.REGISTER, actor, at)
        late = self.deadlines.settle(Stage.REGISTRATION, at)
        return self._commit(
            ApplicationRegistered(
                **self._common(actor, at, target),
                stage_deadline=self.schedule.completeness_check_due,
                late=late,
                registration_day=self.schedule.registration_day,
            )
        )

    def refuse_further_consideration(
        self,
        actor: Actor,
        at: datetime,
        notice_number: str,
        problems: Sequence[Problem] | None = None,
        provider: Provider | None = None,
    ) -> FurtherConsiderationRefused:
        """Refuse to consider an incomplete or expired package further (Rules §6)."""
        target = self._begin(_A.REFUSE_FURTHER_CONSIDERATION, actor, at)
        cited = tuple(problems if problems is not None else self.completeness_problems())
        if not cited:
            self._refuse(_A.REFUSE_FURTHER_CONSIDERATION, "the package is complete")
        foreign = sorted({str(p.code) for p in cited if p.code not in COMPLETENESS_CODES})
        if foreign:
            self._refuse(
                _A.REFUSE_FURTHER_CONSIDERATION,
                f"not a missing or expired document: {', '.join(foreign)}",
            )
        late = self.deadlines.settle(Stage.COMPLETENESS_CHECK, at)
        self.deadlines.settle(Stage.SERVICE_TERM, at)
        notice = RefusalOfFurtherConsideration(
            number=notice_number,
            application_number=self.number,
            application_date=self.application_date,
            issue_date=to_almaty(at).date(),
            provider=provider or Provider(),
            recipient=self.recipient,
            problems=cited,
            signer=Signer.for_actor(actor),
        )
        return self._commit(
            FurtherConsiderationRefused(
                **self._common(actor, at, target),
                stage_deadline=self.schedule.completeness_check_due,
                late=late,
                notice=notice,
            )
        )

    def start_review(self, actor: Actor, at: datetime) -> ReviewStarted:
        """Establish completeness and start the 3-day review (Rules §7)."""
        target = self._begin(_A.START_REVIEW, actor, at)
        missing = self.completeness_problems()
        if missing:
            codes = ", ".join(str(problem.code) for problem in missing)
            self._refuse(_A.START_REVIEW, f"the package is incomplete ({codes})")
        late = self.deadlines.settle(Stage.COMPLETENESS_CHECK, at)
        due = deadlines.review_due(self._calendar, at, self.schedule.registration_day)
        self.deadlines.open(Stage.REVIEW, due)
        return self._commit(
            ReviewStarted(**self._common(actor, at, target), stage_deadline=due, late=late)
        )

    def issue_preliminary_refusal(
        self, actor: Actor, at: datetime, grounds: Iterable[int], motivation: str
    ) -> PreliminaryRefusalIssued:
        """Notify the applicant of a preliminary refusal; a late notice is flagged (Rules §8)."""
        target = self._begin(_A.ISSUE_PRELIMINARY_REFUSAL, actor, at)
        reasons = RefusalReasons.of(grounds, motivation)
        self.deadlines.settle(Stage.REVIEW, at)
        notice_due = self.schedule.hearing_notice_due
        self.deadlines.open(Stage.HEARING_NOTICE, notice_due)
        late = self.deadlines.settle(Stage.HEARING_NOTICE, at)
        hearing_due = deadlines.hearing_due(self._calendar, at)
        self.deadlines.open(Stage.HEARING, hearing_due)
        self.preliminary_reasons = reasons
        return self._commit(
            PreliminaryRefusalIssued(
                **self._common(actor, at, target),
                stage_deadline=notice_due,
                late=late,
                reasons=reasons,
                hearing_due=hearing_due,
            )
        )

    def schedule_hearing(
        self, actor: Actor, at: datetime, hearing_at: datetime, place: str
    ) -> HearingScheduled:
        """Set the time and place (or way) of the hearing (Rules §8)."""
        target = self._begin(_A.SCHEDULE_HEARING, actor, at)
        _require_aware(hearing_at)
        if hearing_at < at:
            self._refuse(_A.SCHEDULE_HEARING, "the hearing cannot be set in the past")
        if not place.strip():
            self._refuse(_A.SCHEDULE_HEARING, "the place or way of the hearing is required")
        due = self._hearing_due()
        self.hearing_at = hearing_at
        return self._commit(
            HearingScheduled(
                **self._common(actor, at, target),
                stage_deadline=due,
                late=hearing_at > due,
                hearing_at=hearing_at,
                place=place.strip(),
            )
        )

    def hold_hearing(
        self, actor: Actor, at: datetime, applicant_attended: bool, applicant_position: str = ""
    ) -> HearingHeld:
        """Record the hearing, attended or not (Rules §8)."""
        target = self._begin(_A.HOLD_HEARING, actor, at)
        if self.hearing_at is not None and at < self.hearing_at:
            self._refuse(_A.HOLD_HEARING, f"the hearing was set for {self.hearing_at.isoformat()}")
        late = self.deadlines.settle(Stage.HEARING, at)
        return self._commit(
            HearingHeld(
                **self._common(actor, at, target),
                stage_deadline=self._hearing_due(),
                late=late,
                applicant_attended=applicant_attended,
                applicant_position=applicant_position,
            )
        )

    def issue_permit(
        self, actor: Actor, at: datetime, permit_number: str, provider: Provider | None = None
    ) -> PermitIssued:
        """The head signs the permit of App.3 (Rules §7, §9); it goes to the registry (§11)."""
        target = self._begin(_A.ISSUE_PERMIT, actor, at)
        found = automatic_grounds(self.form)
        if found:
            listed = ", ".join(f"ground {int(ground)}" for ground in sorted(found))
            self._refuse(_A.ISSUE_PERMIT, f"App.1 §10 {listed} applies")
        self.deadlines.settle(Stage.REVIEW, at)
        late = self.deadlines.settle(Stage.SERVICE_TERM, at)
        form = self.form
        permit = Permit(
            number=permit_number,
            application_number=self.number,
            issue_date=to_almaty(at).date(),
            provider=provider or Provider(),
            recipient=self.recipient,
            platform_name=form.platform_name,
            purpose=form.purpose,
            activity_addresses=form.activity_addresses,
            signer=Signer.for_actor(actor),
        )
        return self._commit(
            PermitIssued(
                **self._common(actor, at, target),
                stage_deadline=self.schedule.service_term_due,
                late=late,
                permit=permit,
            )
        )

    def refuse(
        self,
        actor: Actor,
        at: datetime,
        refusal_number: str,
        grounds: Iterable[int],
        motivation: str,
        provider: Provider | None = None,
    ) -> PermitRefused:
        """The head signs the motivated refusal of App.4 after the hearing (Rules §8)."""
        target = self._begin(_A.REFUSE, actor, at)
        reasons = RefusalReasons.of(grounds, motivation)
        heard = self.preliminary_reasons.grounds if self.preliminary_reasons else ()
        unheard = [int(ground) for ground in reasons.grounds if ground not in heard]
        if unheard:
            # APPC art. 73: the applicant must be heard on every ground the refusal rests on.
            self._refuse(_A.REFUSE, f"ground(s) {unheard} were not in the preliminary decision")
        late = self.deadlines.settle(Stage.SERVICE_TERM, at)
        refusal = MotivatedRefusal(
            number=refusal_number,
            application_number=self.number,
            application_date=self.application_date,
            issue_date=to_almaty(at).date(),
            provider=provider or Provider(),
            recipient=self.recipient,
            reasons=reasons,
            signer=Signer.for_actor(actor),
        )
        return self._commit(
            PermitRefused(
                **self._common(actor, at, target),
                stage_deadline=self.schedule.service_term_due,
                late=late,
                refusal=refusal,
            )
        )

    def withdraw(self, actor: Actor, at: datetime, reason: str = "") -> ApplicationWithdrawn:
        """The applicant withdraws its own application before a final decision."""
        target = self._begin(_A.WITHDRAW, actor, at)
        self.deadlines.cancel_open(at)
        return self._commit(ApplicationWithdrawn(**self._common(actor, at, target), reason=reason))

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
        _require_aware(at)
        transition = transition_for(self.status, action)
        authorize(transition.roles, actor, action, self.status, self.form.applicant_identifier)
        if self.last_event_at is not None and at < self.last_event_at:
            self._refuse(action, "the moment precedes the previous step")
        return transition.target

    def _refuse(self, action: ApplicationAction, reason: str) -> NoReturn:
        raise TransitionNotAllowedError(action, self.status, reason)

    def _hearing_due(self) -> datetime:
        hearing = self.deadlines.get(Stage.HEARING)
        if hearing is None:  # only a preliminary refusal opens it, and it precedes any hearing
            raise AssertionError("no hearing stage without a preliminary refusal")
        return hearing.due

    def _common(self, actor: Actor, at: datetime, target: ApplicationStatus) -> dict[str, Any]:
        return {
            "application_number": self.number,
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


def _require_aware(moment: datetime) -> None:
    # Comparing naive and aware moments fails late and obscurely; refuse naive ones at the door.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"a timezone-aware moment is required, not {moment.isoformat()}")
