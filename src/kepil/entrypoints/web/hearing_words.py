"""Rules §8 in the person's language: the limits of the hearing shown before an official sets or
moves it (templates/_hearing_limits.html), and the domain's refusals of a hearing outside them.

The domain refuses in English with the limit's moment in ISO on Almaty clocks
(`domain/permits/hearing.py`); `hearing_refusal` finds which limit it was and the moment, so a
page says it again in Kazakh or Russian with the moment as the pages write moments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from kepil.entrypoints.web.i18n import N_

# Why a scheduled hearing cannot be moved now (HearingLimitsView.blocked; the partial says the
# same words).
MOVE_BLOCKED: Final = {
    "moved_already": N_("The hearing was moved already; the Rules allow one move."),
    "moment_came": N_("The time of the hearing has come; it can no longer be moved."),
    "term_ended": N_("The term of the service has ended; the hearing can no longer be moved."),
}

_MOMENT = r"\(?(?:to )?(?P<moment>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}[+-]\d{2}:\d{2})"
_BY = rf"by {_MOMENT}"
_REFUSALS: Final = (
    (
        re.compile(rf"the hearing cannot be set before its notice {_MOMENT}"),
        N_("The hearing cannot be set before its notice (%(moment)s)."),
    ),
    (
        re.compile(
            rf"the hearing is held no later than 2 working days from the notice: by {_MOMENT}"
        ),
        N_(
            "The hearing is held no later than 2 working days from the notice: by %(moment)s "
            "(Rules §8)."
        ),
    ),
    (
        re.compile(rf"a moved hearing is held within 2 working days .*{_BY}"),
        N_(
            "A moved hearing is held within 2 working days of the new notice and not after the "
            "term of the service ends: by %(moment)s (Rules §8)."
        ),
    ),
    (
        re.compile(rf"the hearing is already set for {_MOMENT}"),
        N_("The hearing is already set for %(moment)s."),
    ),
    (
        re.compile(r"the place or way of the hearing is required"),
        N_("The place or way of the hearing is required (Rules §8)."),
    ),
    (re.compile(r"the hearing was moved already"), MOVE_BLOCKED["moved_already"]),
    (re.compile(r"the hearing's moment .* came"), MOVE_BLOCKED["moment_came"]),
    (re.compile(r"the service's term ended at"), MOVE_BLOCKED["term_ended"]),
)


@dataclass(frozen=True, slots=True)
class HearingRefusal:
    """A refused hearing as a page says it: a msgid (with `%(moment)s` where it names one)
    and the limit's moment, if any."""

    message: str
    moment: datetime | None


def hearing_refusal(reason: str | None) -> HearingRefusal | None:
    """The §8 limit a domain refusal names, or None when the reason is not about the hearing."""
    if not reason:
        return None
    for pattern, message in _REFUSALS:
        found = pattern.search(reason)
        if found is not None:
            moment = found.groupdict().get("moment")
            return HearingRefusal(message, datetime.fromisoformat(moment) if moment else None)
    return None
