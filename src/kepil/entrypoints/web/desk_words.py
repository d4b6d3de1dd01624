"""Words of the officials' workspace (the queue and the case page) for what the code decides:
the duties' sections, the complaint stages, the actions and what each one did, what the state
systems said. Each is an English msgid marked with N_, translated where it is shown."""

from __future__ import annotations

from typing import Final

from kepil.domain.permits import ApplicationAction, PermitRole
from kepil.domain.state_records import BusinessForm, CourtRestriction
from kepil.entrypoints.web.i18n import N_
from kepil.services.permits.views.desk import (
    COMPLAINT_REGISTRATION,
    COMPLAINT_RESPONSE,
    COMPLAINT_REVIEW,
)

_R = PermitRole
DUTY_TITLES: Final[dict[str, str]] = {
    _R.CLERK: N_("Ministry's office: applications and complaints to register"),
    _R.EXAMINER: N_("Responsible officer: completeness checks, reviews and hearings"),
    _R.HEAD: N_("Head: cases awaiting a decision signed by you"),
    _R.COMPLAINT_REVIEWER: N_("Complaints to register and to review"),
    _R.AUDITOR: N_("Monitoring"),
}
DUTY_CAPTIONS: Final[dict[str, str]] = {
    _R.CLERK: N_("Cases to register, the soonest deadline first"),
    _R.EXAMINER: N_("Cases on your desk, the soonest deadline first"),
    _R.HEAD: N_("Cases awaiting your signature, the soonest deadline first"),
    _R.COMPLAINT_REVIEWER: N_("Complaints, the soonest deadline first"),
}

# The stages of a complaint as the queue names them (Rules §13, §14).
COMPLAINT_STAGE_NAMES: Final[dict[str, str]] = {
    COMPLAINT_REGISTRATION: N_("Registration of the complaint"),
    COMPLAINT_RESPONSE: N_("The Ministry's answer to the complaint (3 working days, §13)"),
    COMPLAINT_REVIEW: N_("Review of the complaint (§14)"),
}

_A = ApplicationAction
# What each declared transition does, as a link on the case page says it.
ACTION_NAMES: Final[dict[str, str]] = {
    _A.REGISTER: N_("Register the application"),
    _A.START_REVIEW: N_("Find the documents complete and start the review"),
    _A.REFUSE_FURTHER_CONSIDERATION: N_("Sign the notice refusing further consideration"),
    _A.ISSUE_PRELIMINARY_REFUSAL: N_("Issue a preliminary decision to refuse"),
    _A.SCHEDULE_HEARING: N_("Set the time and place of the hearing"),
    _A.HOLD_HEARING: N_("Record that the hearing was held"),
    _A.CLEAR_REPORTED_GROUND: N_("Record why a reported court decision does not apply"),
    _A.ISSUE_PERMIT: N_("Sign the permit"),
    _A.REFUSE: N_("Sign the reasoned refusal"),
}
# The status message after an action was signed and applied (`?done=<action>`).
DONE: Final[dict[str, str]] = {
    _A.REGISTER: N_("The application is registered."),
    _A.START_REVIEW: N_("The documents are found complete; the review has started."),
    _A.REFUSE_FURTHER_CONSIDERATION: N_(
        "The notice refusing further consideration is signed and sent to the applicant."
    ),
    _A.ISSUE_PRELIMINARY_REFUSAL: N_(
        "The preliminary decision to refuse is issued; the applicant is told of it."
    ),
    _A.SCHEDULE_HEARING: N_("The hearing is scheduled; the applicant is told when and where."),
    _A.HOLD_HEARING: N_("The hearing is recorded as held."),
    _A.CLEAR_REPORTED_GROUND: N_("The record is signed; the permit's draft shows it."),
    _A.ISSUE_PERMIT: N_("The permit is signed and issued to the applicant."),
    _A.REFUSE: N_("The reasoned refusal is signed and issued to the applicant."),
}

BUSINESS_FORMS: Final[dict[str, str]] = {
    BusinessForm.LEGAL_ENTITY: N_("Legal entity"),
    BusinessForm.INDIVIDUAL_ENTREPRENEUR: N_("Individual entrepreneur"),
}
COURT_RESTRICTIONS: Final[dict[str, str]] = {
    CourtRestriction.ACTIVITY_BAN: N_("Ban on the activity (App.1 §10 item 3)"),
    CourtRestriction.SPECIAL_RIGHT_DEPRIVED: N_(
        "Deprivation of the special right (App.1 §10 item 4)"
    ),
}
