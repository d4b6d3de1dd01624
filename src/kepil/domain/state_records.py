"""What the state information systems say about an applicant (Rules §4, App. 1 §10 items 3–4)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """An identity document record found by IIN (the e-gov gateway's person service)."""

    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    document_number: str
    document_valid_until: date | None


class BusinessForm(enum.StrEnum):
    """How the applicant is registered: a legal entity by BIN, an entrepreneur by IIN."""

    LEGAL_ENTITY = "legal_entity"
    INDIVIDUAL_ENTREPRENEUR = "individual_entrepreneur"


@dataclass(frozen=True, slots=True)
class BusinessRecord:
    """State registration of a legal entity, or the start of activity of an entrepreneur."""

    number: str
    form: BusinessForm
    name: str
    registered_on: date
    head_iin: str | None
    active: bool


class CourtRestriction(enum.StrEnum):
    """The two kinds of court decision that bar the permit (App. 1 §10 items 3 and 4)."""

    ACTIVITY_BAN = "activity_ban"
    """A ban on the activity, or kinds of it, that needs this permit (item 3)."""
    SPECIAL_RIGHT_DEPRIVED = "special_right_deprived"
    """Deprivation of a special right connected with the permit (item 4)."""


@dataclass(frozen=True, slots=True)
class CourtDecision:
    """A court decision (or sentence) in force against the applicant."""

    subject: str
    restriction: CourtRestriction
    court: str
    case_number: str
    in_force_from: date
    in_force_until: date | None

    def in_force_on(self, day: date) -> bool:
        """Whether the decision binds on the day."""
        return self.in_force_from <= day and (
            self.in_force_until is None or day <= self.in_force_until
        )
