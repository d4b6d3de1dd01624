"""A step asked of an application: the action and the arguments its transition takes.

The declared transitions (`status.TRANSITIONS`) say who may take which action from which status;
`Application.perform` takes a `Step` to the one method that carries the action out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kepil.domain.permits.status import ApplicationAction

_A = ApplicationAction
# A result document's number follows its application's: APP-2026-000001 -> PRM-2026-000001.
DOCUMENT_PREFIXES: Final = {
    _A.ISSUE_PERMIT: "PRM",
    _A.REFUSE: "REF",
    _A.REFUSE_FURTHER_CONSIDERATION: "RFC",
}


class StepArgumentError(ValueError):
    """The step lacks an argument its action needs, or carries one of the wrong kind."""


@dataclass(frozen=True, slots=True)
class Step:
    """An action with its arguments; those the action does not take are left at their default."""

    action: ApplicationAction
    grounds: tuple[int, ...] = ()
    motivation: str = ""
    hearing_at: datetime | None = None
    place: str = ""
    applicant_attended: bool | None = None
    applicant_position: str = ""
    reason: str = ""
    ground: int | None = None

    def required_moment(self) -> datetime:
        """The hearing's moment, which the preliminary refusal's notice and scheduling need."""
        if self.hearing_at is None:
            raise StepArgumentError("hearing_at: an ISO moment with its UTC offset")
        return self.hearing_at

    def required_ground(self) -> int:
        """The App.1 §10 ground a clearance is about."""
        if self.ground is None:
            raise StepArgumentError("ground: the App.1 §10 item number (3 or 4)")
        return self.ground

    def required_attendance(self) -> bool:
        """Whether the applicant came, which holding the hearing records."""
        if self.applicant_attended is None:
            raise StepArgumentError("applicant_attended: true or false")
        return self.applicant_attended


def document_number(application_number: str, action: ApplicationAction) -> str:
    """The number of the result document an action issues on the application."""
    return f"{DOCUMENT_PREFIXES[action]}-{application_number.removeprefix('APP-')}"
