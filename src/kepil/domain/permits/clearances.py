"""App.1 §10 items 3-4 before a permit: a reported court ban or deprivation of a special right.

The state systems report court decisions in force against the applicant (Rules §4); grounds 3
and 4 follow from them. Whether such a decision concerns *this* activity is the examiner's
judgement, so the report alone does not refuse; but a permit cannot be drafted over it until
the examiner records, with a signed act, why it does not concern the activity. The record
travels in the permit itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kepil.domain.permits.errors import InvalidRefusalError
from kepil.domain.permits.events import ReportedGroundCleared
from kepil.domain.permits.grounds import REPORTED_GROUNDS, GroundClearance, RefusalGround
from kepil.domain.permits.hearing import HearingSteps
from kepil.domain.permits.roles import Actor
from kepil.domain.permits.status import ApplicationAction

_A = ApplicationAction


def reported(grounds: Iterable[int]) -> frozenset[RefusalGround]:
    """The grounds 3 and 4 among those the state systems suggest; others are not theirs."""
    return frozenset(RefusalGround(g) for g in grounds if g in {int(r) for r in REPORTED_GROUNDS})


class ClearanceSteps(HearingSteps):
    """The examiner's signed records on reported grounds 3-4, and the check a permit makes."""

    def clear_reported_ground(
        self,
        actor: Actor,
        at: datetime,
        ground: int,
        reason: str,
        reported_grounds: Iterable[int],
    ) -> ReportedGroundCleared:
        """Record why a reported ground 3 or 4 does not concern this activity (App.1 §10)."""
        target = self._begin(_A.CLEAR_REPORTED_GROUND, actor, at)
        try:
            clearance = GroundClearance.of(ground, reason, actor.name, actor.iin, at)
        except InvalidRefusalError as error:
            self._refuse(_A.CLEAR_REPORTED_GROUND, str(error))
        if clearance.ground not in reported(reported_grounds):
            self._refuse(
                _A.CLEAR_REPORTED_GROUND,
                f"the state systems report no court decision for ground {ground}",
            )
        if any(c.ground is clearance.ground for c in self.ground_clearances):
            self._refuse(_A.CLEAR_REPORTED_GROUND, f"already recorded for ground {ground}")
        self.ground_clearances = (*self.ground_clearances, clearance)
        return self._commit(
            ReportedGroundCleared(**self._common(actor, at, target), clearance=clearance)
        )

    def uncleared_grounds(self, reported_grounds: Iterable[int]) -> list[RefusalGround]:
        """Reported grounds 3-4 the examiner has not recorded as not concerning the activity."""
        cleared = {c.ground for c in self.ground_clearances}
        return sorted(reported(reported_grounds) - cleared)
