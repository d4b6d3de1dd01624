"""Application statuses and the declared transitions between them, with the roles allowed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from kepil.domain.permits.errors import ActionForbiddenError, TransitionNotAllowedError
from kepil.domain.permits.roles import Actor, PermitRole


class ApplicationStatus(StrEnum):
    """Where an application stands in the service."""

    SUBMITTED = "submitted"
    REGISTERED = "registered"
    REFUSED_FURTHER_CONSIDERATION = "refused_further_consideration"
    UNDER_REVIEW = "under_review"
    # Only cases stored before the preliminary refusal carried the hearing's time and place
    # stand here; no step leads here now, and schedule_hearing leads out (Rules §8).
    PRELIMINARY_REFUSAL = "preliminary_refusal"
    HEARING_SCHEDULED = "hearing_scheduled"
    HEARING_HELD = "hearing_held"
    PERMIT_ISSUED = "permit_issued"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


FINAL_STATUSES: Final = frozenset(
    {
        ApplicationStatus.REFUSED_FURTHER_CONSIDERATION,
        ApplicationStatus.PERMIT_ISSUED,
        ApplicationStatus.REFUSED,
        ApplicationStatus.WITHDRAWN,
    }
)


class ApplicationAction(StrEnum):
    """What an actor may try to do with an application."""

    SUBMIT = "submit"
    REGISTER = "register"
    REFUSE_FURTHER_CONSIDERATION = "refuse_further_consideration"
    START_REVIEW = "start_review"
    ISSUE_PRELIMINARY_REFUSAL = "issue_preliminary_refusal"
    SCHEDULE_HEARING = "schedule_hearing"
    HOLD_HEARING = "hold_hearing"
    # App.1 §10 items 3-4: the examiner records, signed, why a reported court ban or
    # deprivation does not concern this activity; the status stays.
    CLEAR_REPORTED_GROUND = "clear_reported_ground"
    ISSUE_PERMIT = "issue_permit"
    REFUSE = "refuse"
    WITHDRAW = "withdraw"


@dataclass(frozen=True, slots=True)
class Transition:
    """One declared move: from a status, by an action, to a status, for these roles only."""

    source: ApplicationStatus
    action: ApplicationAction
    target: ApplicationStatus
    roles: frozenset[PermitRole]


_S = ApplicationStatus
_A = ApplicationAction
_APPLICANT = frozenset({PermitRole.APPLICANT})
_CLERK = frozenset({PermitRole.CLERK})
_EXAMINER = frozenset({PermitRole.EXAMINER})
# §9: the result is signed with the EDS of the head (or the person acting for the head);
# the §6 notice ends the service too, so it is a result and the head signs it as well.
_HEAD = frozenset({PermitRole.HEAD})
SUBMISSION_ROLES: Final = _APPLICANT

_DECLARED: Final = (
    Transition(_S.SUBMITTED, _A.REGISTER, _S.REGISTERED, _CLERK),
    Transition(
        _S.REGISTERED, _A.REFUSE_FURTHER_CONSIDERATION, _S.REFUSED_FURTHER_CONSIDERATION, _HEAD
    ),
    Transition(_S.REGISTERED, _A.START_REVIEW, _S.UNDER_REVIEW, _EXAMINER),
    # §8: the preliminary refusal's notice carries the hearing's time and place, so it sets it.
    Transition(_S.UNDER_REVIEW, _A.ISSUE_PRELIMINARY_REFUSAL, _S.HEARING_SCHEDULED, _EXAMINER),
    Transition(_S.UNDER_REVIEW, _A.ISSUE_PERMIT, _S.PERMIT_ISSUED, _HEAD),
    # A permit over a reported ground 3/4 needs the examiner's signed record first (grounds.py).
    Transition(_S.UNDER_REVIEW, _A.CLEAR_REPORTED_GROUND, _S.UNDER_REVIEW, _EXAMINER),
    Transition(_S.HEARING_HELD, _A.CLEAR_REPORTED_GROUND, _S.HEARING_HELD, _EXAMINER),
    # A case stored in the old shape (a preliminary refusal without time and place) still gets
    # its notice with them, judged by the same limits.
    Transition(_S.PRELIMINARY_REFUSAL, _A.SCHEDULE_HEARING, _S.HEARING_SCHEDULED, _EXAMINER),
    # Before it is held the hearing may be moved, once, with a new notice (hearing.py).
    Transition(_S.HEARING_SCHEDULED, _A.SCHEDULE_HEARING, _S.HEARING_SCHEDULED, _EXAMINER),
    Transition(_S.HEARING_SCHEDULED, _A.HOLD_HEARING, _S.HEARING_HELD, _EXAMINER),
    Transition(_S.HEARING_HELD, _A.ISSUE_PERMIT, _S.PERMIT_ISSUED, _HEAD),
    Transition(_S.HEARING_HELD, _A.REFUSE, _S.REFUSED, _HEAD),
    *(
        Transition(source, _A.WITHDRAW, _S.WITHDRAWN, _APPLICANT)
        for source in ApplicationStatus
        if source not in FINAL_STATUSES
    ),
)
TRANSITIONS: Final[Mapping[tuple[ApplicationStatus, ApplicationAction], Transition]] = (
    MappingProxyType({(t.source, t.action): t for t in _DECLARED})
)


def transition_for(status: ApplicationStatus, action: ApplicationAction) -> Transition:
    """The declared transition, or TransitionNotAllowedError naming the status and the action."""
    transition = TRANSITIONS.get((status, action))
    if transition is None:
        raise TransitionNotAllowedError(action, status)
    return transition


def authorize(
    roles: frozenset[PermitRole],
    actor: Actor,
    action: str,
    state: str,
    owner_identifier: str,
) -> None:
    """Raise ActionForbiddenError unless the actor's role is listed (applicants: their own only)."""
    if actor.role not in roles:
        raise ActionForbiddenError(action, state, actor.role)
    if actor.role is PermitRole.APPLICANT and not actor.identifies(owner_identifier):
        raise ActionForbiddenError(
            action, state, actor.role, f"the application belongs to {owner_identifier}"
        )
