"""Facts of the permit workflow, in the past tense; each carries its moment and its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.permits.documents import MotivatedRefusal, Permit, RefusalOfFurtherConsideration
from kepil.domain.permits.grounds import GroundClearance, RefusalReasons
from kepil.domain.permits.roles import PermitRole
from kepil.domain.permits.status import ApplicationStatus

ResultDocument = Permit | MotivatedRefusal | RefusalOfFurtherConsideration


@dataclass(frozen=True, slots=True)
class ActorRef:
    """Who did it, as the monitoring feed records it (Rules §10)."""

    role: PermitRole
    name: str
    iin: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationEvent:
    """Common to every event: which application, when, by whom, and the status it left."""

    application_number: str
    applicant_id: str  # the IIN/BIN whose case it is: whose cabinet hears of it
    at: datetime
    actor: ActorRef
    status: ApplicationStatus
    stage_deadline: datetime | None = None
    late: bool = False

    def result_document(self) -> ResultDocument | None:
        """The signed result the step issues (§6 notice, App.3 permit, App.4 refusal), if any."""
        return None


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationSubmitted(ApplicationEvent):
    """The portal delivered an EDS-signed application (Rules §3)."""

    received_at: datetime
    registration_day: date
    service_term_due: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationRegistered(ApplicationEvent):
    """The clerk registered the application (Rules §5); stage_deadline: completeness check."""

    registration_day: date


@dataclass(frozen=True, slots=True, kw_only=True)
class FurtherConsiderationRefused(ApplicationEvent):
    """The package was incomplete or expired (Rules §6)."""

    notice: RefusalOfFurtherConsideration

    def result_document(self) -> ResultDocument:
        """The §6 notice."""
        return self.notice


@dataclass(frozen=True, slots=True, kw_only=True)
class ReviewStarted(ApplicationEvent):
    """Completeness was established and the review began (Rules §7)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class PreliminaryRefusalIssued(ApplicationEvent):
    """The applicant was notified of a preliminary refusal and of the hearing's time and place
    (or way) (Rules §8, APPC art. 73); stage_deadline and late: the notice's deadline."""

    reasons: RefusalReasons
    hearing_due: datetime
    hearing_at: datetime
    place: str


@dataclass(frozen=True, slots=True, kw_only=True)
class HearingScheduled(ApplicationEvent):
    """The time and place (or way) of the hearing were notified after a preliminary refusal
    stored without them (Rules §8); stage_deadline and late: the notice's deadline. The notice
    repeats the preliminary decision (`reasons`) it is about."""

    hearing_at: datetime
    place: str
    hearing_due: datetime
    reasons: RefusalReasons | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HearingMoved(ApplicationEvent):
    """The hearing was moved, once, with a new notice of its time and place (Rules §8);
    stage_deadline and hearing_due: the hearing's, from the new notice. The notice repeats the
    preliminary decision (`reasons`) it is about."""

    hearing_at: datetime
    place: str
    hearing_due: datetime
    previous_hearing_at: datetime | None
    reasons: RefusalReasons | None


@dataclass(frozen=True, slots=True, kw_only=True)
class HearingHeld(ApplicationEvent):
    """The applicant had the chance to state a position (Rules §8)."""

    applicant_attended: bool
    applicant_position: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportedGroundCleared(ApplicationEvent):
    """The examiner recorded, signed, why a ground 3/4 the state systems report does not
    concern this activity (App.1 §10); the permit's draft shows the record."""

    clearance: GroundClearance


@dataclass(frozen=True, slots=True, kw_only=True)
class PermitIssued(ApplicationEvent):
    """The head signed the permit; it carries what the state registry entry needs (Rules §11)."""

    permit: Permit

    def result_document(self) -> ResultDocument:
        """The App.3 permit."""
        return self.permit


@dataclass(frozen=True, slots=True, kw_only=True)
class PermitRefused(ApplicationEvent):
    """The head signed a motivated refusal (App.4)."""

    refusal: MotivatedRefusal

    def result_document(self) -> ResultDocument:
        """The App.4 motivated refusal."""
        return self.refusal


@dataclass(frozen=True, slots=True, kw_only=True)
class ApplicationWithdrawn(ApplicationEvent):
    """The applicant withdrew the application before a final decision."""

    reason: str
