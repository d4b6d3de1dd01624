"""The Application aggregate: status changes only through the declared transitions."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import TypeVar

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits import deadlines
from kepil.domain.permits.application import ApplicationForm
from kepil.domain.permits.clearances import ClearanceSteps
from kepil.domain.permits.core import require_aware
from kepil.domain.permits.deadlines import ServiceSchedule, Stage, StageBook
from kepil.domain.permits.documents import (
    MotivatedRefusal,
    Permit,
    Provider,
    RefusalOfFurtherConsideration,
    Signer,
)
from kepil.domain.permits.errors import InvalidApplicationFormError
from kepil.domain.permits.events import (
    ApplicationEvent,
    ApplicationRegistered,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    FurtherConsiderationRefused,
    PermitIssued,
    PermitRefused,
    ReviewStarted,
)
from kepil.domain.permits.grounds import GroundClearance, RefusalReasons, automatic_grounds
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import (
    SUBMISSION_ROLES,
    ApplicationAction,
    ApplicationStatus,
    authorize,
)
from kepil.domain.permits.steps import Step, StepArgumentError, document_number
from kepil.domain.permits.validation import (
    COMPLETENESS_CODES,
    Problem,
    form_problems,
)

_A = ApplicationAction
_E = TypeVar("_E", bound=ApplicationEvent)


class Application(ClearanceSteps):
    """An application for a permit, from submission to a final decision or withdrawal."""

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
        hearing_moves: int = 0,
        ground_clearances: tuple[GroundClearance, ...] = (),
    ) -> Application:
        """An application as a repository stored it; no event is raised."""
        application = cls(number, form, schedule, calendar)
        application.status = status
        application.deadlines = deadlines
        application.preliminary_reasons = preliminary_reasons
        application.hearing_at = hearing_at
        application.hearing_moves = hearing_moves
        application.ground_clearances = ground_clearances
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
        require_aware(received_at)
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

    def issue_permit(
        self,
        actor: Actor,
        at: datetime,
        permit_number: str,
        provider: Provider | None = None,
        reported_grounds: Iterable[int] = (),
    ) -> PermitIssued:
        """The head signs the permit of App.3 (Rules §7, §9); it goes to the registry (§11).

        `reported_grounds`: App.1 §10 items the state systems' answers suggest (Rules §4)."""
        target = self._begin(_A.ISSUE_PERMIT, actor, at)
        found = automatic_grounds(self.form)
        if found:
            listed = ", ".join(f"ground {int(ground)}" for ground in sorted(found))
            self._refuse(_A.ISSUE_PERMIT, f"App.1 §10 {listed} applies")
        uncleared = self.uncleared_grounds(reported_grounds)
        if uncleared:
            listed = ", ".join(str(int(ground)) for ground in uncleared)
            self._refuse(
                _A.ISSUE_PERMIT,
                f"the state systems report a court decision for App.1 §10 ground(s) {listed}; "
                "the examiner must first record, signed, why it does not concern this activity",
            )
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
            clearances=tuple(sorted(self.ground_clearances, key=lambda c: c.ground)),
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

    def perform(  # noqa: PLR0911 (one return per declared action)
        self,
        step: Step,
        actor: Actor,
        at: datetime,
        *,
        provider: Provider | None = None,
        reported_grounds: Iterable[int] = (),
    ) -> ApplicationEvent:
        """Carry out a step by its action's one method; undeclared moves are refused there.

        `provider` names the state body on the documents; `reported_grounds` are the App.1 §10
        items the state systems' answers suggest (Rules §4), kept outside the aggregate."""
        number = self.number
        match step.action:
            case _A.REGISTER:
                return self.register(actor, at)
            case _A.START_REVIEW:
                return self.start_review(actor, at)
            case _A.REFUSE_FURTHER_CONSIDERATION:
                return self.refuse_further_consideration(
                    actor, at, document_number(number, step.action), provider=provider
                )
            case _A.ISSUE_PRELIMINARY_REFUSAL:
                return self.issue_preliminary_refusal(
                    actor, at, step.grounds, step.motivation, step.required_moment(), step.place
                )
            case _A.SCHEDULE_HEARING:
                return self.schedule_hearing(actor, at, step.required_moment(), step.place)
            case _A.HOLD_HEARING:
                attended = step.required_attendance()
                return self.hold_hearing(actor, at, attended, step.applicant_position)
            case _A.CLEAR_REPORTED_GROUND:
                ground = step.required_ground()
                return self.clear_reported_ground(actor, at, ground, step.reason, reported_grounds)
            case _A.ISSUE_PERMIT:
                permit_number = document_number(number, step.action)
                return self.issue_permit(actor, at, permit_number, provider, reported_grounds)
            case _A.REFUSE:
                refusal_number = document_number(number, step.action)
                return self.refuse(
                    actor, at, refusal_number, step.grounds, step.motivation, provider
                )
            case _A.WITHDRAW:
                return self.withdraw(actor, at, step.reason)
            case _A.SUBMIT:
                raise StepArgumentError("an application is submitted once, by Application.submit")

    def withdraw(self, actor: Actor, at: datetime, reason: str = "") -> ApplicationWithdrawn:
        """The applicant withdraws its own application before a final decision."""
        target = self._begin(_A.WITHDRAW, actor, at)
        self.deadlines.cancel_open(at)
        return self._commit(ApplicationWithdrawn(**self._common(actor, at, target), reason=reason))
