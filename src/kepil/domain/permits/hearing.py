"""Rules §8 (APPC art. 73): preliminary refusal, hearing notice and the hearing itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kepil.domain.calendar import to_almaty
from kepil.domain.permits import deadlines
from kepil.domain.permits.core import ApplicationCore, require_aware
from kepil.domain.permits.deadlines import Stage
from kepil.domain.permits.events import HearingHeld, HearingScheduled, PreliminaryRefusalIssued
from kepil.domain.permits.grounds import RefusalReasons
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import ApplicationAction

_A = ApplicationAction


class HearingSteps(ApplicationCore):
    """The transitions of the hearing procedure, before the head's final decision."""

    def issue_preliminary_refusal(
        self, actor: Actor, at: datetime, grounds: Iterable[int], motivation: str
    ) -> PreliminaryRefusalIssued:
        """Notify the applicant of a preliminary refusal; a late notice is flagged (Rules §8)."""
        target = self._begin(_A.ISSUE_PRELIMINARY_REFUSAL, actor, at)
        reasons = RefusalReasons.of(grounds, motivation)
        self.deadlines.settle(Stage.REVIEW, at)
        notice_due = self.schedule.hearing_notice_due
        self.deadlines.open(Stage.HEARING_NOTICE, notice_due)
        late = self.deadlines.settle(Stage.HEARING_NOTICE, at)
        hearing_due = deadlines.hearing_due(self._calendar, at)
        self.deadlines.open(Stage.HEARING, hearing_due)
        self.preliminary_reasons = reasons
        return self._commit(
            PreliminaryRefusalIssued(
                **self._common(actor, at, target),
                stage_deadline=notice_due,
                late=late,
                reasons=reasons,
                hearing_due=hearing_due,
            )
        )

    def schedule_hearing(
        self, actor: Actor, at: datetime, hearing_at: datetime, place: str
    ) -> HearingScheduled:
        """Set the time and place (or way) of the hearing (Rules §8)."""
        target = self._begin(_A.SCHEDULE_HEARING, actor, at)
        require_aware(hearing_at)
        if hearing_at < at:
            self._refuse(_A.SCHEDULE_HEARING, "the hearing cannot be set in the past")
        if not place.strip():
            self._refuse(_A.SCHEDULE_HEARING, "the place or way of the hearing is required")
        due = self._hearing_due()
        self.hearing_at = hearing_at
        return self._commit(
            HearingScheduled(
                **self._common(actor, at, target),
                stage_deadline=due,
                late=hearing_at > due,
                hearing_at=hearing_at,
                place=place.strip(),
            )
        )

    def hold_hearing(
        self, actor: Actor, at: datetime, applicant_attended: bool, applicant_position: str = ""
    ) -> HearingHeld:
        """Record the hearing, attended or not (Rules §8)."""
        target = self._begin(_A.HOLD_HEARING, actor, at)
        if self.hearing_at is not None and at < self.hearing_at:
            # Said in Almaty time, as every moment the service answers.
            set_for = to_almaty(self.hearing_at).isoformat()
            self._refuse(_A.HOLD_HEARING, f"the hearing was set for {set_for}")
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

    def _hearing_due(self) -> datetime:
        hearing = self.deadlines.get(Stage.HEARING)
        if hearing is None:  # only a preliminary refusal opens it, and it precedes any hearing
            raise AssertionError("no hearing stage without a preliminary refusal")
        return hearing.due
