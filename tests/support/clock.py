"""The one clock tests move by hand: the service asks it, tests set it, nobody sleeps."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from kepil.domain.calendar import ALMATY


class MovableClock:
    """A `Clock` standing at a moment the test chooses and moves."""

    def __init__(self, moment: datetime | str | int) -> None:
        self.moment = _moment(moment)

    def now(self) -> datetime:
        """The moment the test set."""
        return self.moment

    def set(self, moment: datetime | str | int) -> None:
        """Stand at another moment: an aware datetime, Almaty local ISO text or unix seconds."""
        self.moment = _moment(moment)

    def advance(self, delta: timedelta | float) -> None:
        """Move forward by a duration or a number of seconds."""
        self.moment += delta if isinstance(delta, timedelta) else timedelta(seconds=delta)


def almaty(text: str) -> datetime:
    """A moment of Almaty wall-clock time, from ISO text such as `2026-03-20T18:30`."""
    return _moment(text)


def _moment(moment: datetime | str | int) -> datetime:
    if isinstance(moment, int):
        return datetime.fromtimestamp(moment, UTC)
    if isinstance(moment, str):
        parsed = datetime.fromisoformat(moment)
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=ALMATY)
    if moment.tzinfo is None:
        raise ValueError("a test clock stands at an aware moment")
    return moment
