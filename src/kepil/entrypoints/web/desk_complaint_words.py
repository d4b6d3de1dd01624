"""Words of the officials' complaint and rule-change pages (Rules §12-§15) that the code
chooses: the steps, the terms, the refusals. English msgids marked with N_, translated where
shown (catalogue: desk_complaints.po)."""

from __future__ import annotations

from typing import Final

from kepil.domain.permits import NotificationRecipient
from kepil.entrypoints.web.i18n import N_

# Each step as a link on the complaint's page and as the heading of its own page.
STEP_NAMES: Final[dict[str, str]] = {
    "register": N_("Register the complaint"),
    "satisfy": N_("Satisfy the complaint within 3 working days (Rules §13)"),
    "forward": N_(
        "Send the complaint with the administrative case to the body reviewing it (Rules §13)"
    ),
    "uphold": N_("Uphold the complaint (Rules §14)"),
    "reject": N_("Reject the complaint (Rules §14)"),
}

# The button that signs the step and sends it.
STEP_BUTTONS: Final[dict[str, str]] = {
    "register": N_("Sign with EDS and register"),
    "satisfy": N_("Sign with EDS and satisfy"),
    "forward": N_("Sign with EDS and send the case file"),
    "uphold": N_("Sign with EDS and uphold"),
    "reject": N_("Sign with EDS and reject"),
}

# What each step means, said before the official signs it.
STEP_EXPLANATIONS: Final[dict[str, str]] = {
    "register": N_(
        "The complaint is registered on the day it arrives; its terms run from the day of "
        "registration (Rules §14)."
    ),
    "satisfy": N_(
        "Within 3 working days of its arrival the Ministry may take a favourable decision or "
        "an action that fully meets what the complaint asks, and then need not send it on "
        "(Rules §13). State what was decided or done."
    ),
    "forward": N_(
        "Within 3 working days of its arrival the complaint and the administrative case go to "
        "the body reviewing the complaint (Rules §13). The act you sign lists the case file "
        "sent with it."
    ),
    "uphold": N_(
        "The body reviewing the complaint finds it well founded. State the decision; the "
        "complainant may then go to court (Rules §15)."
    ),
    "reject": N_(
        "The body reviewing the complaint rejects it. State the reasons; the complainant may "
        "then go to court (Rules §15)."
    ),
}

TERM_NAMES: Final[dict[str, str]] = {
    "registration": N_("Registration, on the day the complaint arrives"),
    "provider_response": N_("Satisfy it or send it on with the case file (Rules §13)"),
    "review": N_("Review of the complaint (Rules §14)"),
}

RECIPIENT_NAMES: Final[dict[str, str]] = {
    NotificationRecipient.EGOV_INFRASTRUCTURE_OPERATOR: N_(
        "Operator of the e-government information and communication infrastructure"
    ),
    NotificationRecipient.UNIFIED_CONTACT_CENTRE: N_("Unified contact centre"),
}

# Refusals, in the official's words.
WRONG_STATUS: Final = N_(
    "This step cannot be taken now: the complaint's status is «%(status)s». Reload the page to "
    "see the steps allowed."
)
ROLE_REQUIRED: Final = N_("Your duties do not include this step. It is taken by: %(roles)s.")
CHANGED: Final = N_(
    "Someone else acted on this complaint while you had it open. Reload the page to see what "
    "was done, then decide again."
)
NOT_REGISTERED: Final = N_("The complaint is not registered yet: register it first.")
DECISION_REQUIRED: Final = N_("State the decision taken (at most 20,000 characters).")
ANOTHER_COMPLAINT: Final = N_(
    "The signed act is about another complaint. Reload the page and sign again."
)
OFFICIAL_NOT_FOUND: Final = N_("There is no such complaint.")

# Rule changes (§12): the form's problems, by the service's error code.
RULE_CHANGE_PROBLEMS: Final[dict[str, tuple[str, str]]] = {
    "invalid_identifier": (
        "identifier",
        N_("Give the version's identifier (1 to 64 characters)."),
    ),
    "rule_version_exists": (
        "identifier",
        N_("A version with this identifier is recorded already."),
    ),
    "invalid_summary": ("summary", N_("Say what changed (1 to 4,000 characters).")),
    "adopted_in_future": (
        "adopted_on",
        N_("A change is recorded once it is adopted, not before."),
    ),
    "effective_before_adoption": (
        "effective_on",
        N_("A change cannot take effect before the day it is adopted."),
    ),
}
DATE_REQUIRED: Final = N_("Enter a date as day, month and year.")
