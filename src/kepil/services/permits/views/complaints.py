"""Views of complaints: a complainant sees its own, officials see all (Rules §13-§15)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.domain.permits import ComplaintAction, ComplaintStatus, PermitRole
from kepil.domain.permits.complaints import (
    AGENCY_REVIEW_DAYS,
    PROVIDER_RESPONSE_DAYS,
    PROVIDER_REVIEW_DAYS,
    TRANSITIONS,
    FiledWith,
)
from kepil.domain.permits.deadlines import registration_due
from kepil.services.errors import ForbiddenError, NotFoundError
from kepil.services.permits.complaint_ports import (
    ComplaintRecord,
    ComplaintSummary,
    StoredComplaint,
)
from kepil.services.permits.complaints import REGISTER, REGISTRARS
from kepil.services.permits.views.applications import ApplicationView, application_view
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class ComplaintLineView:
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


@dataclass(frozen=True, slots=True)
class ComplaintView:
    """A complaint with its terms (§13, §14), its history and whether court is open (§15)."""

    number: str
    application_number: str
    complainant: str
    filed_by_iin: str
    filed_by_name: str
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
    history: list[ComplaintLineView]


@dataclass(frozen=True, slots=True)
class ComplaintPage:
    """A page of complaints and the count of all that match."""

    items: list[ComplaintSummary]
    total: int
    limit: int
    offset: int


def complaint_view(uow: UnitOfWork, who: Viewer, number: str, now: datetime) -> ComplaintView:
    """One complaint with its history; a stranger's is reported as not found."""
    stored = uow.complaints.get(number)
    if stored is None or not who.may_see(stored.complaint.complainant):
        raise NotFoundError("complaint_not_found", f"no complaint {number}")
    complaint = stored.complaint
    return ComplaintView(
        number=complaint.number,
        application_number=complaint.application_number or "",
        complainant=complaint.complainant,
        filed_by_iin=stored.filed_by_iin,
        filed_by_name=stored.filed_by_name,
        subject=str(complaint.subject),
        filed_with=str(complaint.filed_with),
        target=stored.target,
        text=stored.text,
        status=complaint.status,
        received_at=complaint.received_at,
        registration_day=complaint.registration_day,
        registered_at=stored.registered_at,
        provider_response_due=complaint.provider_response_due,
        review_due=complaint.review_due,
        settled_at=complaint.settled_at,
        overdue=complaint.is_overdue(now),
        pre_trial_appeal_exhausted=complaint.pre_trial_appeal_exhausted,
        history=[_line(record) for record in uow.complaints.history(number)],
    )


def complaint_page(
    uow: UnitOfWork, who: Viewer, status: str | None, limit: int, offset: int
) -> ComplaintPage:
    """A page of complaints: all for officials, one's own for applicants."""
    # The same rule as the single view (Viewer.owns): the IIN or the certificate's BIN.
    own = None if who.is_official else who.principal.identifiers
    items, total = uow.complaints.summaries(
        complainants=own, status=status, limit=limit, offset=offset
    )
    return ComplaintPage(items, total, limit, offset)


def _line(record: ComplaintRecord) -> ComplaintLineView:
    return ComplaintLineView(
        kind=record.kind,
        at=record.at,
        status=record.status,
        actor_role=record.actor_role,
        actor_name=record.actor_name,
        actor_iin=record.actor_iin,
        stage_deadline=record.stage_deadline,
        late=record.late,
        decision=record.decision,
        pre_trial_appeal_exhausted=bool(record.details.get("pre_trial_appeal_exhausted")),
    )


@dataclass(frozen=True, slots=True)
class ComplaintTerm:
    """A term of a complaint as an official's page shows it (Almaty time)."""

    term: str
    """`registration` (§5: the day it arrives), `provider_response` (§13) or `review` (§14)."""
    days: int
    """The working days the Rules give; 0 for registration, done on the day itself."""
    due: datetime
    settled_at: datetime | None
    working_days_left: int
    """Working days after today up to the due day: 0 when due today, negative once past."""
    overdue: bool
    """Still open after its moment, or met only after it."""


@dataclass(frozen=True, slots=True)
class ComplaintDesk:
    """A complaint on an official's desk: its terms, the steps its status allows, those the
    official's duties allow, and the case file it is about."""

    complaint: ComplaintView
    registered: bool
    roles: frozenset[PermitRole]
    terms: list[ComplaintTerm]
    declared: dict[str, frozenset[PermitRole]]
    """Every step the complaint's state allows now, with the duties that may take it."""
    offered: list[str]
    """The declared steps the official's duties allow, in the order of the procedure."""
    seen: str
    """What the page was made from: a step sent from a page of an older state is refused."""
    case: ApplicationView | None


def declared_steps(stored: StoredComplaint) -> dict[str, frozenset[PermitRole]]:
    """The steps the complaint's state allows and who may take each: registering first (by
    the office that received it), then the declared transitions of its status (§13, §14)."""
    complaint = stored.complaint
    if stored.registered_at is None:
        return {REGISTER: REGISTRARS[complaint.filed_with]}
    return {
        str(action): roles
        for action in ComplaintAction
        for (status, declared, filed_with), (_, roles) in TRANSITIONS.items()
        if (status, declared, filed_with) == (complaint.status, action, complaint.filed_with)
    }


def complaint_desk(
    uow: UnitOfWork, who: Viewer, number: str, now: datetime, calendar: WorkingCalendar
) -> ComplaintDesk:
    """A complaint for an official (ForbiddenError for anyone else), judged at `now`."""
    if not who.is_official:
        raise ForbiddenError("officials_only", "complaints are handled by Ministry officials")
    view = complaint_view(uow, who, number, now)
    stored = uow.complaints.get(number)
    if stored is None:  # read a moment ago in the same transaction
        raise NotFoundError("complaint_not_found", f"no complaint {number}")
    declared = declared_steps(stored)
    case = None
    if view.application_number:
        case = application_view(uow, who, view.application_number, now)
    return ComplaintDesk(
        complaint=view,
        registered=stored.registered_at is not None,
        roles=who.roles,
        terms=_terms(view, now, calendar),
        declared=declared,
        offered=[step for step, roles in declared.items() if roles & who.roles],
        seen=f"{view.status}:{int(stored.registered_at is not None)}:{len(view.history)}",
        case=case,
    )


def desk_complaint_page(
    uow: UnitOfWork, who: Viewer, status: str | None, limit: int, offset: int
) -> ComplaintPage:
    """Every complaint, newest first, for an official (ForbiddenError for anyone else)."""
    if not who.is_official:
        raise ForbiddenError("officials_only", "complaints are handled by Ministry officials")
    return complaint_page(uow, who, status, limit, offset)


def _terms(view: ComplaintView, now: datetime, calendar: WorkingCalendar) -> list[ComplaintTerm]:
    today = to_almaty(now).date()

    def term(name: str, days: int, due: datetime, settled: datetime | None) -> ComplaintTerm:
        left = calendar.working_days_between(today, to_almaty(due).date())
        overdue = (settled if settled is not None else now) > due
        return ComplaintTerm(name, days, to_almaty(due), settled, left, overdue)

    answered = {ComplaintStatus.FORWARDED, ComplaintStatus.SATISFIED_BY_PROVIDER}
    responded = next((line.at for line in view.history if line.status in answered), None)
    registration = registration_due(calendar, view.received_at)
    terms = [term("registration", 0, registration, view.registered_at)]
    if view.provider_response_due is not None:
        terms.append(
            term("provider_response", PROVIDER_RESPONSE_DAYS, view.provider_response_due, responded)
        )
    by_provider = view.filed_with == FiledWith.PROVIDER
    review_days = PROVIDER_REVIEW_DAYS if by_provider else AGENCY_REVIEW_DAYS
    terms.append(term("review", review_days, view.review_due, view.settled_at))
    return terms
