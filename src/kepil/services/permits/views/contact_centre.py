"""What the Unified contact centre may tell a caller about a case (App.1 §11 item 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from kepil.domain.calendar import WorkingCalendar, to_almaty
from kepil.services.errors import ForbiddenError
from kepil.services.permits.views.cabinet import StageDue, current_stage
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork


@dataclass(frozen=True, slots=True)
class StatusAnswer:
    """A case's status and terms: no name, form, documents or history."""

    number: str
    status: str
    registration_day: date
    service_term_due: datetime
    current: StageDue | None


def status_for_caller(
    uow: UnitOfWork,
    who: Viewer,
    number: str,
    applicant_id: str,
    now: datetime,
    calendar: WorkingCalendar,
) -> StatusAnswer | None:
    """The status of the case with this number, only when the caller also gave its applicant's
    IIN/BIN; otherwise None, the same whether the number is unknown or the IIN/BIN is wrong."""
    if not who.answers_callers:
        raise ForbiddenError("not_contact_centre", "only the contact centre answers callers")
    stored = uow.applications.get(number.strip())
    if stored is None or stored.application.form.applicant_identifier != applicant_id.strip():
        return None
    application = stored.application
    schedule = application.schedule
    return StatusAnswer(
        application.number,
        str(application.status),
        schedule.registration_day,
        to_almaty(schedule.service_term_due),
        current_stage(application.deadlines.all(), now, calendar),
    )
