"""Rules §8 (APPC art. 73): the preliminary decision, its notice with the hearing's time and
place (or way), one move of the hearing with a new notice, and the hearing itself.

§8 says: the applicant is notified of the preliminary decision *and* of the time and place of
the hearing; that notice goes out at least 3 working days before the service's term ends; the
hearing is held no later than 2 working days from the notice. So the notice that counts (for its
deadline and for the hearing's) is the one carrying the time and place: the preliminary refusal
itself carries them. An official may move the hearing once before it is held, with a new notice
(the issue's reading of "before it is held ... once more"); the moved hearing is again within
2 working days of the new notice and never after the service's term.

`hearing_limits` answers those limits for a moment, so a page can show them before the official
acts; the steps below refuse with the same words, naming the limit in Almaty time.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Final

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import deadlines
from kepil.domain.permits.core import ApplicationCore, require_aware
from kepil.domain.permits.deadlines import Stage
from kepil.domain.permits.events import (
    HearingHeld,
    HearingMoved,
    HearingScheduled,
    PreliminaryRefusalIssued,
)
from kepil.domain.permits.grounds import RefusalReasons
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import TRANSITIONS, ApplicationAction, ApplicationStatus

_A = ApplicationAction
_S = ApplicationStatus
HEARING_MOVES_ALLOWED: Final = 1  # "before it is held an official may move it once more"
# The actions that set the hearing's time and place, each where the declared transitions allow
# it: the preliminary refusal from review; schedule_hearing for a case stored in the old shape
# (a preliminary refusal without time and place) and, from hearing_scheduled, to move it.
SETTING_ACTIONS: Final = (_A.ISSUE_PRELIMINARY_REFUSAL, _A.SCHEDULE_HEARING)


class MoveBlock(StrEnum):
    """Why a scheduled hearing cannot be moved now."""

    MOVED_ALREADY = "moved_already"
    MOMENT_CAME = "moment_came"
    TERM_ENDED = "term_ended"


def said(moment: datetime) -> str:
    """A moment as a refusal names it: ISO on Almaty clocks, to the minute."""
    return to_almaty(moment).isoformat(timespec="minutes")


@dataclass(frozen=True, slots=True)
class HearingLimits:
    """What §8 allows when the hearing's time and place are set at `now` (moments as given).

    `action` sets them now (its declared transition exists from the status); `moving` says it
    moves a hearing already set. `refusal` says why nothing may be set now (moved already, its
    moment came, no room left in the term; `blocked` as a code), None when a time between
    `earliest` and `latest` will do. `notice_late`: a first notice now is after `notice_due`
    (accepted, marked late); a move is not judged on the notice deadline (the term bounds it).
    """

    action: ApplicationAction
    moving: bool
    now: datetime
    earliest: datetime
    latest: datetime
    capped_by_term: bool
    notice_due: datetime
    notice_late: bool
    service_term_due: datetime
    hearing_at: datetime | None
    moves_left: int
    blocked: MoveBlock | None
    refusal: str | None

    @property
    def allowed(self) -> bool:
        """Whether a hearing may be set (or moved) now at all."""
        return self.refusal is None

    def problem(self, hearing_at: datetime, place: str) -> str | None:
        """Why this time and place break the limits, naming the limit; None when they do not."""
        require_aware(hearing_at)
        if self.refusal is not None:
            return self.refusal
        if hearing_at < self.earliest:
            return f"the hearing cannot be set before its notice ({said(self.earliest)})"
        if hearing_at > self.latest:
            return self.latest_rule
        if self.moving and self.hearing_at == hearing_at:
            return f"the hearing is already set for {said(hearing_at)}"
        return None if place.strip() else "the place or way of the hearing is required (Rules §8)"

    @property
    def latest_rule(self) -> str:
        """The rule that sets `latest`, with the moment, as a refusal states it."""
        if self.capped_by_term:
            return (
                "a moved hearing is held within 2 working days of the new notice and not after "
                f"the service's term ends: by {said(self.latest)} (Rules §8)"
            )
        return (
            "the hearing is held no later than 2 working days from the notice: "
            f"by {said(self.latest)} (Rules §8)"
        )


class HearingSteps(ApplicationCore):
    """The transitions of the hearing procedure, before the head's final decision."""

    def hearing_limits(self, now: datetime) -> HearingLimits | None:
        """The §8 limits for setting the hearing at `now`; None when no declared step sets it."""
        require_aware(now)
        action = next((a for a in SETTING_ACTIONS if (self.status, a) in TRANSITIONS), None)
        if action is None:
            return None
        moving = self.status is _S.HEARING_SCHEDULED
        own_due = deadlines.hearing_due(self._calendar, now)
        term_due = self.schedule.service_term_due
        # A first notice's hearing is not capped by the term (deadlines.hearing_due says why);
        # a move is: the official chose to move it, so the term bounds the new time.
        capped = moving and term_due < own_due
        latest = term_due if capped else own_due
        moves_left = max(0, HEARING_MOVES_ALLOWED - self.hearing_moves)
        notice_due = self.schedule.hearing_notice_due
        blocked = self._move_blocked(now, latest) if moving else None
        return HearingLimits(
            action=action,
            moving=moving,
            now=now,
            earliest=now,
            latest=latest,
            capped_by_term=capped,
            notice_due=notice_due,
            notice_late=not moving and now > notice_due,
            service_term_due=term_due,
            hearing_at=self.hearing_at,
            moves_left=moves_left,
            blocked=blocked[0] if blocked else None,
            refusal=blocked[1] if blocked else None,
        )

    def issue_preliminary_refusal(
        self,
        actor: Actor,
        at: datetime,
        grounds: Iterable[int],
        motivation: str,
        hearing_at: datetime,
        place: str,
    ) -> PreliminaryRefusalIssued:
        """Notify the preliminary refusal with the hearing's time and place (Rules §8).

        The notice's deadline is judged on this notice (late: accepted and flagged); the hearing
        must fall between the notice and 2 working days after it.
        """
        target = self._begin(_A.ISSUE_PRELIMINARY_REFUSAL, actor, at)
        reasons = RefusalReasons.of(grounds, motivation)
        self._check_hearing(_A.ISSUE_PRELIMINARY_REFUSAL, at, hearing_at, place)
        self.deadlines.settle(Stage.REVIEW, at)
        notice_due, late, hearing_due = self._notify(at, hearing_at)
        self.preliminary_reasons = reasons
        return self._commit(
            PreliminaryRefusalIssued(
                **self._common(actor, at, target),
                stage_deadline=notice_due,
                late=late,
                reasons=reasons,
                hearing_due=hearing_due,
                hearing_at=hearing_at,
                place=place.strip(),
            )
        )

    def schedule_hearing(
        self, actor: Actor, at: datetime, hearing_at: datetime, place: str
    ) -> HearingScheduled | HearingMoved:
        """Set the hearing's time and place with a notice (Rules §8).

        From a preliminary refusal stored without them (the old shape), this is the notice that
        carries them, judged as the preliminary refusal's notice is now. From hearing_scheduled
        it moves the hearing, once, before its moment, with a new notice.
        """
        target = self._begin(_A.SCHEDULE_HEARING, actor, at)
        if self.status is _S.HEARING_SCHEDULED:
            return self._move_hearing(actor, at, hearing_at, place, target)
        self._check_hearing(_A.SCHEDULE_HEARING, at, hearing_at, place)
        notice_due, late, hearing_due = self._notify(at, hearing_at)
        return self._commit(
            HearingScheduled(
                **self._common(actor, at, target),
                stage_deadline=notice_due,
                late=late,
                hearing_at=hearing_at,
                place=place.strip(),
                hearing_due=hearing_due,
                reasons=self.preliminary_reasons,
            )
        )

    def hold_hearing(
        self, actor: Actor, at: datetime, applicant_attended: bool, applicant_position: str = ""
    ) -> HearingHeld:
        """Record the hearing, attended or not (Rules §8)."""
        target = self._begin(_A.HOLD_HEARING, actor, at)
        if self.hearing_at is not None and at < self.hearing_at:
            self._refuse(_A.HOLD_HEARING, f"the hearing was set for {said(self.hearing_at)}")
        late = self.deadlines.settle(Stage.HEARING, at)
        return self._commit(
            HearingHeld(
                **self._common(actor, at, target),
                stage_deadline=self._hearing_due(),
                late=late,
                applicant_attended=applicant_attended,
                applicant_position=applicant_position,
            )
        )

    # Internals

    def _move_hearing(
        self,
        actor: Actor,
        at: datetime,
        hearing_at: datetime,
        place: str,
        target: ApplicationStatus,
    ) -> HearingMoved:
        previous = self.hearing_at
        self._check_hearing(_A.SCHEDULE_HEARING, at, hearing_at, place)
        # The new notice restarts the hearing's clock (stage_deadline: the hearing's new due).
        # The notice stage stays as judged on the first notice: a move comes after it by its
        # nature, and the term, not the notice deadline, bounds it.
        hearing_due = deadlines.hearing_due(self._calendar, at)
        self.deadlines.open(Stage.HEARING, hearing_due)
        self.hearing_at = hearing_at
        self.hearing_moves += 1
        return self._commit(
            HearingMoved(
                **self._common(actor, at, target),
                stage_deadline=hearing_due,
                hearing_at=hearing_at,
                place=place.strip(),
                hearing_due=hearing_due,
                previous_hearing_at=previous,
                reasons=self.preliminary_reasons,
            )
        )

    def _check_hearing(
        self, action: ApplicationAction, at: datetime, hearing_at: datetime, place: str
    ) -> None:
        limits = self.hearing_limits(at)
        if limits is None:  # _begin found the transition declared, so limits exist
            raise AssertionError(f"no hearing limits in {self.status}")
        problem = limits.problem(hearing_at, place)
        if problem is not None:
            self._refuse(action, problem)

    def _notify(self, at: datetime, hearing_at: datetime) -> tuple[datetime, bool, datetime]:
        """The notice with the time and place went out at `at`: judge its deadline on it and
        start the hearing's 2 working days from it. Answers (notice due, late, hearing due)."""
        notice_due = self.schedule.hearing_notice_due
        # Re-opened so that a case stored in the old shape is judged on this notice, not on the
        # preliminary refusal that carried no time and place.
        self.deadlines.open(Stage.HEARING_NOTICE, notice_due)
        late = self.deadlines.settle(Stage.HEARING_NOTICE, at)
        hearing_due = deadlines.hearing_due(self._calendar, at)
        self.deadlines.open(Stage.HEARING, hearing_due)
        self.hearing_at = hearing_at
        return notice_due, late, hearing_due

    def _move_blocked(self, now: datetime, latest: datetime) -> tuple[MoveBlock, str] | None:
        """Why the hearing cannot be moved now, as a code and in a refusal's words."""
        if self.hearing_moves >= HEARING_MOVES_ALLOWED:
            moved_to = f" (to {said(self.hearing_at)})" if self.hearing_at else ""
            return (
                MoveBlock.MOVED_ALREADY,
                f"the hearing was moved already{moved_to}; §8 allows one move",
            )
        if self.hearing_at is not None and now >= self.hearing_at:
            came = said(self.hearing_at)
            return MoveBlock.MOMENT_CAME, f"the hearing's moment ({came}) came; it cannot be moved"
        if latest < now:
            return (
                MoveBlock.TERM_ENDED,
                f"the service's term ended at {said(latest)}; the hearing can no longer be moved",
            )
        return None

    def _hearing_due(self) -> datetime:
        hearing = self.deadlines.get(Stage.HEARING)
        if hearing is None:  # only a preliminary refusal opens it, and it precedes any hearing
            raise AssertionError("no hearing stage without a preliminary refusal")
        return hearing.due


def hearing_limits(application: HearingSteps, now: datetime) -> HearingLimits | None:
    """The §8 limits for setting (or moving) the application's hearing at `now`, for a page to
    show before the official acts; None when its status has no step that sets the hearing."""
    return application.hearing_limits(now)
