"""The §8 limits of a case's hearing as a page shows them before the official acts: which action
sets (or moves) the hearing now, between which moments, the notice's deadline and whether a
notice now is late, whether the one move is still there, and the hearing set now with its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import hearing_limits
from kepil.services.permits.views.applications import visible
from kepil.services.permits.views.viewer import Viewer
from kepil.services.unit_of_work import UnitOfWork

# The steps whose details carry the hearing's time and place, newest wins.
_SETTING_KINDS = frozenset({"preliminary_refusal_issued", "hearing_scheduled", "hearing_moved"})


@dataclass(frozen=True, slots=True)
class HearingLimitsView:
    """What Rules §8 allows for the hearing now, every moment on Almaty clocks.

    `action` is the ApplicationAction that sets the hearing now (issue_preliminary_refusal from
    review; schedule_hearing for a preliminary refusal stored without time and place, or to move
    a hearing set). A time is accepted from `earliest` to `latest`; `refusal` says (in the
    domain's words) why nothing may be set now, None when something may.
    """

    application_number: str
    status: str
    action: str
    moving: bool
    now: datetime
    earliest: datetime
    latest: datetime
    latest_rule: str
    """The limit `latest` comes from, in the words a refusal would use."""
    capped_by_term: bool
    notice_due: datetime
    notice_late: bool
    service_term_due: datetime
    hearing_at: datetime | None
    place: str | None
    moves_left: int
    blocked: str | None
    """Why the hearing cannot be moved now: moved_already, moment_came or term_ended."""
    refusal: str | None

    @property
    def allowed(self) -> bool:
        """Whether a hearing may be set (or moved) now at all."""
        return self.refusal is None


def hearing_limits_view(
    uow: UnitOfWork, who: Viewer, number: str, now: datetime
) -> HearingLimitsView | None:
    """The case's §8 limits at `now`, or None when no step of its status sets the hearing."""
    stored = visible(uow.applications.get(number), number, who)
    application = stored.application
    limits = hearing_limits(application, now)
    if limits is None:
        return None
    place = None
    if limits.hearing_at is not None:
        for line in reversed(uow.applications.history(number)):
            if line.kind in _SETTING_KINDS and "place" in line.details:
                place = str(line.details["place"])
                break
    return HearingLimitsView(
        application_number=application.number,
        status=str(application.status),
        action=str(limits.action),
        moving=limits.moving,
        now=to_almaty(limits.now),
        earliest=to_almaty(limits.earliest),
        latest=to_almaty(limits.latest),
        latest_rule=limits.latest_rule,
        capped_by_term=limits.capped_by_term,
        notice_due=to_almaty(limits.notice_due),
        notice_late=limits.notice_late,
        service_term_due=to_almaty(limits.service_term_due),
        hearing_at=to_almaty(limits.hearing_at) if limits.hearing_at else None,
        place=place,
        moves_left=limits.moves_left,
        blocked=str(limits.blocked) if limits.blocked else None,
        refusal=limits.refusal,
    )
