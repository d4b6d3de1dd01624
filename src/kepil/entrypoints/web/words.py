"""Words the pages show that the code chooses: status names, kinds, roles, stages, the cabinet's
messages and the main navigation. Each is an English msgid marked with N_, translated where shown.

The stored cabinet messages (services/permits/policies.py) are Russian sentences; the pages say
them again from the message's kind in the reader's language, and fall back to the stored text
only for a kind this module does not know.
"""

from __future__ import annotations

from kepil.domain.permits import ApplicationStatus, ComplaintStatus, PermitRole, Stage
from kepil.domain.permits.application import ApplicantKind, AttachmentKind
from kepil.domain.permits.grounds import RefusalGround
from kepil.domain.permits.validation import ProblemCode
from kepil.domain.registry import RegistryStatus
from kepil.entrypoints.web.i18n import N_

STATUS_NAMES: dict[RegistryStatus, str] = {
    RegistryStatus.ACTIVE: N_("In force"),
    RegistryStatus.EXPIRED: N_("Expired"),
    RegistryStatus.SUSPENDED: N_("Suspended"),
    RegistryStatus.REVOKED: N_("Revoked"),
}

# Issue 21: the registry's changes on their way to the platforms (the registry entry page).
CHANGE_ACTION_NAMES: dict[str, str] = {
    "suspend": N_("Suspension"),
    "reinstate": N_("Reinstatement"),
    "revoke": N_("Revocation"),
}
DELIVERY_STATE_NAMES: dict[str, str] = {
    "pending": N_("Waiting to be sent"),
    "failing": N_("Not delivered yet, retrying"),
    "delivered": N_("Applied by the platform"),
    "superseded": N_("Overtaken by a later change"),
    "refused": N_("Refused by the platform"),
    "abandoned": N_("Abandoned"),
}

APPLICATION_STATUS_NAMES: dict[str, str] = {
    ApplicationStatus.SUBMITTED: N_("Accepted"),
    ApplicationStatus.REGISTERED: N_("Registered"),
    ApplicationStatus.REFUSED_FURTHER_CONSIDERATION: N_("Further consideration refused"),
    ApplicationStatus.UNDER_REVIEW: N_("Under review"),
    ApplicationStatus.PRELIMINARY_REFUSAL: N_("Preliminary decision to refuse"),
    ApplicationStatus.HEARING_SCHEDULED: N_("Hearing scheduled"),
    ApplicationStatus.HEARING_HELD: N_("Hearing held"),
    ApplicationStatus.PERMIT_ISSUED: N_("Permit issued"),
    ApplicationStatus.REFUSED: N_("Reasoned refusal issued"),
    ApplicationStatus.WITHDRAWN: N_("Withdrawn"),
}

# What happens next, one sentence per status, as Order 130/НҚ says it.
NEXT_STEPS: dict[str, str] = {
    ApplicationStatus.SUBMITTED: N_(
        "The Ministry's office registers the application on the day it arrives; one sent after "
        "18:30, at a weekend or on a holiday is registered on the next working day (Rules §5)."
    ),
    ApplicationStatus.REGISTERED: N_(
        "Within 2 working days of registration the Ministry checks that the documents are "
        "complete and still valid; if not, it sends a notice refusing further consideration "
        "(Rules §6)."
    ),
    ApplicationStatus.REFUSED_FURTHER_CONSIDERATION: N_(
        "The documents were incomplete or had expired, so the application is not considered "
        "further; the notice is among the documents received. You may apply again or complain "
        "(Rules §6, §13)."
    ),
    ApplicationStatus.UNDER_REVIEW: N_(
        "Within 3 working days the Ministry reviews the documents against the Rules and issues "
        "the permit, or first tells you of a preliminary decision to refuse (Rules §7, §8)."
    ),
    ApplicationStatus.PRELIMINARY_REFUSAL: N_(
        "You are told the time and place (or way) of a hearing, held no later than 2 working "
        "days after the notice, where you may state your position (Rules §8)."
    ),
    ApplicationStatus.HEARING_SCHEDULED: N_(
        "Come to the hearing at the time and place set to state your position; after it the "
        "Ministry issues the permit or a reasoned refusal (Rules §8)."
    ),
    ApplicationStatus.HEARING_HELD: N_(
        "The Ministry issues the permit or a reasoned refusal, signed with the EDS of its head "
        "(Rules §8, §9)."
    ),
    ApplicationStatus.PERMIT_ISSUED: N_(
        "The permit, signed with the EDS of the Ministry's head, is among the documents "
        "received, and you are entered in the state registry (Rules §9, §11)."
    ),
    ApplicationStatus.REFUSED: N_(
        "The reasoned refusal is among the documents received; you may complain about it to "
        "the Ministry or to the body that assesses the quality of public services (Rules §13)."
    ),
    ApplicationStatus.WITHDRAWN: N_(
        "You withdrew the application; nothing more happens on it. You may apply again."
    ),
}

STAGE_NAMES: dict[str, str] = {
    Stage.REGISTRATION: N_("Registration"),
    Stage.COMPLETENESS_CHECK: N_("Check of completeness"),
    Stage.REVIEW: N_("Review of the documents"),
    Stage.HEARING_NOTICE: N_("Notice of the hearing"),
    Stage.HEARING: N_("Hearing"),
    Stage.SERVICE_TERM: N_("Term of the service"),
}

EVENT_NAMES: dict[str, str] = {
    "application_submitted": N_("Application accepted"),
    "application_registered": N_("Application registered"),
    "further_consideration_refused": N_("Further consideration refused"),
    "review_started": N_("Documents found complete; review started"),
    "preliminary_refusal_issued": N_("Preliminary decision to refuse; hearing to be held"),
    "hearing_scheduled": N_("Hearing scheduled"),
    "hearing_moved": N_("Hearing moved, with a new notice"),
    "hearing_held": N_("Hearing held"),
    "reported_ground_cleared": N_(
        "The responsible officer recorded why a reported court decision does not concern this "
        "activity"
    ),
    "permit_issued": N_("Permit issued"),
    "permit_refused": N_("Reasoned refusal issued"),
    "application_withdrawn": N_("Application withdrawn"),
}

ROLE_NAMES: dict[str, str] = {
    PermitRole.APPLICANT: N_("Applicant"),
    PermitRole.CLERK: N_("Ministry's office"),
    PermitRole.EXAMINER: N_("Responsible officer"),
    PermitRole.HEAD: N_("Head of the Ministry or acting head"),
    PermitRole.COMPLAINT_REVIEWER: N_("Body reviewing the complaint"),
    PermitRole.AUDITOR: N_("Auditor"),
    PermitRole.CONTACT_CENTRE: N_("Unified contact centre"),
    PermitRole.ADMINISTRATOR: N_("Administrator of the staff table"),
    "system": N_("The service, automatically"),
}

ATTACHMENT_KIND_NAMES: dict[str, str] = {
    AttachmentKind.TRADEMARK_REGISTER_EXTRACT: N_("Extract from the State Register of Trademarks"),
    AttachmentKind.APPELLATION_OF_ORIGIN_REGISTER_EXTRACT: N_(
        "Extract from the State Register of Appellations of Origin of Goods"
    ),
    AttachmentKind.SALE_CONTRACT: N_("Contract of sale of property (goods)"),
    AttachmentKind.RETAIL_SALE_CONTRACT: N_("Retail sale contract"),
    AttachmentKind.CONTRACTING_CONTRACT: N_("Contracting agreement"),
    AttachmentKind.BARTER_CONTRACT: N_("Barter contract"),
    AttachmentKind.GIFT_CONTRACT: N_("Gift contract"),
    AttachmentKind.IP_CREATION_AND_USE_CONTRACT: N_(
        "Contract on the creation and use of results of intellectual creative activity"
    ),
    AttachmentKind.COPYRIGHT_REGISTER_CERTIFICATE: N_(
        "Certificate of entry into the State Register of Rights to Objects Protected by Copyright"
    ),
    AttachmentKind.GUARANTEE_LETTER: N_("Letter of guarantee"),
    AttachmentKind.OTHER: N_("Other document"),
}

APPLICANT_KIND_NAMES: dict[str, str] = {
    ApplicantKind.INDIVIDUAL_ENTREPRENEUR: N_("Individual entrepreneur"),
    ApplicantKind.LEGAL_ENTITY: N_("Legal entity"),
}

# Result documents by the kind the store gives them: the event that issued them.
DOCUMENT_KIND_NAMES: dict[str, str] = {
    "permit_issued": N_("Permit to issue and circulate secured digital assets"),
    "permit_refused": N_("Reasoned refusal to issue a permit"),
    "further_consideration_refused": N_("Notice refusing further consideration of documents"),
}

# Signed acts held without a number, by the `action` they sign (the PDF's titles are the same
# names in adapters/pdf/words.ACT_TITLES; kepil's wording, the Rules draw no form for them).
ACT_NAMES: dict[str, str] = {
    "issue_preliminary_refusal": N_("Notice of the preliminary decision and the hearing"),
    "schedule_hearing": N_("Notice of the hearing's time and place"),
    "satisfy": N_("Decision to satisfy the complaint"),
    "uphold": N_("Decision to leave the appealed decision in force"),
    "reject": N_("Decision to refuse to satisfy the complaint"),
    "forward": N_("Decision to send the complaint to the body that reviews complaints"),
}

GROUND_NAMES: dict[int, str] = {
    RefusalGround.UNRELIABLE_DOCUMENTS: N_(
        "The documents the applicant submitted, or the data in them, were found to be unreliable."
    ),
    RefusalGround.NONCOMPLIANCE_WITH_REQUIREMENTS: N_(
        "The applicant or the materials, data and information submitted do not meet the "
        "requirements set by the normative legal acts of the Republic of Kazakhstan."
    ),
    RefusalGround.COURT_BAN_ON_ACTIVITY: N_(
        "A court decision in force bans the applicant from the activity that needs this service."
    ),
    RefusalGround.COURT_DEPRIVATION_OF_SPECIAL_RIGHT: N_(
        "A court decision in force deprives the applicant of the special right this service "
        "concerns."
    ),
    RefusalGround.NO_PERSONAL_DATA_CONSENT: N_(
        "The applicant did not consent to access to restricted personal data needed for the "
        "service."
    ),
}

PROBLEM_NAMES: dict[str, str] = {
    ProblemCode.BACKING_DOCUMENT_MISSING: N_(
        "None of the documents of App.1 §9 item 2 (extract, contract or certificate) is attached."
    ),
    ProblemCode.GUARANTEE_LETTER_MISSING: N_("The letter of guarantee is not attached."),
    ProblemCode.DOCUMENT_EXPIRED: N_("An attached document has expired."),
    ProblemCode.TRUTHFULNESS_NOT_CONFIRMED: N_(
        "The applicant did not confirm that the information is true."
    ),
    ProblemCode.PROTECTED_SECRETS_CONSENT_MISSING: N_(
        "The applicant did not consent to the use of information protected by law."
    ),
}

COMPLAINT_STATUS_NAMES: dict[str, str] = {
    ComplaintStatus.REGISTERED: N_("Registered, under consideration"),
    ComplaintStatus.SATISFIED_BY_PROVIDER: N_("Satisfied by the Ministry"),
    ComplaintStatus.FORWARDED: N_("Sent to the body reviewing the complaint"),
    ComplaintStatus.UPHELD: N_("Upheld"),
    ComplaintStatus.REJECTED: N_("Rejected"),
}
COMPLAINT_RECEIVED = N_("Received, awaiting registration")

COMPLAINT_EVENT_NAMES: dict[str, str] = {
    "complaint_filed": N_("Complaint received"),
    "complaint_registered": N_("Complaint registered"),
    "complaint_satisfied_by_provider": N_("Complaint satisfied by the Ministry"),
    "complaint_forwarded": N_(
        "Complaint and the administrative case sent to the body reviewing the complaint"
    ),
    "complaint_upheld": N_("Complaint upheld by the body reviewing it"),
    "complaint_rejected": N_("Complaint rejected"),
}

COMPLAINT_SUBJECT_NAMES: dict[str, str] = {
    "decision": N_("A decision"),
    "action": N_("An action"),
    "inaction": N_("Inaction"),
}

FILED_WITH_NAMES: dict[str, str] = {
    "provider": N_("The Ministry (the service provider)"),
    "quality_control_agency": N_(
        "The authorised body for assessing and controlling the quality of public services"
    ),
}

# The cabinet's messages by kind; %(number)s is the case's number.
NOTIFICATION_TEXTS: dict[str, str] = {
    "application_submitted": N_("Application %(number)s is accepted."),
    "application_registered": N_("Application %(number)s is registered."),
    "further_consideration_refused": N_(
        "Further consideration of application %(number)s is refused: see the notice."
    ),
    "review_started": N_("Application %(number)s is under review."),
    "preliminary_refusal_issued": N_(
        "Preliminary decision to refuse on application %(number)s; a hearing will be held."
    ),
    "hearing_scheduled": N_("A hearing on application %(number)s is scheduled."),
    "hearing_moved": N_("The hearing on application %(number)s is moved."),
    "hearing_held": N_("The hearing on application %(number)s is held."),
    "reported_ground_cleared": N_("The review of application %(number)s continues."),
    "permit_issued": N_("The permit on application %(number)s is issued."),
    "permit_refused": N_("A reasoned refusal on application %(number)s is issued."),
    "application_withdrawn": N_("Application %(number)s is withdrawn."),
    "service_term_overdue": N_("The term of the service on application %(number)s has passed."),
    "permit_suspend": N_("The permit on application %(number)s is suspended."),
    "permit_reinstate": N_("The permit on application %(number)s is in force again."),
    "permit_revoke": N_("The permit on application %(number)s is revoked."),
    "complaint_filed": N_("Complaint %(number)s is received."),
    "complaint_registered": N_("Complaint %(number)s is registered."),
    "complaint_satisfied_by_provider": N_("Complaint %(number)s is satisfied by the Ministry."),
    "complaint_forwarded": N_("Complaint %(number)s is sent to the body reviewing the complaint."),
    "complaint_upheld": N_("Complaint %(number)s is upheld."),
    "complaint_rejected": N_("Complaint %(number)s is rejected."),
}

# Rules §8 notices: their stored messages (in Russian and Kazakh) carry the decision, the
# hearing's time and place, so the cabinet shows them as stored, in the reader's language.
HEARING_NOTICE_KINDS = frozenset(
    {"preliminary_refusal_issued", "hearing_scheduled", "hearing_moved"}
)

# The pages the header links to: (address, name). Only pages that exist are listed.
NAV: tuple[tuple[str, str], ...] = (
    ("/", N_("Home")),
    ("/service", N_("About the service")),
    ("/registry", N_("State registry")),
    ("/check", N_("Check a document")),
    ("/explorer", N_("Ledger explorer")),
)
# A platform node serves only its explorer: no portal page is linked from there (they would 404).
NODE_NAV: tuple[tuple[str, str], ...] = (("/explorer", N_("Ledger explorer")),)
# Added to NAV for a signed-in person who holds a Ministry duty (rendering.py).
WORKSPACE: tuple[str, str] = ("/desk", N_("Workspace"))
